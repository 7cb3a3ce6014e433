"""Does a script read and write what its contract says? A static check, and the rules it shares.

``check_implementation(contract, script)`` (``ScriptContract.validate_implementation``)
parses the script with ``ast`` (it never imports or runs it) and reports:

- every container path the script spells out (a ``/opt/ml`` string, or one built from
  literals with ``Path(...) / ...``, ``os.path.join``, ``+``, f-strings, module constants,
  ``os.environ.get(NAME, default)`` defaults, and constant arguments passed to the
  script's own functions) that is neither at or under a declared input or output path,
  nor an ancestor of one (``/opt/ml/input/data`` is fine, ``/opt/ml/input/data/test``
  is not), nor a path the platform itself provides (``PLATFORM_PATHS``);
- every environment variable the script reads by a name it spells out
  (``os.environ[...]``, ``os.environ.get``, ``os.getenv``, ``in os.environ``, also through
  ``from os import environ, getenv``) that neither the contract (required and optional
  variables, ``SM_CHANNEL_<CHANNEL>`` of its training channels) nor the container type
  (``TRAINING_ENV_VARS``, ``SM_HP_*``, ``PIPELINE_PROCESSING_ROOT``, ``AWS_*``, ...)
  provides.

Names and paths the check cannot work out (built from run-time values) are skipped, so
it reports no false positives by guessing; what it cannot see is not proof of anything.

The result is a list of ``ImplementationFinding`` (empty when the script matches). With
``strict=True`` any finding raises ``ContractError`` listing them all. A script that does
not parse raises ``ContractError`` either way. The path and variable rules here are the
ones the local runner enforces at run time, so the two checks cannot drift apart.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from pipeline_script_contracts import ContainerType, ContractError, ScriptContract

__all__ = [
    "COMMON_ENV_VARS",
    "PLATFORM_PATHS",
    "PROCESSING_ENV_VARS",
    "TRAINING_ENV_VARS",
    "ImplementationFinding",
    "check_implementation",
    "declared_path_areas",
    "env_var_allowed",
    "path_allowed",
]

TRAINING_ENV_VARS: tuple[str, ...] = (
    "SM_CHANNELS", "SM_CURRENT_HOST",
    "SM_CURRENT_INSTANCE_GROUP", "SM_CURRENT_INSTANCE_GROUP_HOSTS", "SM_CURRENT_INSTANCE_TYPE",
    "SM_DISTRIBUTION_INSTANCE_GROUPS", "SM_FRAMEWORK_MODULE", "SM_FRAMEWORK_PARAMS", "SM_HOSTS",
    "SM_HPS", "SM_INPUT_CONFIG_DIR", "SM_INPUT_DATA_CONFIG", "SM_INPUT_DIR", "SM_INSTANCE_GROUPS",
    "SM_INSTANCE_GROUPS_DICT", "SM_IS_HETERO", "SM_LOG_LEVEL", "SM_MODEL_DIR", "SM_MODULE_DIR",
    "SM_MODULE_NAME", "SM_NETWORK_INTERFACE_NAME", "SM_NUM_CPUS", "SM_NUM_GPUS", "SM_NUM_NEURONS",
    "SM_OUTPUT_DATA_DIR", "SM_OUTPUT_DIR", "SM_OUTPUT_INTERMEDIATE_DIR", "SM_RESOURCE_CONFIG",
    "SM_TRAINING_ENV", "SM_USER_ARGS", "SM_USER_ENTRY_POINT",
    "CURRENT_HOST", "SAGEMAKER_BASE_DIR", "SAGEMAKER_JOB_NAME", "SAGEMAKER_PROGRAM",
    "SAGEMAKER_REGION", "SAGEMAKER_SUBMIT_DIRECTORY", "TRAINING_JOB_ARN", "TRAINING_JOB_NAME",
)  # fmt: skip
"""What a training container sets besides ``SM_CHANNEL_<CHANNEL>`` and ``SM_HP_<NAME>``: the
SageMaker training toolkit's ``Environment.to_env_vars()`` and ``params`` names
(github.com/aws/sagemaker-training-toolkit, src/sagemaker_training/environment.py and
params.py) plus the job name and ARN the service sets."""

PROCESSING_ENV_VARS: tuple[str, ...] = ("PIPELINE_PROCESSING_ROOT",)
"""What a processing script may read besides its contract's variables: SageMaker sets only the
job's ``Environment``; this library adds the root the local runner maps container paths under."""

