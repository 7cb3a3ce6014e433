"""`HyperparameterPrepStepBuilder`: the LambdaStep that writes hyperparameters to S3."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sagemaker.workflow.entities import PipelineVariable
from sagemaker.workflow.execution_variables import ExecutionVariables
from sagemaker.workflow.functions import Join
from sagemaker.workflow.lambda_step import LambdaOutput, LambdaOutputTypeEnum, LambdaStep
from sagemaker.workflow.parameters import Parameter

from lambda_code import HYPERPARAMETER_PREP_HANDLER, HYPERPARAMETER_PREP_PACKAGE
from lambda_code.hyperparameter_prep import (
    OVERRIDE_PREFIX,
    HyperparameterPrepError,
    serialize_hyperparameters,
)
from pipeline_script_contracts import HYPERPARAMETER_PREP_CONTRACT
from pipeline_steps.builder_base import StepBuilderBase
from pipeline_steps.bundled_lambda import BundledLambda
from pipeline_steps.errors import StepBuilderError
from pipeline_steps.hyperparameter_models import HyperparametersModel
from pipeline_steps.hyperparameter_overrides import split_pipeline_parameters
from pipeline_steps.hyperparameter_prep_config import HyperparameterPrepConfig

if TYPE_CHECKING:
    from sagemaker.workflow.steps import CacheConfig, Step

__all__ = ["HYPERPARAMETER_PREP_OUTPUT_TYPES", "HyperparameterPrepStepBuilder"]

HYPERPARAMETER_PREP_OUTPUT_TYPES: Mapping[str, LambdaOutputTypeEnum] = {
    "hyperparameters_s3_uri": LambdaOutputTypeEnum.String,
    "hyperparameters_sha256": LambdaOutputTypeEnum.String,
    "hyperparameters_size_bytes": LambdaOutputTypeEnum.Integer,
    "reused": LambdaOutputTypeEnum.Boolean,
}
"""The step's OutputParameters and their types, in the order the definition lists them."""

MAX_ARGUMENT_CHARS = 900_000
"""Hyperparameter text a definition can carry: the whole definition is capped at 1,048,576."""

Hyperparameters = HyperparametersModel | Mapping[str, Any]


