"""The strings a script's expressions may evaluate to, worked out from literals alone.

``ValueReader`` evaluates an expression of a script or of a sibling module it imports
(``script_modules``) to the set of strings it may take: literals, f-strings, ``+``,
``Path(...) / ...``, ``os.path.join``, ``.parent``, ``.upper()``, module constants (also a
sibling's, as ``job_io.NAME`` or imported by name), ``os.environ.get(NAME, default)``
defaults, and a function's parameters from the constant arguments of every call that
runs (in the script or in a sibling). Anything else is unknown (``None``): the check
never guesses.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Callable, Iterable
from typing import NamedTuple

from pipeline_script_contracts.script_modules import ScriptModule, checked_nodes, unit_of

__all__ = ["Scope", "ValueReader"]

_PATH_CALLS = frozenset({"Path", "PurePath", "PosixPath", "PurePosixPath"})
_MAX_VALUES = 64
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class Scope(NamedTuple):
    """Where an expression stands: its module and the function around it (None: top level)."""

    module: ScriptModule
    function: ast.AST | None


class _OsNames(NamedTuple):
    modules: set[str]
    environ: set[str]
    getenv: set[str]


class ValueReader:
    """Evaluates the string expressions of a script and the siblings it imports."""

    def __init__(self, modules: dict[str, ScriptModule], reached: set[tuple[str, str]]) -> None:
        self.modules = modules
        self.assignments = {name: _assignments(m.tree.body) for name, m in modules.items()}
        self.os_names = {name: _os_imports(m.tree) for name, m in modules.items()}
        self.calls = [
            (Scope(module, function), node)
            for module, function, node in checked_nodes(modules, reached)
            if isinstance(node, ast.Call)
        ]
        self._locals: dict[int, dict[str, list[ast.expr]]] = {}
        self._active: set[tuple[int, str]] = set()

    def env_read(self, node: ast.AST, module: ScriptModule) -> ast.expr | None:
        """The name expression of an environment read, if ``node`` is one."""
        names = self.os_names[module.name]
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            return node.slice if self._is_environ(node.value, names) else None
        if (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], (ast.In, ast.NotIn))
            and self._is_environ(node.comparators[0], names)
        ):
            return node.left
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("get", "setdefault", "pop"):
                return node.args[0] if self._is_environ(func.value, names) else None
            if isinstance(func, ast.Attribute) and func.attr == "getenv":
                return node.args[0] if _is_name(func.value, names.modules) else None
            if _is_name(func, names.getenv):
                return node.args[0]
        return None

    @staticmethod
    def _is_environ(node: ast.expr, names: _OsNames) -> bool:
        if isinstance(node, ast.Attribute) and node.attr == "environ":
            return _is_name(node.value, names.modules)
        return _is_name(node, names.environ)

    def values(self, node: ast.AST, scope: Scope) -> set[str] | None:
        """The strings ``node`` may evaluate to, or None when unknown."""
        return self._guarded(id(node), "", lambda: self._values(node, scope))

    def _guarded(self, key: int, name: str, work: Callable[[], set[str] | None]) -> set[str] | None:
        if (key, name) in self._active:
            return None
        self._active.add((key, name))
        try:
            result = work()
        finally:
            self._active.discard((key, name))
        return result if result is None or len(result) <= _MAX_VALUES else None

    def _values(self, node: ast.AST, scope: Scope) -> set[str] | None:
        if isinstance(node, ast.Constant):
            return {node.value} if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr):
            return _product([self._formatted(part, scope) for part in node.values])
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
            left, right = self.values(node.left, scope), self.values(node.right, scope)
            return _combine(left, right, "/" if isinstance(node.op, ast.Div) else "")
        if isinstance(node, ast.IfExp):
            return _union(self.values(node.body, scope), self.values(node.orelse, scope))
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return _union(*(self.values(value, scope) for value in node.values))
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope)
        if isinstance(node, ast.Name):
            return self._name(node.id, scope)
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        return None

    def _attribute(self, node: ast.Attribute, scope: Scope) -> set[str] | None:
        aliases = scope.module.module_aliases
        if isinstance(node.value, ast.Name) and node.value.id in aliases:
            return self._global(self.modules[aliases[node.value.id]], node.attr)
        if node.attr == "parent":
            inner = self.values(node.value, scope)
            return None if inner is None else {posixpath.dirname(v.rstrip("/")) for v in inner}
        return None

    def _formatted(self, part: ast.expr, scope: Scope) -> set[str] | None:
        if isinstance(part, ast.FormattedValue):
            return None if part.format_spec else self.values(part.value, scope)
        return self.values(part, scope)

    def _call(self, node: ast.Call, scope: Scope) -> set[str] | None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        args = [self.values(arg, scope) for arg in node.args]
        os_modules = self.os_names[scope.module.name].modules
        if name in _PATH_CALLS or (name == "join" and _is_os_path(func, os_modules)):
            return _join_all(args) if args else None
        if name == "joinpath" and isinstance(func, ast.Attribute):
            return _join_all([self.values(func.value, scope), *args])
        if name in ("str", "fspath", "abspath", "normpath", "expanduser") and len(args) == 1:
            return args[0]
        if name in ("upper", "lower", "strip") and isinstance(func, ast.Attribute) and not args:
            inner = self.values(func.value, scope)
            return None if inner is None else {getattr(v, name)() for v in inner}
        if self.env_read(node, scope.module) is not None and len(node.args) > 1:
            return args[1]
        return None

    def _name(self, name: str, scope: Scope) -> set[str] | None:
        function = scope.function
        if isinstance(function, _FUNCTIONS):
            local = self._locals.get(id(function))
            if local is None:
                local = self._locals[id(function)] = _assignments(function.body)
            if name in local:
                return _union_all(self.values(value, scope) for value in local[name])
            parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
            if name in parameters or name in [a.arg for a in function.args.kwonlyargs]:
                return self._argument(scope.module, function, name, parameters)
        return self._global(scope.module, name)

    def _global(self, module: ScriptModule, name: str) -> set[str] | None:
        """A top-level name of ``module``: its own constant, or one it imports from a sibling."""
        return self._guarded(id(module), name, lambda: self._resolve_global(module, name))

    def _resolve_global(self, module: ScriptModule, name: str) -> set[str] | None:
        top = Scope(module, None)
        if name in self.assignments[module.name]:
            return _union_all(self.values(v, top) for v in self.assignments[module.name][name])
        if name in module.imported_names:
            owner, original = module.imported_names[name]
            return self._global(self.modules[owner], original)
        for owner in module.star_imports:
            if name in self.assignments[owner] and not name.startswith("_"):
                return self._global(self.modules[owner], name)
        return None

    def _argument(
        self,
        module: ScriptModule,
        function: ast.FunctionDef | ast.AsyncFunctionDef,
        name: str,
        positional: list[str],
    ) -> set[str] | None:
        found: list[set[str] | None] = []
        default = _default_of(function, name)
        for caller, call in self.calls:
            if not self._calls(caller.module, call, module, function):
                continue
            index = positional.index(name) if name in positional else -1
            if 0 <= index < len(call.args):
                found.append(self.values(call.args[index], caller))
            else:
                given = [k.value for k in call.keywords if k.arg == name]
                value = given[0] if given else default
                found.append(None if value is None else self.values(value, caller))
        if not found or any(item is None for item in found):
            return None
        return _union_all(found)

    def _calls(
        self, caller: ScriptModule, call: ast.Call, module: ScriptModule, function: ast.AST
    ) -> bool:
        """Whether ``call`` (in ``caller``) calls ``function`` of ``module``."""
        target = unit_of(self.modules, caller, call.func)
        if target is not None:
            return target[0] is module and target[0].units[target[1]] is function
        return (
            caller is module
            and isinstance(call.func, ast.Name)
            and call.func.id == getattr(function, "name", None)
        )


def _default_of(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.expr | None:
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults = dict(zip([a.arg for a in positional][::-1], arguments.defaults[::-1], strict=False))
    defaults.update(
        (a.arg, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d
    )
    return defaults.get(name)


def _assignments(body: list[ast.stmt]) -> dict[str, list[ast.expr]]:
    """``NAME = value`` bindings in ``body`` outside nested functions and classes.

    A ``for NAME in (<literals>)`` loop binds NAME to each literal in turn.
    """
    found: dict[str, list[ast.expr]] = {}
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            if isinstance(node.targets[0], ast.Name):
                found.setdefault(node.targets[0].id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            found.setdefault(node.target.id, []).append(node.value)
        elif (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Name)
            and isinstance(node.iter, (ast.Tuple, ast.List, ast.Set))
        ):
            found.setdefault(node.target.id, []).extend(node.iter.elts)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _os_imports(tree: ast.Module) -> _OsNames:
    names = _OsNames({"os"}, set(), set())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.modules.update(a.asname or a.name for a in node.names if a.name == "os")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if alias.name == "environ":
                    names.environ.add(alias.asname or alias.name)
                elif alias.name == "getenv":
                    names.getenv.add(alias.asname or alias.name)
    return names


def _is_name(node: ast.expr, names: set[str]) -> bool:
    return isinstance(node, ast.Name) and node.id in names


def _is_os_path(func: ast.expr, os_aliases: set[str]) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "path"
        and _is_name(func.value.value, os_aliases)
    ) or (isinstance(func, ast.Attribute) and _is_name(func.value, {"posixpath"}))


def _union(*parts: set[str] | None) -> set[str] | None:
    known = [part for part in parts if part is not None]
    return set().union(*known) if known else None


def _union_all(parts: Iterable[set[str] | None]) -> set[str] | None:
    return _union(*parts)


def _combine(left: set[str] | None, right: set[str] | None, separator: str) -> set[str] | None:
    if left is None or right is None or len(left) * len(right) > _MAX_VALUES:
        return None
    if separator:
        return {posixpath.join(a, b) for a in left for b in right}
    return {a + b for a in left for b in right}


def _product(parts: list[set[str] | None]) -> set[str] | None:
    result: set[str] | None = {""}
    for part in parts:
        result = _combine(result, part, "")
    return result


def _join_all(parts: list[set[str] | None]) -> set[str] | None:
    if not parts:
        return None
    result = parts[0]
    for part in parts[1:]:
        result = _combine(result, part, "/")
    return result
