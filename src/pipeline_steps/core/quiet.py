"""Keep the SageMaker SDK's notices out of the user's notebook or terminal during OUR calls.

Building a step makes the SDK print a migration banner, image-lookup INFO lines, the
telemetry notice and more, none of which the user can act on (they come from calls
the library makes on the user's behalf). ``SDK_NOISE`` lists every such message as
data; ``quiet_sdk()`` drops exactly those, only while the library's own code runs:

* every builder's ``create_step``, the lazily made ``PipelineSession``, the import of
  the SDK in ``pipeline_steps.sdk``, and the rendering of our steps inside
  ``Pipeline.definition()`` (``pipeline_steps.core.sdk_steps``) run inside it;
* on leaving, log filters are removed and warning filters, the root logger's level
  and handlers and ``sys.excepthook`` are put back as they were, so what the SDK's
  import does to them globally (``logging.basicConfig(level=INFO)`` in
  ``sagemaker.experiments._metrics``, rich's traceback hook in
  ``sagemaker_core.main.utils``) does not outlive our call. Nothing else is changed:
  no environment variable, no logger level, nothing the user configured.

To see the SDK's messages anyway, call ``pipeline_steps.set_sdk_verbosity(True)`` or
set ``PIPELINE_STEPS_SDK_LOGS=1`` (read on every call; an explicit
``set_sdk_verbosity`` wins). Logging and warning filters are process-wide: a message
another thread logs while our call runs is filtered the same way.

A new SDK major adds its rows to ``SDK_NOISE`` (``sdk="v3"``); nothing else changes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SDK_LOGS_ENV",
    "SDK_NOISE",
    "SDK_STDOUT_LOGGERS",
    "LoggedNoise",
    "WarnedNoise",
    "quiet_sdk",
    "sdk_logs_visible",
    "sdk_stdout_to",
    "set_sdk_verbosity",
]

SDK_LOGS_ENV = "PIPELINE_STEPS_SDK_LOGS"
"""Set to 1 (or true/yes/on) to let the SDK's messages through during the library's calls."""


@dataclass(frozen=True)
class LoggedNoise:
    """A message the SDK (or boto) logs through ``logging``.

    Records of ``logger`` at ``level`` or below whose text matches ``message``
    (``re.search``) are dropped; a record at a higher level always passes.
    """

    sdk: str
    logger: str
    level: int
    message: str
    why: str


@dataclass(frozen=True)
class WarnedNoise:
    """A message the SDK emits through ``warnings.warn``.

    Ignored when its category is ``category`` (or a subclass), its text matches
    ``message`` from the start (as ``warnings.filterwarnings`` matches, ignoring case)
    and it is attributed to a module matching ``module``.
    """

    sdk: str
    category: type[Warning]
    message: str
    module: str
    why: str


_V2_NOTICE = r".*SageMaker Python SDK v2, which is on path of deprecation"

SDK_NOISE: tuple[LoggedNoise | WarnedNoise, ...] = (
    WarnedNoise(
        "v2",
        FutureWarning,
        _V2_NOTICE,
        r"sagemaker(\.|$)",
        "sagemaker.deprecations.warn_v2_deprecation (a SageMakerV2DeprecationWarning, a "
        "FutureWarning): on import and for XGBoost, PyTorch, XGBoostProcessor and Pipeline. "
        "Moving to v3 is the adapter's job (pipeline_steps.sdk), not the user's.",
    ),
    LoggedNoise(
        "v2",
        "sagemaker.deprecations",
        logging.WARNING,
        _V2_NOTICE,
        "The same v2 notice, logged as well as warned.",
    ),
    WarnedNoise(
        "v2",
        UserWarning,
        r"Running within a PipelineSession",
        r"sagemaker\.workflow\.pipeline_context",
        "Every fit()/run() under a PipelineSession: 'No Wait, No Logs, and No Job being "
        "started' is what building a pipeline means.",
    ),
    LoggedNoise(
        "v2",
        "sagemaker.config",
        logging.INFO,
        r"^(Not applying SDK defaults|Fetched defaults config) from location",
        "Each SDK defaults file looked for, printed to stdout when the SDK makes a session "
        "(it makes one on import). 'Applied value from config key' lines stay: they say a "
        "user's setting changed a step.",
    ),
    LoggedNoise(
        "v2",
        "sagemaker.config",
        logging.INFO,
        r"^Applied value(\(s\))? from config key = SageMaker\.PythonSDK\.Modules\.TelemetryOptOut$",
        "The telemetry switch, read before every telemetry-wrapped call (estimator.fit) "
        "when the user's SDK config sets it.",
    ),
    LoggedNoise(
        "v2",
        "botocore.credentials",
        logging.INFO,
        r"^Found credentials (in|from) ",
        "boto3 naming where it found credentials, once per session the SDK makes.",
    ),
    LoggedNoise(
        "v2",
        "sagemaker.image_uris",
        logging.INFO,
        r"",
        "How the container image was picked ('Ignoring unnecessary Python version', "
        "'Ignoring unnecessary instance type', 'image_uri is not presented').",
    ),
    LoggedNoise(
        "v2",
        "sagemaker.processing",
        logging.INFO,
        r"^(Uploaded .* to s3://|runproc\.sh uploaded to s3://)",
        "The processing step's code upload while definition() renders it.",
    ),
    LoggedNoise(
        "v2",
        "sagemaker.workflow.utilities",
        logging.WARNING,
        r"^Popping out '\w+' from the pipeline definition",
        "Job names are left out of a definition because SageMaker names each execution's "
        "jobs; expected, not actionable.",
    ),
    LoggedNoise(
        "v2",
        "sagemaker.telemetry.telemetry_logging",
        logging.INFO,
        r"^SageMaker Python SDK will collect telemetry",
        "The telemetry notice before every estimator.fit(); the opt-out is the SDK's "
        "TelemetryOptOut setting (the CLI sends none: pipeline_steps.sdk.sdk_telemetry_off).",
    ),
    LoggedNoise(
        "v2",
        "sagemaker.telemetry.telemetry_logging",
        logging.ERROR,
        r"^(Request exception|Region not found in supported regions)",
        "A telemetry GET that failed (offline, proxy) or was skipped: never the user's request.",
    ),
    WarnedNoise(
        "v3",
        UserWarning,
        r"Running within a PipelineSession",
        r"sagemaker\.core\.workflow\.pipeline_context",
        "v3's form of the v2 notice above, on every ModelTrainer.train()/Processor.run().",
    ),
    WarnedNoise(
        "v3",
        DeprecationWarning,
        r".*(has been moved|is deprecated)",
        r"sagemaker(\.|$)",
        "v3's own modules importing its moved modules (sagemaker.train.configs, serve's "
        "serializers) while the adapter imports the SDK: nothing the user wrote.",
    ),
    LoggedNoise(
        "v3",
        "sagemaker.core.image_uris",
        logging.INFO,
        r"",
        "v3's image_uris, as sagemaker.image_uris on v2.",
    ),
    LoggedNoise(
        "v3",
        "sagemaker.core.utils.utils",
        logging.INFO,
        r"^Training image URI: ",
        "ModelTrainer naming the image the builder chose (it is in the definition).",
    ),
    LoggedNoise(
        "v3",
        "sagemaker.core.helper.iam_role_resolver",
        logging.INFO,
        r"^Skipping IAM role validation",
        "ModelTrainer saying SAGEMAKER_VALIDATE_ROLE=false turned its IAM check off.",
    ),
    LoggedNoise(
        "v3",
        "sagemaker.core.workflow.utilities",
        logging.WARNING,
        r"^Popping out '\w+' from the pipeline definition",
        "v3's form of the job-name note above.",
    ),
    LoggedNoise(
        "v3",
        "sagemaker.core.telemetry.telemetry_logging",
        logging.INFO,
        r"^SageMaker Python SDK will collect telemetry",
        "v3's telemetry notice before every ModelTrainer.train().",
    ),
    LoggedNoise(
        "v3",
        "sagemaker.core.telemetry.telemetry_logging",
        logging.ERROR,
        r"^(Request exception|Region not found in supported regions)",
        "A v3 telemetry GET that failed or was skipped: never the user's request.",
    ),
)
"""Every SDK message the library's calls trigger that the user cannot act on."""