class HyperparameterPrepStepBuilder(StepBuilderBase[HyperparameterPrepConfig]):
    """Builds the LambdaStep that validates hyperparameters and writes them to S3.

    Example::

        prep = HyperparameterPrepStepBuilder(config, sagemaker_session=session)
        step = prep.create_step(hyperparameters=XGBoostHyperparameters(max_depth=6))
        uri = prep.outputs(step)["hyperparameters_s3_uri"]
    """

    contract = HYPERPARAMETER_PREP_CONTRACT
    config_class = HyperparameterPrepConfig
    default_step_name = "HyperparameterPrep"

    def __init__(
        self,
        config: HyperparameterPrepConfig | Mapping[str, Any],
        *,
        sagemaker_session: Any = None,
        step_name: str | None = None,
    ) -> None:
        super().__init__(config, sagemaker_session=sagemaker_session, step_name=step_name)
        self._lambda: BundledLambda | None = None

    @property
    def lambda_function(self) -> BundledLambda:
        """The bundled handler as a Lambda function, deployed when the definition is rendered."""
        if self._lambda is None:
            config = self.config
            self._lambda = BundledLambda(
                function_name=config.function_name,
                execution_role_arn=config.lambda_role_arn,
                script=HYPERPARAMETER_PREP_PACKAGE,
                handler=HYPERPARAMETER_PREP_HANDLER,
                runtime=config.runtime,
                architecture=config.architecture,
                timeout=config.timeout,
                memory_size=config.memory_size,
                environment=dict(config.environment),
                tags=dict(config.tags),
                session=self.sagemaker_session,
            )
        return self._lambda

    def build_arguments(self, hyperparameters: Hyperparameters) -> dict[str, Any]:
        """The LambdaStep ``Arguments``: what SageMaker sends the handler as its event."""
        document = _as_mapping(hyperparameters)
        static, overrides = split_pipeline_parameters(document)
        try:
            text = serialize_hyperparameters(static)
        except HyperparameterPrepError as error:
            raise StepBuilderError(f"invalid hyperparameters: {error}") from error
        if len(text) > MAX_ARGUMENT_CHARS:
            raise StepBuilderError(
                f"hyperparameters serialise to {len(text):,} characters; a pipeline definition "
                f"holds at most 1,048,576, so keep them under {MAX_ARGUMENT_CHARS:,} (move large "
                "tables into a data channel instead)"
            )
        config = self.config
        arguments: dict[str, Any] = {
            "hyperparameters": text,
            "bucket": config.bucket,
            "key_prefix": config.key_prefix,
        }
        for path, parameter in overrides.items():
            arguments[f"{OVERRIDE_PREFIX}{path}"] = parameter
        if config.kms_key_id is not None:
            arguments["kms_key_id"] = config.kms_key_id
        if config.expected_bucket_owner is not None:
            arguments["expected_bucket_owner"] = config.expected_bucket_owner
        arguments["pipeline_name"] = ExecutionVariables.PIPELINE_NAME
        arguments["pipeline_execution_id"] = ExecutionVariables.PIPELINE_EXECUTION_ID
        return arguments

    def create_step(
        self,
        hyperparameters: Hyperparameters,
        *,
        step_name: str | None = None,
        depends_on: Sequence[str | Step] | None = None,
        cache_config: CacheConfig | None = None,
    ) -> LambdaStep:
        """A LambdaStep that runs the bundled handler on ``hyperparameters``."""
        name = self.name_for(step_name)
        step = LambdaStep(
            name=name,
            lambda_func=self.lambda_function,
            inputs=self.build_arguments(hyperparameters),
            outputs=[
                LambdaOutput(output_name=output, output_type=output_type)
                for output, output_type in HYPERPARAMETER_PREP_OUTPUT_TYPES.items()
            ],
            cache_config=cache_config,
            depends_on=list(depends_on) if depends_on else None,
        )
        self._register_outputs(
            step, {output: step.properties.Outputs[output] for output in self.contract.output_names}
        )
        return step

    def lambda_execution_policy(self) -> dict[str, Any]:
        """The least-privilege IAM policy document for the function's execution role."""
        config = self.config
        partition = config.role_partition
        account = config.role_account_id
        region = self._region()
        bucket = _literal(config.bucket, "bucket")
        statements: list[dict[str, Any]] = [
            {
                "Sid": "WriteHyperparameters",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": f"arn:{partition}:s3:::{bucket}/{_prefix_pattern(config.key_prefix)}",
            },
            {
                "Sid": "ConfirmReusedHyperparameters",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": f"arn:{partition}:s3:::{bucket}/{_prefix_pattern(config.key_prefix)}",
            },
        ]
        if config.kms_key_id is not None:
            statements.append(_kms_statement(config.kms_key_id, partition, region, account))
        log_group = f"arn:{partition}:logs:{region}:{account}:log-group:/aws/lambda/"
        statements.append(
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [
                    f"{log_group}{config.function_name}",
                    f"{log_group}{config.function_name}:*",
                ],
            }
        )
        return {"Version": "2012-10-17", "Statement": statements}

    def _region(self) -> str:
        region = getattr(self.sagemaker_session, "boto_region_name", None)
        return str(region) if region else "*"


def _as_mapping(hyperparameters: Hyperparameters) -> Mapping[str, Any]:
    if isinstance(hyperparameters, HyperparametersModel):
        return hyperparameters.to_hyperparameters()
    if isinstance(hyperparameters, Mapping):
        return hyperparameters
    raise StepBuilderError(
        f"hyperparameters must be a hyperparameter model (e.g. XGBoostHyperparameters) or a "
        f"dict, not {type(hyperparameters).__name__}"
    )


def _literal(value: str | PipelineVariable, field: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Parameter) and isinstance(value.default_value, str):
        return value.default_value
    raise StepBuilderError(
        f"{field} is a pipeline variable without a default, so the policy cannot name it; "
        "give the parameter a default or write the policy for the bucket yourself"
    )


def _prefix_pattern(key_prefix: str | PipelineVariable) -> str:
    """The object pattern the function may write: exact prefix, or its literal head."""
    if isinstance(key_prefix, str):
        return f"{key_prefix}/*"
    if isinstance(key_prefix, Join):
        head: list[str] = []
        for value in key_prefix.values:
            if not isinstance(value, str):
                break
            head.append(value)
        literal = key_prefix.on.join(head)
        return f"{literal}{key_prefix.on}*" if head else "*"
    if isinstance(key_prefix, Parameter) and isinstance(key_prefix.default_value, str):
        return "*"
    return "*"


def _kms_statement(kms_key_id: str, partition: str, region: str, account: str) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "EncryptHyperparameters",
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"],
    }
    if kms_key_id.startswith("arn:") and ":key/" in kms_key_id:
        statement["Resource"] = kms_key_id
    elif kms_key_id.startswith("arn:") or kms_key_id.startswith("alias/"):
        alias = kms_key_id.split(":", 5)[-1] if kms_key_id.startswith("arn:") else kms_key_id
        statement["Resource"] = f"arn:{partition}:kms:{region}:{account}:key/*"
        statement["Condition"] = {"ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}}
    else:
        statement["Resource"] = f"arn:{partition}:kms:{region}:{account}:key/{kms_key_id}"
    return statement
