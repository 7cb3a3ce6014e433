"""A script and the sibling modules it imports, parsed for the static contract check.

A script run as ``python <folder>/<script>.py`` has its own folder first on ``sys.path``,
so ``import job_io`` or ``from job_io import channel_dir`` loads ``<folder>/job_io.py``
(a package ``<folder>/job_io/__init__.py`` too) before any installed module of that name.
What such a *sibling* reads is what the script reads, so the check follows these imports,
transitively. Relative imports and ``importlib`` calls are not followed.

The script is read whole. Of a sibling, the check reads what runs when the script uses
it: the statements at its top level (they run on import) and the functions and classes
the script, or other code that runs, refers to by name (``job_io.channel_dir``,
``channel_dir`` imported by name, a helper calling another). A helper that only another
script calls is not held against this script's contract.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from pipeline_script_contracts.kinds import ContractError

__all__ = ["ScriptModule", "checked_nodes", "load_modules", "reachable_units", "unit_of"]

Unit: TypeAlias = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
"""A top-level definition of a sibling module: read when something that runs refers to it."""

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass
class ScriptModule:
    """One parsed module: the script itself (``imported_by`` None) or a sibling."""

    name: str
    path: Path
    tree: ast.Module
    imported_by: str | None
    module_aliases: dict[str, str] = field(default_factory=dict)
    """Local name -> sibling module it stands for (``import job_io as io``: io -> job_io)."""
    imported_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Local name -> (sibling module, name there) (``from job_io import run as go``)."""
    star_imports: list[str] = field(default_factory=list)
    """Siblings whose public names ``from <sibling> import *`` brings in."""
    units: dict[str, Unit] = field(default_factory=dict)
    """Top-level functions and classes by name."""

    @property
    def is_script(self) -> bool:
        return self.imported_by is None

    def where(self) -> str:
        """How a finding names this module's place: nothing for the script itself."""
        if self.imported_by is None:
            return ""
        return f" (in {self.path.name}, imported by {self.imported_by})"


def _parse(path: Path, contract_name: str, importer: str | None) -> ast.Module:
    label = str(path) if importer is None else f"{path} (imported by {importer})"
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as error:
        raise ContractError(
            f"contract {contract_name!r}: cannot check {label}: syntax error at line "
            f"{error.lineno}: {error.msg}"
        ) from None
    except OSError as error:
        raise ContractError(f"contract {contract_name!r}: cannot read {label}: {error}") from None


def _sibling_file(folder: Path, dotted: str) -> Path | None:
    """The file ``import <dotted>`` loads from ``folder``, or None when it is not there."""
    base = folder.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def load_modules(script: Path, contract_name: str) -> dict[str, ScriptModule]:
    """The script (first) and every sibling module it imports, directly or not, by name."""
    folder = script.parent
    entry = ScriptModule(script.stem, script, _parse(script, contract_name, None), None)
    modules = {entry.name: entry}
    pending = [entry]
    while pending:
        module = pending.pop()
        for sibling, path in _link_imports(module, folder):
            if sibling not in modules:
                tree = _parse(path, contract_name, module.path.name)
                modules[sibling] = ScriptModule(sibling, path, tree, module.path.name)
                pending.append(modules[sibling])
    return modules


def _link_imports(module: ScriptModule, folder: Path) -> Iterator[tuple[str, Path]]:
    """Fill in ``module``'s import tables; yield each sibling it imports."""
    module.units = {
        node.name: node
        for node in module.tree.body
        if isinstance(node, (*_FUNCTIONS, ast.ClassDef))
    }
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                path = _sibling_file(folder, alias.name)
                if path is None:
                    continue
                if alias.asname:
                    module.module_aliases[alias.asname] = alias.name
                elif "." not in alias.name:
                    module.module_aliases[alias.name] = alias.name
                yield alias.name, path
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            path = _sibling_file(folder, node.module)
            if path is None:
                continue
            yield node.module, path
            for alias in node.names:
                if alias.name == "*":
                    module.star_imports.append(node.module)
                else:
                    local = alias.asname or alias.name
                    module.imported_names[local] = (node.module, alias.name)


def unit_of(
    modules: dict[str, ScriptModule], module: ScriptModule, node: ast.expr
) -> tuple[ScriptModule, str] | None:
    """The sibling function or class ``node`` names from ``module``, if it names one."""
    if isinstance(node, ast.Name):
        if node.id in module.imported_names:
            owner, name = module.imported_names[node.id]
            return (modules[owner], name) if name in modules[owner].units else None
        if node.id in module.units:
            return module, node.id
        for star in module.star_imports:
            if node.id in modules[star].units and not node.id.startswith("_"):
                return modules[star], node.id
        return None
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in module.module_aliases
    ):
        aliased = modules[module.module_aliases[node.value.id]]
        return (aliased, node.attr) if node.attr in aliased.units else None
    return None


def _top_level(module: ScriptModule, reached: set[tuple[str, str]]) -> Iterator[ast.stmt]:
    """The statements of ``module`` that run: all of the script's; of a sibling, its
    top-level code and the units in ``reached``."""
    for statement in module.tree.body:
        if (
            module.is_script
            or not isinstance(statement, (*_FUNCTIONS, ast.ClassDef))
            or (module.name, statement.name) in reached
        ):
            yield statement


def reachable_units(modules: dict[str, ScriptModule]) -> set[tuple[str, str]]:
    """``(module, unit)`` of every sibling function or class that code which runs names."""
    reached: set[tuple[str, str]] = set()
    pending = [(module, statement) for module in modules.values() for statement in
               _top_level(module, reached)]  # fmt: skip
    while pending:
        module, statement = pending.pop()
        for node in ast.walk(statement):
            if not isinstance(node, (ast.Name, ast.Attribute)):
                continue
            found = unit_of(modules, module, node)
            if found is None or found[0].is_script:
                continue
            owner, name = found
            if (owner.name, name) not in reached:
                reached.add((owner.name, name))
                pending.append((owner, owner.units[name]))
    return reached


def checked_nodes(
    modules: dict[str, ScriptModule], reached: set[tuple[str, str]]
) -> Iterator[tuple[ScriptModule, ast.AST | None, ast.AST]]:
    """``(module, enclosing function or None, node)`` of every node the check reads."""
    for module in modules.values():
        for statement in _top_level(module, reached):
            function = statement if isinstance(statement, _FUNCTIONS) else None
            yield module, function, statement
            for inner, node in _descendants(statement, function):
                yield module, inner, node


def _descendants(
    node: ast.AST, function: ast.AST | None
) -> Iterator[tuple[ast.AST | None, ast.AST]]:
    for child in ast.iter_child_nodes(node):
        inner = child if isinstance(child, _FUNCTIONS) else function
        yield inner, child
        yield from _descendants(child, inner)