SDK_STDOUT_LOGGERS: tuple[tuple[str, str], ...] = (("v2", "sagemaker.config"),)
"""``(sdk, logger)``: loggers the SDK gives their own handler on ``sys.stdout``
(``sagemaker.config.config_utils.get_sagemaker_config_logger``): a command whose stdout
is data moves their records elsewhere with ``sdk_stdout_to``."""


@dataclass
class _Saved:
    """The filters the outermost ``quiet_sdk`` added, and the warning filters before them."""

    warnings: Any
    filters: list[tuple[logging.Logger, _NoiseFilter]]


@dataclass
class _Globals:
    """Process-wide state the SDK's import changes; every ``quiet_sdk`` puts it back."""

    root_level: int
    root_handlers: list[logging.Handler]
    excepthook: Any

    @classmethod
    def now(cls) -> _Globals:
        root = logging.getLogger()
        return cls(root.level, list(root.handlers), sys.excepthook)

    def restore(self) -> None:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h not in self.root_handlers]:
            root.removeHandler(handler)
        for handler in [h for h in self.root_handlers if h not in root.handlers]:
            root.addHandler(handler)
        if root.level != self.root_level:
            root.setLevel(self.root_level)
        if sys.excepthook is not self.excepthook:
            sys.excepthook = self.excepthook


