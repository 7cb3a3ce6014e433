"""Each package's ``__all__`` is sorted and names exactly its public objects.

"Public object" means every name without a leading underscore in the package
namespace, except submodules and other modules, ``from __future__`` features,
classes and functions imported from outside the package (helpers such as
``Path`` or ``Mapping``), and ``TYPE_CHECKING``. Values such as constants count
wherever they were created, because a value carries no record of its origin.

"Sorted" is the order ruff's RUF022 enforces (which the project lints with):
SCREAMING_SNAKE_CASE names first, then CamelCase, then the rest, each group in
natural order.
"""

from __future__ import annotations
import __future__

import importlib
import inspect
import re
import types

import pytest

PACKAGES = ("lambda_code", "pipeline_script_contracts", "pipeline_steps")
_IMPORT_IDIOMS = frozenset({"TYPE_CHECKING"})


def _ruff_isort_key(name: str) -> tuple[int, list[int | str]]:
    if len(name) > 1 and name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    natural = [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
    return group, natural


def _defined_elsewhere(value: object, package: str) -> bool:
    if not (inspect.isclass(value) or inspect.isroutine(value)):
        return False
    module = getattr(value, "__module__", None) or ""
    return module != package and not module.startswith(package + ".")


def _public_names(package: types.ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(package).items()
        if not name.startswith("_")
        and name not in _IMPORT_IDIOMS
        and not isinstance(value, (types.ModuleType, __future__._Feature))
        and not _defined_elsewhere(value, package.__name__)
    }


def _exported(package_name: str) -> tuple[types.ModuleType, list[str]]:
    package = importlib.import_module(package_name)
    assert getattr(package, "__file__", None), f"{package_name} has no __init__.py"
    exported = getattr(package, "__all__", None)
    assert isinstance(exported, (list, tuple)), f"{package_name}.__all__ is missing"
    assert all(isinstance(name, str) for name in exported)
    return package, list(exported)


def test_sort_key_matches_ruff_rule_examples() -> None:
    """GIVEN mixed-case names WHEN sorted by the test's key THEN constants, classes, rest."""
    names = ["main", "Step10", "VERSION", "Step2", "A", "a_b", "CONFIG_2", "CONFIG_10"]

    assert sorted(names, key=_ruff_isort_key) == [
        "CONFIG_2",
        "CONFIG_10",
        "VERSION",
        "A",
        "Step2",
        "Step10",
        "a_b",
        "main",
    ]


@pytest.mark.parametrize("package_name", PACKAGES)
def test_all_is_sorted_without_duplicates(package_name: str) -> None:
    """GIVEN a package WHEN its __all__ is read THEN it is sorted and has no duplicates."""
    _, exported = _exported(package_name)

    assert exported == sorted(exported, key=_ruff_isort_key)
    assert len(set(exported)) == len(exported)


@pytest.mark.parametrize("package_name", PACKAGES)
def test_all_names_exactly_the_public_objects(package_name: str) -> None:
    """GIVEN a package WHEN __all__ and its namespace are compared THEN they match exactly."""
    package, exported = _exported(package_name)

    for name in exported:
        assert hasattr(package, name), f"{package_name}.__all__ names missing {name!r}"
        assert not isinstance(getattr(package, name), types.ModuleType), name
    public = _public_names(package)

    assert not public - set(exported), (
        f"public but not in __all__: {sorted(public - set(exported))}"
    )
    assert not set(exported) - public, (
        f"in __all__ but not public: {sorted(set(exported) - public)}"
    )


@pytest.mark.parametrize("package_name", PACKAGES)
def test_star_import_gives_exactly_all(package_name: str) -> None:
    """GIVEN a package WHEN star-imported THEN exactly the names in __all__ arrive."""
    _, exported = _exported(package_name)
    namespace: dict[str, object] = {}

    exec(f"from {package_name} import *", namespace)

    assert set(namespace) - {"__builtins__"} == set(exported)


def test_lazy_root_type_checking_imports_match_the_homes_table() -> None:
    """GIVEN pipeline_steps' lazy root (types come from a TYPE_CHECKING block)
    WHEN that block's imports are compared with _HOMES, the one list of the public API
    THEN every public name is imported for type checkers from exactly its home module."""
    import ast

    import pipeline_steps

    tree = ast.parse(inspect.getsource(pipeline_steps))
    imported: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                for alias in statement.names:
                    imported[alias.name] = str(statement.module)

    assert imported == pipeline_steps._HOMES
    assert pipeline_steps.__all__ == list(pipeline_steps._HOMES)
