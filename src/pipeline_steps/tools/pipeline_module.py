"""Load a user's pipeline module for ``pipeline-steps run --local``, and get its Pipeline.

The convention (also in ``run --help`` and the README):

- The target is a Python file (``path/to/pipeline.py``) or an importable module
  (``pipelines.abalone.pipeline``, imported with the current folder on ``sys.path``, as
  ``python -m`` does). A file's own folder is on ``sys.path`` while it runs, so it can
  import its neighbours.
- The module provides the pipeline as ``--call NAME``, or else as exactly one of
  ``FACTORY_NAMES``: ``get_pipeline`` (the SageMaker project templates' name),
  ``build_pipeline``, ``create_pipeline`` (functions), or a module-level ``pipeline``
  (a ``Pipeline`` built at import time). A function is called with keyword arguments
  for the parameters it declares, by name (``INJECTED``): ``session`` (a
  ``PipelineSession`` on the mock or endpoint), ``boto_session``, ``role``/``role_arn``,
  ``bucket``/``default_bucket``, ``region``, ``scripts_dir``/``source_dir``, plus
  ``--kwargs``; a required parameter none of these fills is an error naming it.

Everything that goes wrong here is a ``PipelineModuleError`` with one line (the CLI exits
2): no such file or module, an import that fails, no or several candidates, a required
parameter nothing fills, a function that raises or returns something else than a Pipeline.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "FACTORY_NAMES",
    "INJECTED",
    "Injectables",
    "PipelineModuleError",
    "imported",
    "load_pipeline",
]

FACTORY_NAMES = ("get_pipeline", "build_pipeline", "create_pipeline", "pipeline")
"""What ``run --local`` looks for when ``--call`` is not given (exactly one must exist)."""

INJECTED: Mapping[str, str] = {
    "session": "session",
    "sagemaker_session": "session",
    "pipeline_session": "session",
    "boto_session": "boto_session",
    "role": "role_arn",
    "role_arn": "role_arn",
    "lambda_role_arn": "role_arn",
    "bucket": "bucket",
    "default_bucket": "bucket",
    "region": "region",
    "region_name": "region",
    "scripts_dir": "scripts_dir",
    "source_dir": "scripts_dir",
}
"""Parameter name of the pipeline function -> the ``Injectables`` field it receives."""

_FILE_MODULE_PREFIX = "_pipeline_steps_run_"


class PipelineModuleError(Exception):
    """The module, its pipeline function or what it returned cannot be used (one line)."""


@dataclass(frozen=True)
class Injectables:
    """What a pipeline function may ask for by parameter name."""

    session: Any
    boto_session: Any
    role_arn: str
    bucket: str
    region: str
    scripts_dir: str


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _is_file_target(target: str) -> bool:
    return target.endswith(".py") or os.sep in target or "/" in target or Path(target).is_file()


@contextlib.contextmanager
def imported(target: str) -> Iterator[ModuleType]:
    """Import ``target`` (a file or a module name); undo ``sys.path`` and its modules after.

    The folder put on ``sys.path`` (the file's, or the current one for a module name)
    stays there for the block, so the pipeline function can import lazily; modules
    loaded from that folder are forgotten afterwards, so a second run reads them again.
    """
    path = Path(target) if _is_file_target(target) else None
    if path is not None and not path.is_file():
        raise PipelineModuleError(f"no pipeline file {target!r}")
    folder = path.resolve().parent if path is not None else Path.cwd().resolve()
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    sys.path.insert(0, str(folder))
    try:
        yield _import_file(path) if path is not None else _import_name(target)
    finally:
        sys.path[:] = saved_path
        for name in set(sys.modules) - saved_modules:
            if _loaded_from(folder, name, sys.modules.get(name)):
                sys.modules.pop(name, None)


def _loaded_from(folder: Path, name: str, module: Any) -> bool:
    """Whether ``module`` came from ``folder`` as a top-level module or package there."""
    if name.startswith(_FILE_MODULE_PREFIX):
        return True
    location = getattr(module, "__file__", None)
    if not location:
        return False
    try:
        first = Path(location).resolve().relative_to(folder).parts[0]
    except (ValueError, IndexError):
        return False
    top = name.split(".", 1)[0]
    return first in (top, f"{top}.py")


def _import_file(path: Path) -> ModuleType:
    name = f"{_FILE_MODULE_PREFIX}{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PipelineModuleError(f"cannot import {str(path)!r}: not a Python source file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pydantic look their module up by name
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise PipelineModuleError(f"cannot import {str(path)!r}: {_one_line(error)}") from None
    return module


def _import_name(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and (name == error.name or name.startswith(error.name + ".")):
            raise PipelineModuleError(
                f"no pipeline file or module {name!r} (a module is imported with the current "
                "folder on sys.path; give a file as path/to/file.py)"
            ) from None
        raise PipelineModuleError(f"cannot import {name!r}: {_one_line(error)}") from None
    except Exception as error:
        raise PipelineModuleError(f"cannot import {name!r}: {_one_line(error)}") from None


def _is_pipeline(value: Any) -> bool:
    return callable(getattr(value, "definition", None)) and hasattr(value, "steps")


def _candidate(module: ModuleType, call: str | None, target: str) -> tuple[str, Any]:
    if call is not None:
        if not hasattr(module, call):
            raise PipelineModuleError(f"{target} has no {call!r} (--call)")
        return call, getattr(module, call)
    found = [name for name in FACTORY_NAMES if name in vars(module)]
    if not found:
        raise PipelineModuleError(
            f"{target} defines none of {', '.join(n + '()' for n in FACTORY_NAMES[:-1])} or a "
            "module-level pipeline; name the function with --call"
        )
    if len(found) > 1:
        raise PipelineModuleError(
            f"{target} defines {' and '.join(found)}; choose one with --call {found[0]}"
        )
    return found[0], getattr(module, found[0])


def _arguments(
    function: Callable[..., Any], name: str, given: Injectables, kwargs: Mapping[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return [], dict(kwargs)
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    missing: list[str] = []
    takes_any = False
    unused = dict(kwargs)
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            takes_any = True
            continue
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        if parameter.name in unused:
            value = unused.pop(parameter.name)
        elif parameter.name in INJECTED:
            value = getattr(given, INJECTED[parameter.name])
        elif parameter.default is inspect.Parameter.empty:
            missing.append(parameter.name)
            continue
        else:
            continue
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            if len(positional) != list(signature.parameters).index(parameter.name):
                raise PipelineModuleError(
                    f"{name}() takes {parameter.name!r} by position after a parameter "
                    "run --local cannot fill; give it a keyword parameter"
                )
            positional.append(value)
        else:
            keywords[parameter.name] = value
    if missing:
        raise PipelineModuleError(
            f"{name}() needs {', '.join(missing)}, which run --local does not provide; it "
            f"fills parameters named {', '.join(INJECTED)}, and --kwargs gives others"
        )
    if unused and not takes_any:
        raise PipelineModuleError(f"{name}() takes no parameter {', '.join(sorted(unused))}")
    if takes_any:
        keywords.update(unused)
    return positional, keywords


def load_pipeline(
    module: ModuleType,
    target: str,
    *,
    call: str | None,
    given: Injectables,
    kwargs: Mapping[str, Any],
) -> Any:
    """The module's Pipeline: its object, or what its pipeline function returns."""
    name, candidate = _candidate(module, call, target)
    if _is_pipeline(candidate):
        if kwargs:
            raise PipelineModuleError(f"{target}'s {name} is a Pipeline: --kwargs has no use")
        return candidate
    if not callable(candidate):
        raise PipelineModuleError(
            f"{target}'s {name} is a {type(candidate).__name__}, not a Pipeline or a function "
            "returning one"
        )
    positional, keywords = _arguments(candidate, name, given, kwargs)
    try:
        pipeline = candidate(*positional, **keywords)
    except Exception as error:
        raise PipelineModuleError(f"{name}() raised {_one_line(error)}") from None
    if not _is_pipeline(pipeline):
        raise PipelineModuleError(f"{name}() returned {type(pipeline).__name__}, not a Pipeline")
    return pipeline