COMMON_ENV_VARS: tuple[str, ...] = (
    "HOME", "LANG", "LC_ALL", "OMP_NUM_THREADS", "PATH", "PYTHONHASHSEED", "TEMP", "TMP", "TMPDIR",
)  # fmt: skip
"""Process and runtime variables any script may read; so may any ``AWS_*`` SDK setting."""

PLATFORM_PATHS: Mapping[ContainerType, tuple[str, ...]] = {
    ContainerType.TRAINING: (
        "/opt/ml/code",
        "/opt/ml/input/config",
        "/opt/ml/output/failure",
    ),
    ContainerType.PROCESSING: (
        "/opt/ml/config",
        "/opt/ml/output/message",
        "/opt/ml/processing/input/code",
        "/opt/ml/processing/input/entrypoint",
    ),
    ContainerType.LAMBDA: (),
}
"""Container paths the platform provides that are not job data: the code, the job's own
configuration files (training ``/opt/ml/input/config/*.json``, processing
``/opt/ml/config/*.json``) and the failure/exit message files SageMaker reports."""

_CONTAINER_ROOT = "/opt/ml"
_PATH_CALLS = frozenset({"Path", "PurePath", "PosixPath", "PurePosixPath"})
_MAX_VALUES = 64


@dataclass(frozen=True)
class ImplementationFinding:
    """One place where a script and its contract disagree."""

    script: str
    line: int
    column: int
    kind: str
    """``"path"`` or ``"env"``."""
    subject: str
    """The container path or the environment variable name."""
    message: str

    def __str__(self) -> str:
        return f"{self.script}:{self.line}:{self.column}: {self.message}"


def declared_path_areas(contract: ScriptContract) -> tuple[str, ...]:
    """The contract's declared input and output paths."""
    return (*contract.expected_input_paths.values(), *contract.expected_output_paths.values())


def _at_or_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _is_file_path(path: str) -> bool:
    return bool(posixpath.splitext(posixpath.basename(path))[1])


def path_allowed(
    contract: ScriptContract, path: str, *, access: str, extra: Iterable[str] = ()
) -> bool:
    """Whether ``access`` to the container ``path`` stays inside the contract.

    ``access`` is ``read``/``write`` (the path itself), ``list`` (a folder listing: also
    the folder holding a declared file, such as a channel holding ``hyperparameters.json``),
    ``mkdir`` or ``reference`` (a path spelled in code: ancestors of declared paths too).
    ``extra`` adds allowed areas (for example where the job's code was unpacked).
    """
    areas = (*declared_path_areas(contract), *PLATFORM_PATHS[contract.container_type], *extra)
    if any(_at_or_under(path, area) for area in areas):
        return True
    declared = declared_path_areas(contract)
    if access in ("reference", "mkdir"):
        return any(_at_or_under(area, path) for area in declared)
    if access == "list":
        return any(_is_file_path(area) and posixpath.dirname(area) == path for area in declared)
    return False


def env_var_allowed(contract: ScriptContract, name: str) -> bool:
    """Whether a script under ``contract`` may read the environment variable ``name``."""
    if name in contract.required_env_vars or name in contract.optional_env_vars:
        return True
    if name in COMMON_ENV_VARS or name.startswith("AWS_"):
        return True
    kind = contract.container_type
    if kind is ContainerType.TRAINING:
        channels = {contract.channel_name(n).upper() for n in contract.input_names}
        if name.startswith("SM_CHANNEL_"):
            return name.removeprefix("SM_CHANNEL_") in channels
        return name in TRAINING_ENV_VARS or name.startswith("SM_HP_")
    if kind is ContainerType.PROCESSING:
        return name in PROCESSING_ENV_VARS
    return name.startswith("LAMBDA_") or name in ("_HANDLER", "TZ")


def check_implementation(
    contract: ScriptContract, script: str | PathLike[str], *, strict: bool = False
) -> list[ImplementationFinding]:
    """The places where ``script`` reads or writes outside ``contract`` (see the module doc)."""
    path = Path(script)
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        raise ContractError(
            f"contract {contract.name!r}: cannot check {path}: syntax error at line "
            f"{error.lineno}: {error.msg}"
        ) from None
    except OSError as error:
        raise ContractError(f"contract {contract.name!r}: cannot read {path}: {error}") from None
    findings = _Checker(contract, str(path), tree).run()
    if strict and findings:
        raise ContractError(
            f"contract {contract.name!r}: {path} does not match its contract:\n"
            + "\n".join(f"  {finding}" for finding in findings)
        )
    return findings


