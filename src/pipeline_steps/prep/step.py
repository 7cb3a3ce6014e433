"""`HyperparameterPrepStepBuilder`: the LambdaStep that writes hyperparameters to S3."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lambda_code import HYPERPARAMETER_PREP_HANDLER, HYPERPARAMETER_PREP_PACKAGE
from lambda_code.hyperparameter_prep import (
    HyperparameterPrepError,
    make_event,
    serialize_hyperparameters,
)
from pipeline_script_contracts import HYPERPARAMETER_PREP_CONTRACT, ScriptContract
from pipeline_steps.core.builder import StepBuilderBase
from pipeline_steps.core.errors import StepBuilderError
from pipeline_steps.core.hyperparameters import HyperparametersModel, constraints_json
from pipeline_steps.core.parameters import split_pipeline_parameters
from pipeline_steps.core.quiet import quiet_sdk
from pipeline_steps.core.sdk_steps import QuietLambdaStep
from pipeline_steps.deployment.reconciler import BundledLambda
from pipeline_steps.prep.config import HyperparameterPrepConfig
from pipeline_steps.prep.policy import lambda_execution_policy
from pipeline_steps.sdk import (
    CacheConfig,
    ExecutionVariables,
    LambdaOutput,
    LambdaOutputTypeEnum,
    LambdaStep,
    Step,
)

__all__ = ["HyperparameterPrepStepBuilder", "lambda_outputs", "override_constraints"]

MAX_ARGUMENT_CHARS = 900_000
"""Hyperparameter text a definition can carry: the whole definition is capped at 1,048,576."""

Hyperparameters = HyperparametersModel | Mapping[str, Any]


def lambda_outputs(contract: ScriptContract) -> list[LambdaOutput]:
    """The LambdaStep OutputParameters of a lambda contract, typed as the contract says."""
    return [
        LambdaOutput(
            output_name=name,
            output_type=LambdaOutputTypeEnum[contract.output_types[name].lambda_output_type],
        )
        for name in contract.output_names
    ]


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
        return make_event(
            text,
            config.bucket,
            key_prefix=config.key_prefix,
            kms_key_id=config.kms_key_id,
            expected_bucket_owner=config.expected_bucket_owner,
            overrides=overrides,
            constraints=override_constraints(hyperparameters, overrides),
            pipeline_name=ExecutionVariables.PIPELINE_NAME,
            pipeline_execution_id=ExecutionVariables.PIPELINE_EXECUTION_ID,
        )

    @quiet_sdk()
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
        step = QuietLambdaStep(
            name=name,
            lambda_func=self.lambda_function,
            inputs=self.build_arguments(hyperparameters),
            outputs=lambda_outputs(self.contract),
            cache_config=cache_config,
            depends_on=list(depends_on) if depends_on else None,
        )
        self._register_outputs(
            step, {output: step.properties.Outputs[output] for output in self.contract.output_names}
        )
        return step

    def lambda_execution_policy(self) -> dict[str, Any]:
        """The least-privilege IAM policy document for the function's execution role."""
        region = getattr(self.sagemaker_session, "boto_region_name", None)
        return lambda_execution_policy(self.config, str(region) if region else "*")


def override_constraints(
    hyperparameters: Hyperparameters, overrides: Mapping[str, Any]
) -> str | None:
    """The handler's ``constraints`` for the overridden fields of a typed model, as JSON text.

    Each pipeline parameter bound to a model field carries that field's literal rules
    (its pydantic bounds, the one source), so a value given at run time meets the same
    bounds a literal meets at build time. A plain dict carries none; a model with no
    parameter-bound field carries none (None: the key is left out).
    """
    if not isinstance(hyperparameters, HyperparametersModel):
        return None
    return constraints_json(type(hyperparameters), overrides)


def _as_mapping(hyperparameters: Hyperparameters) -> Mapping[str, Any]:
    if isinstance(hyperparameters, HyperparametersModel):
        return hyperparameters.to_hyperparameters()
    if isinstance(hyperparameters, Mapping):
        return hyperparameters
    raise StepBuilderError(
        f"hyperparameters must be a hyperparameter model (e.g. XGBoostHyperparameters) or a "
        f"dict, not {type(hyperparameters).__name__}"
    )
