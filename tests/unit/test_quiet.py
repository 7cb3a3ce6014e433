"""``quiet_sdk``: drops exactly the SDK_NOISE rows, only inside the block, and puts back
everything it or the SDK's import changed; the opt-in lets everything through."""

from __future__ import annotations

import io
import logging
import re
import sys
import warnings
from collections.abc import Iterator

import pytest

from pipeline_steps.core.quiet import (
    SDK_LOGS_ENV,
    SDK_NOISE,
    LoggedNoise,
    WarnedNoise,
    quiet_sdk,
    sdk_stdout_to,
    set_sdk_verbosity,
)

V2_NOTICE = (
    "XGBoost is part of the SageMaker Python SDK v2, which is on path of deprecation. "
    "In v3, use `ModelTrainer`."
)
POPPING = "Popping out 'TrainingJobName' from the pipeline definition by default since ..."


@pytest.fixture(autouse=True)
def default_verbosity(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts from the default (quiet, no environment switch) and leaves it."""
    monkeypatch.delenv(SDK_LOGS_ENV, raising=False)
    set_sdk_verbosity(None)
    yield
    set_sdk_verbosity(None)


class Recorder(logging.Handler):
    """Collects the records that reach a logger's handlers."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def utilities_logger() -> Iterator[tuple[logging.Logger, Recorder]]:
    """The SDK logger that says "Popping out ...", with a recorder on it."""
    logger = logging.getLogger("sagemaker.workflow.utilities")
    recorder = Recorder()
    logger.addHandler(recorder)
    yield logger, recorder
    logger.removeHandler(recorder)


def warn_from(module: str, message: str, category: type[Warning]) -> None:
    """Emit a warning attributed to ``module``, as the SDK's own warnings are."""
    warnings.warn_explicit(message, category, f"{module.replace('.', '/')}.py", 1, module=module)


def test_every_row_is_well_formed() -> None:
    """GIVEN the SDK_NOISE table WHEN each row is read THEN its patterns compile, it names
    the SDK major it belongs to and says why it is noise."""
    for row in SDK_NOISE:
        assert row.sdk in ("v2", "v3")
        assert len(row.why) > 20
        re.compile(row.message)
        if isinstance(row, WarnedNoise):
            assert issubclass(row.category, Warning)
            re.compile(row.module)
        else:
            assert isinstance(row, LoggedNoise)
            assert row.logger
            assert row.level in (logging.INFO, logging.WARNING, logging.ERROR)


def test_a_noise_record_is_dropped_inside_and_passes_outside(
    utilities_logger: tuple[logging.Logger, Recorder],
) -> None:
    """GIVEN the "Popping out" warning row
    WHEN it is logged inside and outside quiet_sdk, with another warning inside
    THEN only the one inside is dropped; the unrelated warning passes."""
    logger, recorder = utilities_logger
    with quiet_sdk():
        logger.warning(POPPING)
        logger.warning("a warning nobody listed")
    logger.warning(POPPING)
    assert recorder.messages == ["a warning nobody listed", POPPING]


def test_a_higher_level_record_passes_even_when_its_text_matches(
    utilities_logger: tuple[logging.Logger, Recorder],
) -> None:
    """GIVEN a row for WARNING records WHEN the same text is logged at ERROR THEN it passes."""
    logger, recorder = utilities_logger
    with quiet_sdk():
        logger.error(POPPING)
    assert recorder.messages == [POPPING]


def test_listed_warnings_are_ignored_inside_only() -> None:
    """GIVEN the v2 migration notice (a FutureWarning from a sagemaker module)
    WHEN it is warned inside quiet_sdk, outside it, and from a module not the SDK's
    THEN only the SDK's one inside the block is ignored."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_sdk():
            warn_from("sagemaker.estimator", V2_NOTICE, FutureWarning)
            warn_from("someone.else", V2_NOTICE, FutureWarning)
        warn_from("sagemaker.estimator", V2_NOTICE, FutureWarning)
    assert [(w.filename, str(w.message)) for w in caught] == [
        ("someone/else.py", V2_NOTICE),
        ("sagemaker/estimator.py", V2_NOTICE),
    ]


def test_everything_changed_inside_is_put_back() -> None:
    """GIVEN the state the SDK's import changes (root logger, sys.excepthook) and the
    filters quiet_sdk adds
    WHEN a block changes the first as the SDK's import does, then ends
    THEN the root logger, excepthook, warning filters and logger filters are as before."""
    root = logging.getLogger()
    before = (root.level, list(root.handlers), sys.excepthook, list(warnings.filters))
    logger_filters = {
        row.logger: list(logging.getLogger(row.logger).filters)
        for row in SDK_NOISE
        if isinstance(row, LoggedNoise)
    }
    with quiet_sdk():
        # what logging.basicConfig(level=INFO) in sagemaker.experiments._metrics does
        root.addHandler(logging.StreamHandler(io.StringIO()))
        root.setLevel(logging.INFO)
        sys.excepthook = lambda *args: None  # rich's traceback hook
    assert (root.level, list(root.handlers), sys.excepthook, list(warnings.filters)) == before
    for name, filters in logger_filters.items():
        assert logging.getLogger(name).filters == filters


def test_nested_blocks_keep_filtering_until_the_outermost_ends(
    utilities_logger: tuple[logging.Logger, Recorder],
) -> None:
    """GIVEN nested quiet_sdk blocks (a builder inside the CLI's command)
    WHEN the inner one ends
    THEN noise is still dropped until the outer one ends."""
    logger, recorder = utilities_logger
    with quiet_sdk():
        with quiet_sdk():
            logger.warning(POPPING)
        logger.warning(POPPING)
    logger.warning(POPPING)
    assert recorder.messages == [POPPING]


def test_decorator_form_is_quiet_on_every_call(
    utilities_logger: tuple[logging.Logger, Recorder],
) -> None:
    """GIVEN a function decorated with @quiet_sdk() WHEN called twice THEN both are quiet."""
    logger, recorder = utilities_logger

    @quiet_sdk()
    def build() -> None:
        logger.warning(POPPING)

    build()
    build()
    assert recorder.messages == []


@pytest.mark.parametrize("switch", ["function", "environment"])
def test_the_opt_in_lets_everything_through(
    utilities_logger: tuple[logging.Logger, Recorder],
    monkeypatch: pytest.MonkeyPatch,
    switch: str,
) -> None:
    """GIVEN set_sdk_verbosity(True), or PIPELINE_STEPS_SDK_LOGS=1 read at call time
    WHEN noise is logged and warned inside quiet_sdk
    THEN it all passes; set_sdk_verbosity(False) wins over the environment."""
    logger, recorder = utilities_logger
    if switch == "function":
        set_sdk_verbosity(True)
    else:
        monkeypatch.setenv(SDK_LOGS_ENV, "1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_sdk():
            logger.warning(POPPING)
            warn_from("sagemaker.estimator", V2_NOTICE, FutureWarning)
    assert recorder.messages == [POPPING]
    assert len(caught) == 1

    monkeypatch.setenv(SDK_LOGS_ENV, "1")
    set_sdk_verbosity(False)
    with quiet_sdk():
        logger.warning(POPPING)
    assert recorder.messages == [POPPING]


def test_stdout_loggers_are_moved_to_the_given_stream() -> None:
    """GIVEN the SDK's config logger, which prints to stdout through its own handler
    WHEN a user-facing config line and a noise line are logged inside quiet_sdk and
    sdk_stdout_to(stream)
    THEN the first goes to the stream (not stdout) and the noise goes nowhere."""
    logger = logging.getLogger("sagemaker.config")
    recorder = Recorder()
    logger.addHandler(recorder)
    level = logger.level
    logger.setLevel(logging.INFO)  # as sagemaker.config.config_utils sets it
    stream = io.StringIO()
    try:
        with quiet_sdk(), sdk_stdout_to(stream):
            logger.info("Applied value from config key = SageMaker.TrainingJob.Tags")
            logger.info("Not applying SDK defaults from location: /etc/xdg/sagemaker/config.yaml")
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(level)
    assert recorder.messages == []
    assert stream.getvalue() == (
        "sagemaker.config INFO - Applied value from config key = SageMaker.TrainingJob.Tags\n"
    )