class _Checker:
    """Evaluates the string expressions of one module; collects findings."""

    def __init__(self, contract: ScriptContract, script: str, tree: ast.Module) -> None:
        self.contract = contract
        self.script = script
        self.tree = tree
        self.module_names = _assignments(tree.body)
        self.functions = {
            node.name: node
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        self.calls = [
            (function, node)
            for function, node in self._nodes(tree, None)
            if isinstance(node, ast.Call)
        ]
        self._locals: dict[int, dict[str, list[ast.expr]]] = {}
        self.os_aliases, self.environ_names, self.getenv_names = _os_imports(tree)
        self.findings: dict[tuple[str, str], ImplementationFinding] = {}
        self._active: set[tuple[int, str]] = set()

    def run(self) -> list[ImplementationFinding]:
        for function, node in self._nodes(self.tree, None):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue
            if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call)):
                for value in self.values(node, function) or ():
                    self._check_path(value, node)
            name_node = self._env_read(node)
            if name_node is not None:
                for name in self.values(name_node, function) or ():
                    self._check_env(name, node)
        return sorted(self.findings.values(), key=lambda f: (f.line, f.column, f.subject))

    def _nodes(
        self, node: ast.AST, function: ast.AST | None
    ) -> Iterator[tuple[ast.AST | None, ast.AST]]:
        for child in ast.iter_child_nodes(node):
            inner = (
                child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            )
            yield inner, child
            yield from self._nodes(child, inner)

    def _add(self, node: ast.AST, kind: str, subject: str, message: str) -> None:
        finding = ImplementationFinding(
            self.script, getattr(node, "lineno", 0), getattr(node, "col_offset", 0) + 1,
            kind, subject, message,
        )  # fmt: skip
        self.findings.setdefault((kind, subject), finding)

    def _check_path(self, value: str, node: ast.AST) -> None:
        path = "/" + value.lstrip("/")
        if not _at_or_under(path, _CONTAINER_ROOT) or any(c.isspace() for c in value):
            return
        path = posixpath.normpath(path)
        if path_allowed(self.contract, path, access="reference"):
            return
        self._add(node, "path", path, f"{path} is outside contract {self.contract.name!r}: "
                  f"{_describe_paths(self.contract)}")  # fmt: skip

    def _check_env(self, name: str, node: ast.AST) -> None:
        if env_var_allowed(self.contract, name):
            return
        message = f"reads environment variable {name}, which contract {self.contract.name!r} "
        if (
            name.startswith("SM_CHANNEL_")
            and self.contract.container_type is ContainerType.TRAINING
        ):
            channels = [self.contract.channel_name(n) for n in self.contract.input_names]
            message += f"does not provide (its channels: {', '.join(channels)})"
        else:
            declared = [*self.contract.required_env_vars, *self.contract.optional_env_vars]
            message += (
                f"does not declare (declared: {', '.join(declared) or 'none'}; a "
                f"{self.contract.container_type.value} container provides the platform's own)"
            )
        self._add(node, "env", name, message)

    def _env_read(self, node: ast.AST) -> ast.expr | None:
        """The name expression of an environment read, if ``node`` is one."""
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            return node.slice if self._is_environ(node.value) else None
        if (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], (ast.In, ast.NotIn))
            and self._is_environ(node.comparators[0])
        ):
            return node.left
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("get", "setdefault", "pop"):
                return node.args[0] if self._is_environ(func.value) else None
            if isinstance(func, ast.Attribute) and func.attr == "getenv":
                return node.args[0] if _is_name(func.value, self.os_aliases) else None
            if _is_name(func, self.getenv_names):
                return node.args[0]
        return None

    def _is_environ(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Attribute) and node.attr == "environ":
            return _is_name(node.value, self.os_aliases)
        return _is_name(node, self.environ_names)

    def values(self, node: ast.AST, function: ast.AST | None) -> set[str] | None:
        """The strings ``node`` may evaluate to, or None when unknown."""
        key = (id(node), "")
        if key in self._active:
            return None
        self._active.add(key)
        try:
            result = self._values(node, function)
        finally:
            self._active.discard(key)
        return result if result is None or len(result) <= _MAX_VALUES else None

    def _values(self, node: ast.AST, function: ast.AST | None) -> set[str] | None:
        if isinstance(node, ast.Constant):
            return {node.value} if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr):
            parts = [self._formatted(part, function) for part in node.values]
            return _product(parts, "")
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
            left, right = self.values(node.left, function), self.values(node.right, function)
            return _combine(left, right, "/" if isinstance(node.op, ast.Div) else "")
        if isinstance(node, ast.IfExp):
            return _union(self.values(node.body, function), self.values(node.orelse, function))
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return _union(*(self.values(value, function) for value in node.values))
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            inner = self.values(node.value, function)
            return None if inner is None else {posixpath.dirname(v.rstrip("/")) for v in inner}
        if isinstance(node, ast.Name):
            return self._name(node.id, function)
        if isinstance(node, ast.Call):
            return self._call(node, function)
        return None

    def _formatted(self, part: ast.expr, function: ast.AST | None) -> set[str] | None:
        if isinstance(part, ast.FormattedValue):
            return None if part.format_spec else self.values(part.value, function)
        return self.values(part, function)

    def _call(self, node: ast.Call, function: ast.AST | None) -> set[str] | None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        args = [self.values(arg, function) for arg in node.args]
        if name in _PATH_CALLS or (name == "join" and _is_os_path(func, self.os_aliases)):
            return _join_all(args) if args else None
        if name == "joinpath" and isinstance(func, ast.Attribute):
            return _join_all([self.values(func.value, function), *args])
        if name in ("str", "fspath", "abspath", "normpath", "expanduser") and len(args) == 1:
            return args[0]
        if name in ("upper", "lower", "strip") and isinstance(func, ast.Attribute) and not args:
            inner = self.values(func.value, function)
            return None if inner is None else {getattr(v, name)() for v in inner}
        if self._env_read(node) is not None and len(node.args) > 1:
            return args[1]
        return None

    def _name(self, name: str, function: ast.AST | None) -> set[str] | None:
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            local = self._locals.get(id(function))
            if local is None:
                local = self._locals[id(function)] = _assignments(function.body)
            if name in local:
                return _union_all(self.values(value, function) for value in local[name])
            parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
            if name in parameters or name in [a.arg for a in function.args.kwonlyargs]:
                return self._argument(function, name, parameters)
        if name in self.module_names:
            return _union_all(self.values(value, None) for value in self.module_names[name])
        return None

    def _argument(self, function: ast.FunctionDef | ast.AsyncFunctionDef, name: str,
                  positional: list[str]) -> set[str] | None:  # fmt: skip
        found: list[set[str] | None] = []
        default = _default_of(function, name)
        for caller, call in self.calls:
            if not (isinstance(call.func, ast.Name) and call.func.id == function.name):
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


