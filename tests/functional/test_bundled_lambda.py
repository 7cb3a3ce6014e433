"""BundledLambda against moto: one read and no write for an unchanged function.

Lambda API calls are counted with botocore event hooks (``provide-client-params``
sees each attempt with its API parameters). The same hooks inject service errors
(``before-call`` may answer instead of the service) and rewrite responses
(``after-call``) where moto cannot produce the state under test, e.g. an update
still ``InProgress`` or an ``AccessDeniedException``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.exceptions import ClientError
from moto import mock_aws

import lambda_code
from pipeline_steps.deployment.errors import (
    BundledLambdaDeploymentError,
    BundledLambdaPermissionError,
    BundledLambdaValidationError,
)
from pipeline_steps.deployment.plan import RetryPolicy
from pipeline_steps.deployment.reconciler import BundledLambda
from pipeline_steps.deployment.rules import DEFAULT_RUNTIME, DEPRECATED_RUNTIMES, SUPPORTED_RUNTIMES

REGION = "us-east-1"
FUNCTION_NAME = "sagemaker-hyperparameter-prep"
HANDLER_SOURCE = 'def lambda_handler(event, context):\n    return {"ok": True}\n'
WRITE_OPERATIONS = frozenset(
    {
        "CreateFunction",
        "UpdateFunctionCode",
        "UpdateFunctionConfiguration",
        "TagResource",
        "UntagResource",
        "DeleteFunction",
    }
)
# No telemetry request from Pipeline.upsert() (it would be refused by the socket guard).
SAGEMAKER_CONFIG = {
    "SchemaVersion": "1.0",
    "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}},
}


# ------------------------------------------------------------------ test doubles


@dataclass
class LambdaCalls:
    """Records Lambda API calls on a botocore event emitter; can fail or rewrite some."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _failures: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    _rewrites: dict[str, list[Callable[[dict[str, Any]], None]]] = field(default_factory=dict)

    def attach(self, events: Any) -> LambdaCalls:
        events.register("provide-client-params.lambda", self._record)
        events.register("before-call.lambda", self._maybe_fail)
        events.register("after-call.lambda", self._maybe_rewrite)
        return self

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, dict(params)))

    def _maybe_fail(self, model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        queue = self._failures.get(model.name)
        if not queue:
            return None
        code, message, status = queue.pop(0)
        parsed = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        return AWSResponse("", status, HTTPHeaders(), None), parsed

    def _maybe_rewrite(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        queue = self._rewrites.get(model.name)
        if queue and "Error" not in parsed:
            queue.pop(0)(parsed)

    # -- arranging
    def fail(
        self, operation: str, code: str, message: str = "", *, times: int = 1, status: int = 409
    ) -> None:
        self._failures.setdefault(operation, []).extend([(code, message, status)] * times)

    def rewrite(
        self, operation: str, change: Callable[[dict[str, Any]], None], *, times: int = 1
    ) -> None:
        self._rewrites.setdefault(operation, []).extend([change] * times)

    # -- asserting
    def reset(self) -> None:
        self.calls.clear()

    @property
    def operations(self) -> list[str]:
        return [name for name, _ in self.calls]

    @property
    def writes(self) -> list[str]:
        return [name for name in self.operations if name in WRITE_OPERATIONS]

    def params(self, operation: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == operation]


@dataclass
class FakeSleep:
    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def _set_config(**values: Any) -> Callable[[dict[str, Any]], None]:
    """A response rewrite for operations that return a FunctionConfiguration."""

    def change(parsed: dict[str, Any]) -> None:
        parsed.update(values)

    return change


def _set_get_function_config(**values: Any) -> Callable[[dict[str, Any]], None]:
    def change(parsed: dict[str, Any]) -> None:
        parsed["Configuration"].update(values)

    return change


# -------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sdk_session() -> Any:
    """A SageMaker Session for the parent class; unused when a Lambda client is injected.

    Made once because building one takes a few tenths of a second; it makes no call.
    """
    from pipeline_steps.sdk import Session

    return Session(
        boto_session=boto3.Session(region_name=REGION), sagemaker_config=SAGEMAKER_CONFIG
    )


@pytest.fixture
def boto_session() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name=REGION)


@pytest.fixture
def role_arn(boto_session: boto3.Session) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = boto_session.client("iam").create_role(
        RoleName="sagemaker-hyperparameter-prep-lambda",
        AssumeRolePolicyDocument=json.dumps(trust),
    )
    return role["Role"]["Arn"]


@pytest.fixture
def lambda_client(boto_session: boto3.Session) -> Any:
    return boto_session.client("lambda")


@pytest.fixture
def recorder(lambda_client: Any) -> LambdaCalls:
    return LambdaCalls().attach(lambda_client.meta.events)


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def handler_script(tmp_path: Path) -> Path:
    """A stand-in for the bundled handler (the zip logic does not depend on its content)."""
    script = tmp_path / "v1" / "hyperparameter_prep.py"
    script.parent.mkdir()
    script.write_text(HANDLER_SOURCE)
    return script


@pytest.fixture
def make_lambda(
    role_arn: str, lambda_client: Any, sleep: FakeSleep, handler_script: Path, sdk_session: Any
) -> Callable[..., BundledLambda]:
    def make(**overrides: Any) -> BundledLambda:
        kwargs: dict[str, Any] = {
            "script": handler_script,
            "session": sdk_session,
            "lambda_client": lambda_client,
            "sleep": sleep,
        }
        kwargs.update(overrides)
        name = kwargs.pop("function_name", FUNCTION_NAME)
        role = kwargs.pop("execution_role_arn", role_arn)
        return BundledLambda(name, role, **kwargs)

    return make


@pytest.fixture
def deployed(make_lambda: Callable[..., BundledLambda], recorder: LambdaCalls) -> BundledLambda:
    """A function created by a first upsert; the recorder is then cleared."""
    bundled = make_lambda()
    bundled.upsert()
    recorder.reset()
    return bundled


def _changed_script(tmp_path: Path) -> Path:
    script = tmp_path / "v2" / "hyperparameter_prep.py"
    script.parent.mkdir()
    script.write_text(HANDLER_SOURCE + "# version 2\n")
    return script


# ------------------------------------------------------------------ create path


def test_first_upsert_creates_function_with_architecture_and_json_logging(
    make_lambda: Callable[..., BundledLambda], recorder: LambdaCalls, lambda_client: Any
) -> None:
    # GIVEN no function yet
    bundled = make_lambda(tags={"project": "hp-prep"}, description="hyperparameter prep")
    # WHEN upsert() runs
    result = bundled.upsert()
    # THEN it reads once, creates once, and returns the configuration like the SDK
    assert recorder.operations == ["GetFunction", "CreateFunction"]
    assert result["FunctionArn"].endswith(f":function:{FUNCTION_NAME}")
    (request,) = recorder.params("CreateFunction")
    assert request["Architectures"] == ["arm64"]
    assert request["LoggingConfig"] == {"LogFormat": "JSON"}
    assert request["PackageType"] == "Zip"
    assert request["Tags"] == {"project": "hp-prep"}
    assert request["Code"] == {"ZipFile": bundled.zip_bytes()}
    # AND the deployed function has our settings and our CodeSha256
    config = lambda_client.get_function_configuration(FunctionName=FUNCTION_NAME)
    assert config["Architectures"] == ["arm64"]
    assert config["Runtime"] == DEFAULT_RUNTIME
    assert config["Handler"] == "hyperparameter_prep.lambda_handler"
    assert (config["Timeout"], config["MemorySize"]) == (60, 256)
    assert config["Description"] == "hyperparameter prep"
    assert config["State"] == "Active"
    assert config["CodeSha256"] == bundled.code_sha256
    # moto 5.2 does not store LoggingConfig, so it is checked on the request above.
    assert lambda_client.get_function(FunctionName=FUNCTION_NAME)["Tags"] == {"project": "hp-prep"}


def test_create_waits_until_pending_function_is_active(
    make_lambda: Callable[..., BundledLambda], recorder: LambdaCalls, sleep: FakeSleep
) -> None:
    # GIVEN Lambda reports the new function Pending for two polls (as AWS does)
    recorder.rewrite("CreateFunction", _set_config(State="Pending"))
    recorder.rewrite("GetFunctionConfiguration", _set_config(State="Pending"), times=2)
    # WHEN upsert() creates it
    result = make_lambda().upsert()
    # THEN it polls until Active, sleeping the poll interval each time
    assert (
        recorder.operations == ["GetFunction", "CreateFunction"] + ["GetFunctionConfiguration"] * 3
    )
    assert sleep.delays == [1.0, 1.0, 1.0]
    assert result["State"] == "Active"


def test_create_refuses_existing_function(deployed: BundledLambda) -> None:
    # GIVEN a deployed function
    # WHEN create() is called again
    # THEN it says the function exists and what to use instead
    with pytest.raises(BundledLambdaDeploymentError, match=r"already exists; use upsert\(\)"):
        deployed.create()


def test_function_created_concurrently_is_reconciled(
    deployed: BundledLambda, recorder: LambdaCalls
) -> None:
    # GIVEN GetFunction misses a function someone else creates at the same moment
    recorder.fail("GetFunction", "ResourceNotFoundException", "Function not found", status=404)
    # WHEN upsert() runs
    result = deployed.upsert()
    # THEN CreateFunction's conflict leads to a reconcile (no retry of the create)
    assert recorder.operations == ["GetFunction", "CreateFunction", "GetFunction"]
    assert recorder.writes == ["CreateFunction"]
    assert result["FunctionName"] == FUNCTION_NAME


# ------------------------------------------------------------------ idempotence


def test_unchanged_function_costs_one_read_and_no_write(
    deployed: BundledLambda, make_lambda: Callable[..., BundledLambda], recorder: LambdaCalls
) -> None:
    # GIVEN a deployed function
    # WHEN upsert() runs again, on the same object and on a fresh one (a new process)
    first = deployed.upsert()
    second = make_lambda().upsert()
    # THEN each costs exactly one GetFunction
    assert recorder.operations == ["GetFunction", "GetFunction"]
    assert first["FunctionArn"] == second["FunctionArn"]


def test_update_reconciles_existing_function_like_upsert(
    deployed: BundledLambda, recorder: LambdaCalls
) -> None:
    # GIVEN a deployed, unchanged function
    # WHEN update() is called (LambdaStep does so when function_arn is set)
    result = deployed.update()
    # THEN it reads once and writes nothing
    assert recorder.operations == ["GetFunction"]
    assert result["FunctionName"] == FUNCTION_NAME


def test_update_of_missing_function_says_to_upsert(
    make_lambda: Callable[..., BundledLambda], recorder: LambdaCalls
) -> None:
    # GIVEN no function
    # WHEN update() is called
    # THEN it refuses, pointing at upsert(), and creates nothing
    with pytest.raises(BundledLambdaDeploymentError, match=r"does not exist.*upsert\(\)"):
        make_lambda().update()
    assert recorder.writes == []


def test_plan_lists_changes_without_writing(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    tmp_path: Path,
) -> None:
    # GIVEN objects matching and differing from the deployed function
    same = make_lambda()
    changed = make_lambda(script=_changed_script(tmp_path), timeout=120)
    # WHEN their plans are computed
    # THEN the differences are listed, one read each, and nothing is written
    assert same.plan().action == "none"
    plan = changed.plan()
    assert plan.action == "update"
    assert plan.update_code
    assert plan.code_reasons == ("CodeSha256",)
    assert dict(plan.configuration_changes) == {"Timeout": 120}
    assert recorder.operations == ["GetFunction", "GetFunction"]


def test_plan_for_missing_function_is_create(make_lambda: Callable[..., BundledLambda]) -> None:
    assert make_lambda().plan().action == "create"


# ------------------------------------------------------------------ update path


def test_new_timeout_updates_configuration_only(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    lambda_client: Any,
) -> None:
    # GIVEN a deployed function
    # WHEN it is upserted with a new timeout
    make_lambda(timeout=300).upsert()
    # THEN only the timeout is sent, through UpdateFunctionConfiguration
    assert recorder.operations == ["GetFunction", "UpdateFunctionConfiguration"]
    (request,) = recorder.params("UpdateFunctionConfiguration")
    assert request == {"FunctionName": FUNCTION_NAME, "Timeout": 300}
    assert lambda_client.get_function_configuration(FunctionName=FUNCTION_NAME)["Timeout"] == 300
    # AND the next upsert with that timeout writes nothing
    recorder.reset()
    make_lambda(timeout=300).upsert()
    assert recorder.operations == ["GetFunction"]


def test_changed_handler_updates_code_only(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    lambda_client: Any,
    tmp_path: Path,
) -> None:
    # GIVEN a deployed function and a modified handler file
    changed = make_lambda(script=_changed_script(tmp_path))
    assert changed.code_sha256 != deployed.code_sha256
    # WHEN the modified handler is upserted
    changed.upsert()
    # THEN the code (with its architecture) is updated and nothing else
    assert recorder.operations == ["GetFunction", "UpdateFunctionCode"]
    (request,) = recorder.params("UpdateFunctionCode")
    assert request["ZipFile"] == changed.zip_bytes()
    assert request["Architectures"] == ["arm64"]
    config = lambda_client.get_function_configuration(FunctionName=FUNCTION_NAME)
    assert config["CodeSha256"] == changed.code_sha256
    # AND upserting it again writes nothing
    recorder.reset()
    changed.upsert()
    assert recorder.operations == ["GetFunction"]


def test_changed_architecture_updates_code_with_architectures(
    deployed: BundledLambda, make_lambda: Callable[..., BundledLambda], recorder: LambdaCalls
) -> None:
    # GIVEN an arm64 function
    # WHEN it is upserted as x86_64
    make_lambda(architecture="x86_64").upsert()
    # THEN the architecture travels with UpdateFunctionCode (it is not a configuration
    # parameter), and the configuration is not touched
    assert recorder.operations == ["GetFunction", "UpdateFunctionCode"]
    (request,) = recorder.params("UpdateFunctionCode")
    assert request["Architectures"] == ["x86_64"]
    assert request["ZipFile"] == deployed.zip_bytes()
    # (moto 5.2 ignores Architectures on UpdateFunctionCode, so the stored value is
    # not asserted here.)


def test_code_and_configuration_changes_are_applied_in_order(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    lambda_client: Any,
    tmp_path: Path,
) -> None:
    # GIVEN a new handler, memory size and environment
    changed = make_lambda(
        script=_changed_script(tmp_path), memory_size=512, environment={"LOG_LEVEL": "DEBUG"}
    )
    # WHEN it is upserted
    changed.upsert()
    # THEN code goes first, then one configuration update with just the differences
    assert recorder.operations == [
        "GetFunction",
        "UpdateFunctionCode",
        "UpdateFunctionConfiguration",
    ]
    (request,) = recorder.params("UpdateFunctionConfiguration")
    assert request == {
        "FunctionName": FUNCTION_NAME,
        "MemorySize": 512,
        "Environment": {"Variables": {"LOG_LEVEL": "DEBUG"}},
    }
    config = lambda_client.get_function_configuration(FunctionName=FUNCTION_NAME)
    assert config["Environment"] == {"Variables": {"LOG_LEVEL": "DEBUG"}}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"runtime": "python3.13"}, {"Runtime": "python3.13"}),
        ({"memory_size": 1024}, {"MemorySize": 1024}),
        ({"description": "new text"}, {"Description": "new text"}),
    ],
)
def test_each_configuration_field_is_compared(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    overrides: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    make_lambda(**overrides).upsert()
    assert recorder.writes == ["UpdateFunctionConfiguration"]
    assert recorder.params("UpdateFunctionConfiguration") == [
        {"FunctionName": FUNCTION_NAME, **expected}
    ]


def test_new_role_updates_configuration(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    boto_session: boto3.Session,
) -> None:
    # GIVEN another role that Lambda can assume
    other = boto_session.client("iam").create_role(
        RoleName="sagemaker-other", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    # WHEN the function is upserted with it
    make_lambda(execution_role_arn=other).upsert()
    # THEN Role is updated
    assert recorder.params("UpdateFunctionConfiguration") == [
        {"FunctionName": FUNCTION_NAME, "Role": other}
    ]


def test_handler_change_with_new_script_name_updates_code_and_handler(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    tmp_path: Path,
) -> None:
    # GIVEN a handler file with another module name
    script = tmp_path / "prep_v2.py"
    script.write_text(HANDLER_SOURCE)
    # WHEN it is upserted
    make_lambda(script=script, handler="prep_v2.lambda_handler").upsert()
    # THEN code and Handler both change
    assert recorder.writes == ["UpdateFunctionCode", "UpdateFunctionConfiguration"]
    assert recorder.params("UpdateFunctionConfiguration")[0]["Handler"] == (
        "prep_v2.lambda_handler"
    )


def test_log_format_is_corrected_when_the_service_reports_another(
    deployed: BundledLambda, recorder: LambdaCalls
) -> None:
    # GIVEN the service reports Text logging (real Lambda returns LoggingConfig; moto doesn't)
    recorder.rewrite(
        "GetFunction",
        _set_get_function_config(LoggingConfig={"LogFormat": "Text", "LogGroup": "/aws/x"}),
    )
    # WHEN upserted
    deployed.upsert()
    # THEN LoggingConfig is set back to JSON
    assert recorder.params("UpdateFunctionConfiguration") == [
        {"FunctionName": FUNCTION_NAME, "LoggingConfig": {"LogFormat": "JSON"}}
    ]


def test_missing_tags_are_added_without_removing_others(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    lambda_client: Any,
) -> None:
    # GIVEN a deployed function carrying a tag someone else added
    arn = deployed.upsert()["FunctionArn"]
    lambda_client.tag_resource(Resource=arn, Tags={"owner": "platform"})
    recorder.reset()
    # WHEN upserted with a tag of ours
    make_lambda(tags={"project": "hp-prep"}).upsert()
    # THEN only our tag is written and theirs stays
    assert recorder.writes == ["TagResource"]
    assert recorder.params("TagResource") == [{"Resource": arn, "Tags": {"project": "hp-prep"}}]
    tags = lambda_client.get_function(FunctionName=FUNCTION_NAME)["Tags"]
    assert tags == {"owner": "platform", "project": "hp-prep"}


def test_image_package_is_refused(deployed: BundledLambda, recorder: LambdaCalls) -> None:
    recorder.rewrite("GetFunction", _set_get_function_config(PackageType="Image"))
    with pytest.raises(BundledLambdaDeploymentError, match="Image package"):
        deployed.upsert()
    assert recorder.writes == []


# -------------------------------------------------------- waiting for updates


def test_in_progress_update_is_polled_until_successful(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    sleep: FakeSleep,
) -> None:
    # GIVEN Lambda reports the configuration update InProgress for three reads
    recorder.rewrite("UpdateFunctionConfiguration", _set_config(LastUpdateStatus="InProgress"))
    recorder.rewrite(
        "GetFunctionConfiguration", _set_config(LastUpdateStatus="InProgress"), times=2
    )
    # WHEN a new timeout is upserted
    result = make_lambda(timeout=90).upsert()
    # THEN it polls GetFunctionConfiguration until Successful
    assert (
        recorder.operations
        == ["GetFunction", "UpdateFunctionConfiguration"] + ["GetFunctionConfiguration"] * 3
    )
    assert sleep.delays == [1.0, 1.0, 1.0]
    assert result["LastUpdateStatus"] == "Successful"
    assert result["Timeout"] == 90


def test_code_update_settles_before_configuration_update(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    tmp_path: Path,
) -> None:
    # GIVEN the code update stays InProgress for one poll
    recorder.rewrite("UpdateFunctionCode", _set_config(LastUpdateStatus="InProgress"))
    # WHEN code and timeout change together
    make_lambda(script=_changed_script(tmp_path), timeout=30).upsert()
    # THEN the configuration update waits for the code update to finish
    assert recorder.operations == [
        "GetFunction",
        "UpdateFunctionCode",
        "GetFunctionConfiguration",
        "UpdateFunctionConfiguration",
    ]


def test_update_in_progress_elsewhere_is_awaited_before_writing(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    sleep: FakeSleep,
) -> None:
    # GIVEN someone else's update is InProgress when we read the function
    recorder.rewrite("GetFunction", _set_get_function_config(LastUpdateStatus="InProgress"))
    # WHEN a change is upserted
    make_lambda(timeout=45).upsert()
    # THEN it waits for that update before writing
    assert recorder.operations == [
        "GetFunction",
        "GetFunctionConfiguration",
        "UpdateFunctionConfiguration",
    ]
    assert sleep.delays == [1.0]


def test_in_progress_on_unchanged_function_costs_no_wait(
    deployed: BundledLambda, recorder: LambdaCalls, sleep: FakeSleep
) -> None:
    # GIVEN an unrelated update is in progress but our settings already match
    recorder.rewrite("GetFunction", _set_get_function_config(LastUpdateStatus="InProgress"))
    # WHEN upserted
    deployed.upsert()
    # THEN nothing is awaited or written
    assert recorder.operations == ["GetFunction"]
    assert sleep.delays == []


def test_failed_update_raises_with_reason(
    deployed: BundledLambda, make_lambda: Callable[..., BundledLambda], recorder: LambdaCalls
) -> None:
    # GIVEN the configuration update ends Failed
    recorder.rewrite("UpdateFunctionConfiguration", _set_config(LastUpdateStatus="InProgress"))
    recorder.rewrite(
        "GetFunctionConfiguration",
        _set_config(
            LastUpdateStatus="Failed",
            LastUpdateStatusReasonCode="SubnetOutOfIPAddresses",
            LastUpdateStatusReason="All subnets are out of IP addresses.",
        ),
    )
    # WHEN upserted
    # THEN the error names the operation and carries the service's reason
    with pytest.raises(BundledLambdaDeploymentError) as raised:
        make_lambda(timeout=42).upsert()
    message = str(raised.value)
    assert "UpdateFunctionConfiguration" in message
    assert "SubnetOutOfIPAddresses" in message
    assert "All subnets are out of IP addresses." in message
    assert raised.value.operation == "UpdateFunctionConfiguration"


def test_wait_is_bounded(
    deployed: BundledLambda, make_lambda: Callable[..., BundledLambda], recorder: LambdaCalls
) -> None:
    # GIVEN an update that never leaves InProgress and a 3-second wait bound
    recorder.rewrite("UpdateFunctionConfiguration", _set_config(LastUpdateStatus="InProgress"))
    recorder.rewrite(
        "GetFunctionConfiguration", _set_config(LastUpdateStatus="InProgress"), times=10
    )
    policy = RetryPolicy(poll_interval=1.0, wait_timeout=3.0)
    # WHEN upserted
    # THEN it gives up after the bound with a clear message
    with pytest.raises(BundledLambdaDeploymentError, match=r"still .*InProgress.* after 3 s"):
        make_lambda(timeout=42, retry_policy=policy).upsert()
    assert recorder.operations.count("GetFunctionConfiguration") == 3


# ------------------------------------------------------------------- retries


def test_resource_conflict_is_retried_with_backoff_then_succeeds(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    sleep: FakeSleep,
    lambda_client: Any,
) -> None:
    # GIVEN two ResourceConflictExceptions before the update goes through
    recorder.fail(
        "UpdateFunctionConfiguration",
        "ResourceConflictException",
        "The operation cannot be performed at this time. An update is in progress.",
        times=2,
    )
    # WHEN a new timeout is upserted
    make_lambda(timeout=77).upsert()
    # THEN it retried twice with exponential backoff and succeeded
    assert recorder.operations == ["GetFunction"] + ["UpdateFunctionConfiguration"] * 3
    assert sleep.delays == [0.5, 1.0]
    assert lambda_client.get_function_configuration(FunctionName=FUNCTION_NAME)["Timeout"] == 77


def test_exhausted_conflict_retries_raise_clear_error(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    sleep: FakeSleep,
    tmp_path: Path,
) -> None:
    # GIVEN the code update always conflicts
    recorder.fail("UpdateFunctionCode", "ResourceConflictException", "update in progress", times=9)
    # WHEN upserted
    with pytest.raises(BundledLambdaDeploymentError) as raised:
        make_lambda(script=_changed_script(tmp_path)).upsert()
    # THEN it stopped after the bounded attempts, sleeping 0.5..8 s, and says why
    assert recorder.operations.count("UpdateFunctionCode") == 6
    assert sleep.delays == [0.5, 1.0, 2.0, 4.0, 8.0]
    message = str(raised.value)
    assert "ResourceConflictException after 6 attempts" in message
    assert "another update of the function is in progress" in message
    assert isinstance(raised.value.__cause__, ClientError)
    assert raised.value.error_code == "ResourceConflictException"


def test_throttled_read_is_retried(
    deployed: BundledLambda, recorder: LambdaCalls, sleep: FakeSleep
) -> None:
    recorder.fail("GetFunction", "TooManyRequestsException", "Rate exceeded", status=429)
    deployed.upsert()
    assert recorder.operations == ["GetFunction", "GetFunction"]
    assert sleep.delays == [0.5]


def test_retry_policy_bounds_attempts_and_delay(
    deployed: BundledLambda,
    make_lambda: Callable[..., BundledLambda],
    recorder: LambdaCalls,
    sleep: FakeSleep,
) -> None:
    recorder.fail("UpdateFunctionConfiguration", "ResourceConflictException", times=5)
    policy = RetryPolicy(max_attempts=3, base_delay=0.1, max_delay=0.15)
    with pytest.raises(BundledLambdaDeploymentError, match="after 3 attempts"):
        make_lambda(timeout=11, retry_policy=policy).upsert()
    assert sleep.delays == [0.1, 0.15]


# -------------------------------------------------------------- clear errors


def test_role_lambda_cannot_assume_gives_actionable_error(
    make_lambda: Callable[..., BundledLambda], recorder: LambdaCalls, sleep: FakeSleep
) -> None:
    # GIVEN a well-formed ARN of a role that does not exist
    missing = "arn:aws:iam::123456789012:role/does-not-exist"
    # WHEN the function is created with it
    with pytest.raises(BundledLambdaDeploymentError) as raised:
        make_lambda(execution_role_arn=missing).upsert()
    # THEN (after bounded retries for IAM propagation) the message says what to check
    message = str(raised.value)
    assert missing in message
    assert "execution_role_arn" in message
    assert "trust policy" in message
    assert "lambda.amazonaws.com" in message
    assert isinstance(raised.value.__cause__, ClientError)
    assert recorder.operations.count("CreateFunction") == 6
    assert len(sleep.delays) == 5


def test_access_denied_on_create_explains_permissions_and_managed_policy(
    make_lambda: Callable[..., BundledLambda], recorder: LambdaCalls
) -> None:
    # GIVEN the caller may not create functions, and the name lacks "sagemaker"
    recorder.fail(
        "CreateFunction",
        "AccessDeniedException",
        "User is not authorized to perform: lambda:CreateFunction",
        status=403,
    )
    bundled = make_lambda(function_name="hyperparameter-prep")
    # WHEN upserted
    with pytest.raises(BundledLambdaPermissionError) as raised:
        bundled.upsert()
    # THEN the message lists the permissions and the managed-policy naming rule
    message = str(raised.value)
    assert "CreateFunction" in message
    assert "lambda:CreateFunction" in message
    assert "iam:PassRole" in message
    assert bundled.execution_role_arn in message
    assert "AmazonSageMakerPipelinesIntegrations" in message
    assert "'sagemaker-hyperparameter-prep'" in message
    assert isinstance(raised.value.__cause__, ClientError)
    assert raised.value.operation == "CreateFunction"


def test_access_denied_for_sagemaker_named_function_omits_naming_hint(
    make_lambda: Callable[..., BundledLambda], recorder: LambdaCalls
) -> None:
    recorder.fail("GetFunction", "AccessDeniedException", "not authorized", status=403)
    with pytest.raises(BundledLambdaPermissionError) as raised:
        make_lambda().upsert()
    assert "lambda:GetFunction" in str(raised.value)
    assert "AmazonSageMakerPipelinesIntegrations" not in str(raised.value)


# -------------------------------------------------------------------- client


def test_client_is_made_once_from_the_session(
    boto_session: boto3.Session, role_arn: str, handler_script: Path
) -> None:
    # GIVEN a BundledLambda given only a SageMaker session
    from pipeline_steps.sdk import Session

    session = Session(boto_session=boto_session, sagemaker_config=SAGEMAKER_CONFIG)
    bundled = BundledLambda(FUNCTION_NAME, role_arn, script=handler_script, session=session)
    # WHEN it is used twice
    bundled.upsert()
    bundled.upsert()
    # THEN one Lambda client served both calls
    assert bundled.lambda_client is bundled.lambda_client
    assert bundled.lambda_client.meta.region_name == REGION


def test_session_lambda_client_is_preferred(
    boto_session: boto3.Session, role_arn: str, handler_script: Path, lambda_client: Any
) -> None:
    from pipeline_steps.sdk import Session

    session = Session(boto_session=boto_session, sagemaker_config=SAGEMAKER_CONFIG)
    session.lambda_client = lambda_client
    bundled = BundledLambda(FUNCTION_NAME, role_arn, script=handler_script, session=session)
    assert bundled.lambda_client is lambda_client


# ------------------------------------------------------------- through the SDK


@pytest.fixture
def counted_session(boto_session: boto3.Session) -> tuple[Any, LambdaCalls]:
    """A PipelineSession whose every Lambda client reports to one recorder.

    Hooks go on the boto3 session before any client exists: clients copy the
    session's event emitter when they are made.
    """
    from pipeline_steps.sdk import PipelineSession

    recorder = LambdaCalls().attach(boto_session.events)
    boto_session.client("s3").create_bucket(Bucket="some-bucket")
    session = PipelineSession(
        boto_session=boto_session, default_bucket="some-bucket", sagemaker_config=SAGEMAKER_CONFIG
    )
    return session, recorder


def test_pipeline_definition_and_upsert_make_no_lambda_write_after_the_first(
    counted_session: tuple[Any, LambdaCalls], role_arn: str, handler_script: Path
) -> None:
    from pipeline_steps.sdk import LambdaOutput, LambdaOutputTypeEnum, LambdaStep, Pipeline

    # GIVEN a one-LambdaStep pipeline deploying a BundledLambda under a PipelineSession
    session, recorder = counted_session
    bundled = BundledLambda(FUNCTION_NAME, role_arn, script=handler_script, session=session)
    step = LambdaStep(
        name="HyperparameterPrep",
        lambda_func=bundled,
        inputs={"bucket": "some-bucket"},
        outputs=[LambdaOutput("hyperparameters_s3_uri", LambdaOutputTypeEnum.String)],
    )
    pipeline = Pipeline(name="bundled-lambda-test", steps=[step], sagemaker_session=session)
    # WHEN the definition is built twice and the pipeline upserted twice
    first = json.loads(pipeline.definition())
    after_first = list(recorder.operations)
    second = json.loads(pipeline.definition())
    pipeline.upsert(role_arn=role_arn)
    pipeline.upsert(role_arn=role_arn)  # existing pipeline: the SDK builds the definition twice
    # THEN the first definition created the function, and everything after only read it
    assert after_first == ["GetFunction", "CreateFunction"]
    later = recorder.operations[len(after_first) :]
    assert later == ["GetFunction"] * 4
    assert recorder.writes == ["CreateFunction"]
    # AND the definitions carry the function's ARN
    (step_request,) = first["Steps"]
    assert step_request["Type"] == "Lambda"
    assert step_request["FunctionArn"].endswith(f":function:{FUNCTION_NAME}")
    assert first == second
    # AND moto stored the pipeline with that definition
    described = session.sagemaker_client.describe_pipeline(PipelineName="bundled-lambda-test")
    assert json.loads(described["PipelineDefinition"]) == first


def test_sdk_plain_lambda_writes_on_every_definition(
    counted_session: tuple[Any, LambdaCalls], role_arn: str, handler_script: Path
) -> None:
    """The baseline BundledLambda fixes, pinned so an SDK change is noticed."""
    from pipeline_steps.sdk import Lambda, LambdaStep, Pipeline

    session, recorder = counted_session
    plain = Lambda(
        function_name=FUNCTION_NAME,
        execution_role_arn=role_arn,
        script=str(handler_script),
        handler="hyperparameter_prep.lambda_handler",
        runtime="python3.12",
        session=session,
    )
    pipeline = Pipeline(
        name="plain-lambda-test",
        steps=[LambdaStep(name="Prep", lambda_func=plain)],
        sagemaker_session=session,
    )
    pipeline.definition()
    recorder.reset()
    pipeline.definition()
    assert recorder.operations == ["CreateFunction", "UpdateFunctionCode"]


# ---------------------------------------------------------- constructor rules


@pytest.mark.parametrize(
    ("overrides", "field_name", "fragment"),
    [
        ({"function_name": "bad name!"}, "function_name", "letters, digits, '-' and '_'"),
        ({"function_name": ""}, "function_name", "1 to 64"),
        ({"function_name": "s" * 65}, "function_name", "1 to 64"),
        ({"execution_role_arn": "my-role"}, "execution_role_arn", "IAM role ARN"),
        ({"runtime": "python3.8"}, "runtime", "deprecated"),
        ({"runtime": "python3.9"}, "runtime", "deprecated"),
        ({"runtime": "nodejs20.x"}, "runtime", "must be one of python3.11"),
        ({"architecture": "amd64"}, "architecture", "arm64, x86_64"),
        ({"timeout": 0}, "timeout", "from 1 to 600"),
        ({"timeout": 601}, "timeout", "LambdaStep times out after 600 s"),
        ({"timeout": 900}, "timeout", "from 1 to 600"),
        ({"timeout": True}, "timeout", "integer"),
        ({"timeout": 60.5}, "timeout", "integer"),
        ({"memory_size": 127}, "memory_size", "from 128 to 10240"),
        ({"memory_size": 10241}, "memory_size", "from 128 to 10240"),
        ({"log_format": "XML"}, "log_format", "JSON, Text"),
        ({"handler": "other_module.lambda_handler"}, "handler", "holds only"),
        ({"handler": "lambda_handler"}, "handler", "'<module>.<function>'"),
        ({"environment": {"AWS_REGION": "eu-west-1"}}, "environment", "reserved"),
        ({"environment": {"1BAD": "x"}}, "environment", "start with a letter"),
        ({"environment": {"GOOD": 1}}, "environment", "must be a string"),
        ({"environment": {"BIG": "x" * 5000}}, "environment", "at most 4096"),
        ({"tags": {"aws:owner": "x"}}, "tags", "must not start with 'aws:'"),
        ({"tags": {f"k{i}": "v" for i in range(51)}}, "tags", "at most 50"),
        ({"description": "d" * 257}, "description", "at most 256"),
        ({"script": "missing_dir/hyperparameter_prep.py"}, "script", "no such file"),
        ({"script": "handler.txt"}, "script", "'.py'"),
    ],
)
def test_bad_constructor_input_names_the_field_and_rule(
    handler_script: Path,
    sdk_session: Any,
    overrides: dict[str, Any],
    field_name: str,
    fragment: str,
) -> None:
    # GIVEN otherwise valid arguments with one bad value
    kwargs: dict[str, Any] = {
        "session": sdk_session,
        "function_name": FUNCTION_NAME,
        "execution_role_arn": "arn:aws:iam::123456789012:role/r",
        "script": handler_script,
    }
    kwargs.update(overrides)
    # WHEN a BundledLambda is constructed
    # THEN a ValueError names the field and the rule
    with pytest.raises(BundledLambdaValidationError) as raised:
        BundledLambda(kwargs.pop("function_name"), kwargs.pop("execution_role_arn"), **kwargs)
    assert isinstance(raised.value, ValueError)
    assert raised.value.field == field_name
    assert str(raised.value).startswith(f"{field_name}: ")
    assert fragment in str(raised.value)


def test_runtime_constants_cover_current_and_deprecated_pythons() -> None:
    assert {"python3.11", "python3.12", "python3.13"} <= set(SUPPORTED_RUNTIMES)
    assert {"python3.8", "python3.9"} <= set(DEPRECATED_RUNTIMES)
    assert not set(SUPPORTED_RUNTIMES) & set(DEPRECATED_RUNTIMES)


@pytest.mark.skipif(
    not lambda_code.HYPERPARAMETER_PREP_PACKAGE.is_dir(),
    reason="the bundled handler src/lambda_code/hyperparameter_prep/ is not written yet",
)
def test_defaults_deploy_the_bundled_handler(
    role_arn: str, lambda_client: Any, recorder: LambdaCalls, sdk_session: Any
) -> None:
    # GIVEN only a name and a role
    bundled = BundledLambda(
        FUNCTION_NAME, role_arn, session=sdk_session, lambda_client=lambda_client
    )
    # WHEN upserted
    bundled.upsert()
    # THEN the bundled handler is deployed alone with the library's defaults
    (request,) = recorder.params("CreateFunction")
    assert request["Handler"] == lambda_code.HYPERPARAMETER_PREP_HANDLER
    assert (request["Runtime"], request["Architectures"]) == (DEFAULT_RUNTIME, ["arm64"])
    assert (request["Timeout"], request["MemorySize"]) == (60, 256)
    config = lambda_client.get_function_configuration(FunctionName=FUNCTION_NAME)
    assert config["CodeSha256"] == bundled.code_sha256


def test_errors_survive_pickling() -> None:
    # GIVEN the module's errors (e.g. crossing a multiprocessing boundary)
    import pickle

    validation = BundledLambdaValidationError("timeout", "must be an integer from 1 to 600")
    permission = BundledLambdaPermissionError(
        "denied", function_name="f", operation="CreateFunction", error_code="AccessDenied"
    )
    # WHEN they are pickled and unpickled
    validation_copy = pickle.loads(pickle.dumps(validation))
    permission_copy = pickle.loads(pickle.dumps(permission))
    # THEN type, message and fields survive
    assert (validation_copy.field, str(validation_copy)) == ("timeout", str(validation))
    assert isinstance(permission_copy, BundledLambdaPermissionError)
    assert (permission_copy.operation, permission_copy.error_code) == (
        "CreateFunction",
        "AccessDenied",
    )


def test_relative_script_path_is_resolved_at_construction(
    handler_script: Path, sdk_session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a script named relative to the current directory
    monkeypatch.chdir(handler_script.parent)
    bundled = BundledLambda(
        FUNCTION_NAME,
        "arn:aws:iam::123456789012:role/r",
        script="hyperparameter_prep.py",
        session=sdk_session,
    )
    # WHEN the directory changes before the zip is built
    monkeypatch.chdir(handler_script.parent.parent)
    # THEN the zip still holds the script
    assert bundled.script_path == handler_script.resolve()
    assert bundled.zip_bytes()


def test_delete_removes_the_function(deployed: BundledLambda, recorder: LambdaCalls) -> None:
    deployed.delete()
    assert recorder.operations == ["DeleteFunction"]
    assert deployed.plan().action == "create"
