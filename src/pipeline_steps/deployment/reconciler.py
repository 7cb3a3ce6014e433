"""``BundledLambda``: the SageMaker SDK's ``Lambda`` helper, reconciling instead of re-deploying.

``Lambda`` (``sagemaker.lambda_helper``) is what a ``LambdaStep`` deploys. Its ``upsert()``
tries ``CreateFunction`` first and, on the conflict an existing function causes,
uploads the code again; it never updates timeout, memory, runtime, role or
environment, and it zips the script with the file's own timestamp. Because
``LambdaStep.to_request()`` calls ``upsert()`` on every ``pipeline.definition()``
(and ``Pipeline.upsert()`` builds the definition twice for an existing pipeline),
an unchanged function costs two Lambda writes per definition.

``BundledLambda`` keeps the SDK interface (``LambdaStep`` accepts it unchanged) and
reconciles instead:

* the deployment zip holds the handler alone, byte-for-byte deterministic, so the
  same handler always has the same ``CodeSha256`` (``deployment.package``);
* ``upsert()`` reads the function once (``GetFunction``); it creates the function when
  absent, and otherwise writes only what differs (``deployment.plan``): an unchanged
  function costs exactly one read and no write;
* it waits for ``State``/``LastUpdateStatus`` to settle around its writes and retries
  ``ResourceConflictException`` and throttling with bounded exponential backoff;
* service errors become :class:`BundledLambdaDeploymentError` whose message says
  what to fix (``deployment.service_errors``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from botocore.exceptions import ClientError

import lambda_code
from pipeline_steps.deployment.errors import BundledLambdaDeploymentError
from pipeline_steps.deployment.package import build_deployment_zip, code_sha256_of
from pipeline_steps.deployment.plan import (
    DEFAULT_RETRY_POLICY,
    DeploymentPlan,
    RetryPolicy,
    plan_changes,
)
from pipeline_steps.deployment.rules import (
    DEFAULT_ARCHITECTURE,
    DEFAULT_LOG_FORMAT,
    DEFAULT_MEMORY_SIZE,
    DEFAULT_RUNTIME,
    DEFAULT_TIMEOUT,
    validate_architecture,
    validate_description,
    validate_environment,
    validate_function_name,
    validate_handler,
    validate_log_format,
    validate_memory_size,
    validate_role_arn,
    validate_runtime,
    validate_script,
    validate_tags,
    validate_timeout,
)
from pipeline_steps.deployment.service_errors import (
    ROLE_NOT_ASSUMABLE,
    error_code_and_message,
    raise_if_failed,
    translate_client_error,
)
from pipeline_steps.sdk import Lambda, Session

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

__all__ = ["BundledLambda"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


class BundledLambda(Lambda):  # type: ignore[misc, unused-ignore]
    """A ``sagemaker.lambda_helper.Lambda`` that deploys one handler file idempotently.

    Use it wherever the SDK expects a ``Lambda``, typically
    ``LambdaStep(name=..., lambda_func=BundledLambda(...))``. Each
    ``pipeline.definition()`` then costs one ``GetFunction`` when nothing changed.

    ``function_arn`` stays ``None`` so that ``LambdaStep`` keeps calling
    :meth:`upsert` (which reconciles); :meth:`update` reconciles too, so a caller that
    sets ``function_arn`` gets the same behaviour except that a missing function is
    an error rather than created.

    Args:
        function_name: the Lambda function name (1 to 64 letters, digits, ``-``,
            ``_``). With the managed policy AmazonSageMakerPipelinesIntegrations it
            must contain ``sagemaker``.
        execution_role_arn: the role the function runs as.
        script: the handler's ``.py`` file or package folder; it is deployed alone.
        handler: ``<script stem>.<function>``.
        runtime, architecture, timeout, memory_size, environment, tags, description,
        log_format: the function's settings (see the module constants for the rules).
        session: the SageMaker session whose boto session makes the Lambda client
            (a default ``Session`` if omitted, as in the SDK).
        lambda_client: a boto3 Lambda client to use instead (tests inject one);
            otherwise ``session.lambda_client`` or one client made once from the
            session.
        retry_policy: retry and wait bounds.
        sleep: the sleep function used between retries and polls (injectable).
    """

    def __init__(
        self,
        function_name: str,
        execution_role_arn: str,
        *,
        script: str | Path = lambda_code.HYPERPARAMETER_PREP_PACKAGE,
        handler: str = lambda_code.HYPERPARAMETER_PREP_HANDLER,
        runtime: str = DEFAULT_RUNTIME,
        architecture: str = DEFAULT_ARCHITECTURE,
        timeout: int = DEFAULT_TIMEOUT,
        memory_size: int = DEFAULT_MEMORY_SIZE,
        environment: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        description: str | None = None,
        session: Session | None = None,
        log_format: Literal["JSON", "Text"] = DEFAULT_LOG_FORMAT,
        lambda_client: LambdaClient | None = None,
        retry_policy: RetryPolicy = DEFAULT_RETRY_POLICY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # Every rule is checked before anything is built (no Session, no client).
        name = validate_function_name(function_name)
        role = validate_role_arn(execution_role_arn)
        script_path = validate_script(script)
        handler_name = validate_handler(handler, script_path)
        runtime_name = validate_runtime(runtime)
        architecture_name = validate_architecture(architecture)
        timeout_seconds = validate_timeout(timeout)
        memory_mb = validate_memory_size(memory_size)
        variables = validate_environment(environment)
        tag_map = validate_tags(tags)
        description_text = validate_description(description)
        log_format_name = validate_log_format(log_format)
        super().__init__(
            function_name=name,
            execution_role_arn=role,
            script=str(script_path),
            handler=handler_name,
            # As the SDK does, but typed: a default Session when none is given.
            session=session if session is not None else Session(),
            timeout=timeout_seconds,
            memory_size=memory_mb,
            runtime=runtime_name,
            # The SDK passes ``environment`` straight to CreateFunction as ``Environment``.
            environment={"Variables": dict(variables)},
        )
        self.architecture: str = architecture_name
        self.environment_variables: dict[str, str] = variables
        self.tags: dict[str, str] = tag_map
        self.description: str | None = description_text
        self.log_format: str = log_format_name
        self.retry_policy = retry_policy
        self._sleep = sleep
        self._lambda_client: LambdaClient | None = lambda_client
        self._zip_bytes: bytes | None = None
        self._code_sha256: str | None = None

    # -------------------------------------------------------------- code package

    @property
    def script_path(self) -> Path:
        """The handler file that is deployed."""
        return Path(self.script)

    def zip_bytes(self) -> bytes:
        """The deterministic deployment zip (built on first use, then cached)."""
        if self._zip_bytes is None:
            self._zip_bytes = build_deployment_zip(self.script_path)
        return self._zip_bytes

    @property
    def code_sha256(self) -> str:
        """The ``CodeSha256`` Lambda reports once this zip is deployed."""
        if self._code_sha256 is None:
            self._code_sha256 = code_sha256_of(self.zip_bytes())
        return self._code_sha256

    # -------------------------------------------------------------------- client

    @property
    def lambda_client(self) -> LambdaClient:
        """The Lambda client: injected, the session's, or one made once and cached."""
        if self._lambda_client is None:
            client = getattr(self.session, "lambda_client", None)
            if client is None:
                client = self.session.boto_session.client(
                    "lambda", region_name=self.session.boto_region_name
                )
            self._lambda_client = cast("LambdaClient", client)
        return self._lambda_client

    # ------------------------------------------------------------ public actions

    def upsert(self) -> dict[str, Any]:
        """Create the function, or bring the deployed one in line; return its configuration.

        One ``GetFunction``; then ``CreateFunction`` if absent, else only the writes
        :meth:`plan` lists. Returns the function configuration (``FunctionArn`` and
        the rest), like the SDK's ``upsert()``.
        """
        current = self._get_function()
        if current is None:
            return self._create(on_conflict="reconcile")
        return self._reconcile(current)

    def create(self) -> dict[str, Any]:
        """Create the function from the deterministic zip and wait until it is Active.

        Raises :class:`BundledLambdaDeploymentError` if it already exists.
        """
        return self._create(on_conflict="raise")

    def update(self) -> dict[str, Any]:
        """Bring an existing function in line with this object; never creates it.

        The SDK's ``update()`` re-uploads the code unconditionally; this one performs
        the same minimal reconciliation as :meth:`upsert` (one read, writes only
        what differs). ``LambdaStep`` calls it when ``function_arn`` is set.
        """
        current = self._get_function()
        if current is None:
            raise BundledLambdaDeploymentError(
                f"Lambda function {self._identifier!r} does not exist, so it cannot be "
                "updated; call upsert() (or create()) to create it.",
                function_name=self.function_name,
                operation="GetFunction",
                error_code="ResourceNotFoundException",
            )
        return self._reconcile(current)

    def plan(self) -> DeploymentPlan:
        """What :meth:`upsert` would change, from one ``GetFunction``; writes nothing."""
        current = self._get_function()
        if current is None:
            return DeploymentPlan(action="create")
        return self._plan(current["Configuration"], current)

    def delete(self) -> dict[str, Any]:
        """Delete the function (through the cached client)."""
        client = self.lambda_client
        response = self._call(
            "DeleteFunction", lambda: client.delete_function(FunctionName=self._identifier)
        )
        return dict(response)

    def invoke(self) -> dict[str, Any]:
        """Invoke the function synchronously with an empty event, as the SDK does."""
        client = self.lambda_client
        response = self._call(
            "Invoke",
            lambda: client.invoke(FunctionName=self._identifier, InvocationType="RequestResponse"),
        )
        return dict(response)

    # ------------------------------------------------------------- desired state

    @property
    def _identifier(self) -> str:
        return str(self.function_name or self.function_arn)

    def _logging_config(self) -> dict[str, Any]:
        return {"LogFormat": self.log_format}

    def _create_request(self) -> dict[str, Any]:
        request: dict[str, Any] = {
            "FunctionName": self.function_name,
            "Runtime": self.runtime,
            "Role": self.execution_role_arn,
            "Handler": self.handler,
            "Code": {"ZipFile": self.zip_bytes()},
            "Timeout": self.timeout,
            "MemorySize": self.memory_size,
            "Environment": {"Variables": dict(self.environment_variables)},
            "Architectures": [self.architecture],
            "LoggingConfig": self._logging_config(),
            "PackageType": "Zip",
            "Publish": False,
        }
        if self.description is not None:
            request["Description"] = self.description
        if self.tags:
            request["Tags"] = dict(self.tags)
        return request

    def _plan(
        self, config: Mapping[str, Any], function: Mapping[str, Any] | None = None
    ) -> DeploymentPlan:
        return plan_changes(self._create_request(), self.code_sha256, config, function)

    # ---------------------------------------------------------------- mechanics

    def _get_function(self) -> dict[str, Any] | None:
        client = self.lambda_client
        try:
            response = self._call(
                "GetFunction", lambda: client.get_function(FunctionName=self._identifier)
            )
        except BundledLambdaDeploymentError as error:
            if error.error_code == "ResourceNotFoundException":
                return None
            raise
        return dict(response)

    def _create(self, *, on_conflict: Literal["raise", "reconcile"]) -> dict[str, Any]:
        client = self.lambda_client
        request = self._create_request()
        try:
            response = self._call(
                "CreateFunction",
                lambda: client.create_function(**request),
                retry_conflicts=False,
            )
        except BundledLambdaDeploymentError as error:
            if error.error_code != "ResourceConflictException":
                raise
            if on_conflict == "raise":
                raise BundledLambdaDeploymentError(
                    f"Lambda function {self.function_name!r} already exists; use upsert() or "
                    "update() to bring it in line.",
                    function_name=self.function_name,
                    operation="CreateFunction",
                    error_code=error.error_code,
                ) from error.__cause__
            # Created by someone else between our GetFunction and CreateFunction.
            logger.info("Lambda function %s appeared concurrently; reconciling", self._identifier)
            current = self._get_function()
            if current is None:
                raise
            return self._reconcile(current)
        logger.info("Created Lambda function %s", self.function_name)
        return self._wait_until_settled(_strip_metadata(response), after="CreateFunction")

    def _reconcile(self, function: Mapping[str, Any]) -> dict[str, Any]:
        config: dict[str, Any] = dict(function["Configuration"])
        package_type = config.get("PackageType", "Zip")
        if package_type != "Zip":
            raise BundledLambdaDeploymentError(
                f"Lambda function {self._identifier!r} is a {package_type} package; "
                "BundledLambda deploys zip packages only. Delete it or choose another "
                "function_name.",
                function_name=self.function_name,
            )
        plan = self._plan(config, function)
        if not plan.changed:
            logger.debug("Lambda function %s is up to date", self._identifier)
            return config

        if _is_busy(config):
            # Someone else's update is running: let it settle, then re-plan against
            # what it left behind (tags are unaffected by code/config updates).
            config = self._wait_until_settled(config, after=None)
            plan = self._plan(config, function)

        client = self.lambda_client
        name = self._identifier
        if plan.update_code:
            logger.info(
                "Updating code of Lambda function %s (%s differ)",
                name,
                ", ".join(plan.code_reasons),
            )
            zip_file = self.zip_bytes()
            architectures: list[Literal["arm64", "x86_64"]] = [
                cast(Literal["arm64", "x86_64"], self.architecture)
            ]
            response = self._call(
                "UpdateFunctionCode",
                lambda: client.update_function_code(
                    FunctionName=name, ZipFile=zip_file, Architectures=architectures
                ),
            )
            config = self._wait_until_settled(_strip_metadata(response), after="UpdateFunctionCode")
        if plan.configuration_changes:
            changes = dict(plan.configuration_changes)
            logger.info(
                "Updating configuration of Lambda function %s (%s)", name, ", ".join(changes)
            )
            response = self._call(
                "UpdateFunctionConfiguration",
                lambda: client.update_function_configuration(FunctionName=name, **changes),
            )
            config = self._wait_until_settled(
                _strip_metadata(response), after="UpdateFunctionConfiguration"
            )
        if plan.tag_changes:
            tags = dict(plan.tag_changes)
            arn = str(config["FunctionArn"])
            logger.info("Tagging Lambda function %s (%s)", name, ", ".join(tags))
            self._call("TagResource", lambda: client.tag_resource(Resource=arn, Tags=tags))
        return config

    def _wait_until_settled(self, config: dict[str, Any], *, after: str | None) -> dict[str, Any]:
        """Poll until the function is neither Pending nor InProgress.

        ``after`` names our own write just made: a ``Failed`` state is then an error
        carrying the service's reason. Before our writes (``after=None``) a Failed
        status left by an earlier update is only logged, since our update may fix it.
        """
        waited = 0.0
        client = self.lambda_client
        while True:
            if after is not None:
                raise_if_failed(
                    config, after, identifier=self._identifier, function_name=self.function_name
                )
            if not _is_busy(config):
                if after is None and "Failed" in (
                    config.get("State"),
                    config.get("LastUpdateStatus"),
                ):
                    logger.warning(
                        "Lambda function %s reports a failed earlier update: %s",
                        self._identifier,
                        config.get("LastUpdateStatusReason") or config.get("StateReason"),
                    )
                return config
            if waited >= self.retry_policy.wait_timeout:
                raise BundledLambdaDeploymentError(
                    f"Lambda function {self._identifier!r} was still "
                    f"State={config.get('State')!r}, "
                    f"LastUpdateStatus={config.get('LastUpdateStatus')!r} after "
                    f"{waited:.0f} s of waiting"
                    + (f" following {after}" if after else "")
                    + "; check the function in the Lambda console and retry.",
                    function_name=self.function_name,
                    operation=after,
                )
            self._sleep(self.retry_policy.poll_interval)
            waited += self.retry_policy.poll_interval
            response = self._call(
                "GetFunctionConfiguration",
                lambda: client.get_function_configuration(FunctionName=self._identifier),
            )
            config = _strip_metadata(response)

    def _call(self, operation: str, call: Callable[[], _T], *, retry_conflicts: bool = True) -> _T:
        """Run one Lambda API call; retry conflicts/throttling; translate errors."""
        policy = self.retry_policy
        attempt = 0
        while True:
            attempt += 1
            try:
                return call()
            except ClientError as error:
                code, message = error_code_and_message(error)
                retryable = code == "TooManyRequestsException" or (
                    retry_conflicts and code == "ResourceConflictException"
                )
                retryable = retryable or (
                    code == "InvalidParameterValueException" and ROLE_NOT_ASSUMABLE in message
                )
                if not retryable or attempt >= policy.max_attempts:
                    raise translate_client_error(
                        error,
                        operation=operation,
                        attempts=attempt if retryable else 1,
                        function_name=self.function_name,
                        identifier=self._identifier,
                        execution_role_arn=self.execution_role_arn,
                    ) from error
                delay = policy.delay(attempt - 1)
                logger.info(
                    "%s on Lambda function %s: %s; retry %d of %d in %.1f s",
                    operation,
                    self._identifier,
                    code,
                    attempt,
                    policy.max_attempts - 1,
                    delay,
                )
                self._sleep(delay)


def _is_busy(config: Mapping[str, Any]) -> bool:
    return config.get("State") == "Pending" or config.get("LastUpdateStatus") == "InProgress"


def _strip_metadata(response: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}