def _default_of(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.expr | None:
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults = dict(zip([a.arg for a in positional][::-1], arguments.defaults[::-1], strict=False))
    defaults.update(
        (a.arg, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d
    )
    return defaults.get(name)


def _describe_paths(contract: ScriptContract) -> str:
    inputs = ", ".join(f"{k}={v}" for k, v in contract.expected_input_paths.items()) or "none"
    outputs = ", ".join(f"{k}={v}" for k, v in contract.expected_output_paths.items()) or "none"
    return f"declared inputs: {inputs}; outputs: {outputs}"


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


def _os_imports(tree: ast.Module) -> tuple[set[str], set[str], set[str]]:
    os_aliases, environ_names, getenv_names = {"os"}, set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            os_aliases.update(a.asname or a.name for a in node.names if a.name == "os")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if alias.name == "environ":
                    environ_names.add(alias.asname or alias.name)
                elif alias.name == "getenv":
                    getenv_names.add(alias.asname or alias.name)
    return os_aliases, environ_names, getenv_names


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


def _product(parts: list[set[str] | None], separator: str) -> set[str] | None:
    result: set[str] | None = {""}
    for part in parts:
        result = _combine(result, part, separator)
    return result


def _join_all(parts: list[set[str] | None]) -> set[str] | None:
    if not parts:
        return None
    result = parts[0]
    for part in parts[1:]:
        result = _combine(result, part, "/")
    return result