class _State:
    """The process's switch and the outermost ``quiet_sdk``'s saved state."""

    def __init__(self) -> None:
        self.verbose: bool | None = None
        self.lock = threading.Lock()
        self.depth = 0
        self.saved: _Saved | None = None


_STATE = _State()


def set_sdk_verbosity(verbose: bool | None) -> None:
    """Show (True) or hide (False) the SDK's notices during the library's calls.

    ``None`` (the start) defers to the ``PIPELINE_STEPS_SDK_LOGS`` environment variable.
    """
    _STATE.verbose = verbose


def sdk_logs_visible() -> bool:
    """Whether the SDK's notices pass through the library's calls right now."""
    if _STATE.verbose is not None:
        return _STATE.verbose
    return os.environ.get(SDK_LOGS_ENV, "").strip().lower() in ("1", "true", "yes", "on")


class _NoiseFilter(logging.Filter):
    """Drops one logger's records that match its rows of ``SDK_NOISE``."""

    def __init__(self, rows: list[LoggedNoise]) -> None:
        super().__init__()
        self.rows = [(row.level, re.compile(row.message)) for row in rows]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a malformed record is not ours to drop
            return True
        return not any(
            record.levelno <= level and pattern.search(text) for level, pattern in self.rows
        )


def _apply() -> _Saved:
    caught = warnings.catch_warnings()
    caught.__enter__()
    for row in SDK_NOISE:
        if isinstance(row, WarnedNoise):
            warnings.filterwarnings(
                "ignore", message=row.message, category=row.category, module=row.module
            )
    by_logger: dict[str, list[LoggedNoise]] = {}
    for row in SDK_NOISE:
        if isinstance(row, LoggedNoise):
            by_logger.setdefault(row.logger, []).append(row)
    filters = []
    for name, rows in by_logger.items():
        logger = logging.getLogger(name)
        noise_filter = _NoiseFilter(rows)
        logger.addFilter(noise_filter)
        filters.append((logger, noise_filter))
    return _Saved(caught, filters)


def _restore(saved: _Saved) -> None:
    for logger, noise_filter in saved.filters:
        logger.removeFilter(noise_filter)
    saved.warnings.__exit__(None, None, None)


@contextlib.contextmanager
def quiet_sdk() -> Iterator[None]:
    """Drop ``SDK_NOISE`` while the block runs; a no-op when ``sdk_logs_visible()``.

    Also a decorator (``@quiet_sdk()``). Nested and concurrent uses share one set of
    filters, put back when the last one ends; each use puts the root logger and
    ``sys.excepthook`` back as it found them.
    """
    if sdk_logs_visible():
        yield
        return
    found = _Globals.now()
    with _STATE.lock:
        _STATE.depth += 1
        if _STATE.depth == 1:
            _STATE.saved = _apply()
    try:
        yield
    finally:
        with _STATE.lock:
            _STATE.depth -= 1
            saved = _STATE.saved
            if _STATE.depth == 0 and saved is not None:
                _STATE.saved = None
                _restore(saved)
            found.restore()


class _Redirect(logging.Filter):
    """Writes a record to another stream instead of the logger's own handlers."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self.stream = stream

    def filter(self, record: logging.LogRecord) -> bool:
        self.stream.write(f"{record.name} {record.levelname} - {record.getMessage()}\n")
        return False


@contextlib.contextmanager
def sdk_stdout_to(stream: Any) -> Iterator[None]:
    """Send what ``SDK_STDOUT_LOGGERS`` print to ``stream`` (e.g. stderr) for the block.

    Records ``quiet_sdk`` drops stay dropped: enter ``quiet_sdk`` first.
    """
    redirects = [(logging.getLogger(name), _Redirect(stream)) for _, name in SDK_STDOUT_LOGGERS]
    for logger, redirect in redirects:
        logger.addFilter(redirect)
    try:
        yield
    finally:
        for logger, redirect in redirects:
            logger.removeFilter(redirect)
