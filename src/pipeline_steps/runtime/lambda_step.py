"""The prep LambdaStep, run in-process with the bundled handler.

SageMaker sends the rendered ``Arguments`` as the event and reads the declared
``OutputParameters`` from the result. The event goes through a JSON round trip (as on the
wire) and must fit a synchronous Lambda payload; each declared output must be present,
of its declared type and at most 1,024 characters. The event and the response are
written to ``workdir/<step>/local-run/`` for inspection, and the handler's log lines
(its CloudWatch output) to ``handler.log`` there instead of this process's logging.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from lambda_code.hyperparameter_prep import LOGGER_NAME, MAX_OUTPUT_VALUE_CHARS
from pipeline_script_contracts import OutputType
from pipeline_steps.runtime.errors import StepFailedError
from pipeline_steps.runtime.layout import ContainerLayout
from pipeline_steps.runtime.results import StepResult

__all__ = [
    "LOCAL_ACCOUNT",
    "LOCAL_REGION",
    "MAX_PAYLOAD_BYTES",
    "LocalLambdaContext",
    "run_bundled_lambda",
    "wire_payload",
]

MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
"""A synchronous Lambda invocation's request payload limit."""

LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT = "000000000000"
"""The region and account a local run reports where the definition names none."""


class LocalLambdaContext:
    """The parts of the Lambda context object a handler commonly reads."""

    def __init__(
        self,
        function_name: str,
        memory_limit_in_mb: int = 128,
        timeout_s: int = 600,
        *,
        function_arn: str | None = None,
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = str(uuid.uuid4())
        local_arn = f"arn:aws:lambda:{LOCAL_REGION}:{LOCAL_ACCOUNT}:function:{function_name}"
        self.invoked_function_arn = function_arn or local_arn
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's timeout."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@contextlib.contextmanager
def _handler_log(path: Path) -> Iterator[None]:
    """Send the handler's log records to ``path`` only, as Lambda sends them to CloudWatch."""
    logger = logging.getLogger(LOGGER_NAME)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    saved = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.propagate = saved[0]
        logger.setLevel(saved[1])  # not `.level =`: setLevel clears isEnabledFor's cache


def wire_payload(step_name: str, event: Mapping[str, Any]) -> str:
    """The event as JSON text, as it travels to Lambda; refused if Lambda would refuse it.

    A value JSON cannot carry (an integer beyond Python's digit limit, NaN) or a payload
    over the synchronous invocation limit is a ``StepFailedError`` naming the step.
    """
    try:
        payload = json.dumps(dict(event), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise _fail(step_name, f"the event cannot be sent as JSON: {error}") from None
    size = len(payload.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise _fail(
            step_name, f"the event is {size:,} bytes; Lambda accepts at most {MAX_PAYLOAD_BYTES:,}"
        )
    return payload


def _fail(step_name: str, message: str) -> StepFailedError:
    return StepFailedError(f"step {step_name!r} (Lambda): {message}", step_name=step_name)


def run_bundled_lambda(
    *,
    step_name: str,
    arguments: Mapping[str, Any],
    output_parameters: Sequence[Mapping[str, Any]],
    function_arn: str,
    contract_name: str,
    layout: ContainerLayout,
    s3: Any,
) -> StepResult:
    """Invoke the bundled hyperparameter-prep handler on the rendered ``arguments``."""
    from lambda_code import hyperparameter_prep

    payload = wire_payload(step_name, arguments)
    (layout.runner_dir / "event.json").write_text(payload, encoding="utf-8")
    started = time.perf_counter()
    try:
        with _handler_log(layout.runner_dir / "handler.log"):
            response = hyperparameter_prep.lambda_handler(
                json.loads(payload),
                LocalLambdaContext(
                    function_arn.rsplit(":", 1)[-1] or "local-function", function_arn=function_arn
                ),
                s3_client=s3,
            )
    except Exception as error:
        raise _fail(step_name, f"the handler raised {type(error).__name__}: {error}") from error
    seconds = time.perf_counter() - started
    (layout.runner_dir / "response.json").write_text(
        json.dumps(response, indent=2, sort_keys=True, default=str), encoding="utf-8"
    )
    outputs: dict[str, Any] = {}
    for declared in output_parameters:
        name, kind = str(declared["OutputName"]), str(declared.get("OutputType", "String"))
        if name not in response:
            raise _fail(
                step_name,
                f"the handler returned no {name!r}; it returned {', '.join(sorted(response))}",
            )
        value = response[name]
        if not OutputType(kind).accepts(value):
            raise _fail(
                step_name,
                f"output {name!r} is declared {kind} but the handler returned {value!r} "
                f"({type(value).__name__})",
            )
        if len(str(value)) > MAX_OUTPUT_VALUE_CHARS:
            raise _fail(
                step_name,
                f"output {name!r} is {len(str(value))} characters; LambdaStep outputs hold at "
                f"most {MAX_OUTPUT_VALUE_CHARS}",
            )
        outputs[name] = value
    return StepResult(
        name=step_name,
        step_type="Lambda",
        outputs=outputs,
        properties={"OutputParameters": outputs, "FunctionArn": function_arn},
        seconds=seconds,
        phases={"invoke": seconds},
        local_dir=layout.root,
        contract=contract_name,
        entry_point="lambda_code.hyperparameter_prep.lambda_handler (in-process)",
    )
