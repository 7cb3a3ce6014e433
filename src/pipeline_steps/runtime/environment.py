"""The environment and configuration files a job's container would have.

Training follows the SageMaker training toolkit (github.com/aws/sagemaker-training-toolkit,
``src/sagemaker_training/environment.py``: ``Environment.to_env_vars()``, ``read_hyperparameters``,
``channel_path``; ``mapping.py``: ``to_env_vars``, ``to_cmd_args``; ``params.py``: the
``sagemaker_*`` hyperparameters and the ``CURRENT_HOST``/``SAGEMAKER_*`` variables it sets):

- ``SM_CHANNEL_<CHANNEL>`` for each channel and ``SM_CHANNELS`` (sorted list);
- ``SM_HPS`` (the hyperparameters without ``sagemaker_*``, each JSON-decoded when it
  parses) and ``SM_HP_<NAME>`` per hyperparameter; ``SM_USER_ARGS`` (``--name value``);
- ``SM_MODEL_DIR``, ``SM_OUTPUT_DATA_DIR``, ``SM_OUTPUT_DIR``, ``SM_OUTPUT_INTERMEDIATE_DIR``,
  ``SM_INPUT_DIR``, ``SM_INPUT_CONFIG_DIR``, ``SM_MODULE_DIR``, ``SM_MODULE_NAME``,
  ``SM_USER_ENTRY_POINT``, ``SM_FRAMEWORK_PARAMS``, ``SM_FRAMEWORK_MODULE``, ``SM_LOG_LEVEL``;
- ``SM_HOSTS``, ``SM_CURRENT_HOST`` (``algo-1``), ``SM_CURRENT_INSTANCE_TYPE``,
  ``SM_CURRENT_INSTANCE_GROUP``, ``SM_CURRENT_INSTANCE_GROUP_HOSTS``, ``SM_INSTANCE_GROUPS``,
  ``SM_INSTANCE_GROUPS_DICT``, ``SM_DISTRIBUTION_INSTANCE_GROUPS``, ``SM_IS_HETERO``,
  ``SM_NETWORK_INTERFACE_NAME``, ``SM_NUM_CPUS``, ``SM_NUM_GPUS`` (0), ``SM_NUM_NEURONS`` (0),
  ``SM_RESOURCE_CONFIG``, ``SM_INPUT_DATA_CONFIG``, ``SM_TRAINING_ENV``;
- ``CURRENT_HOST``, ``SAGEMAKER_REGION``, ``SAGEMAKER_JOB_NAME`` (set by the toolkit),
  ``TRAINING_JOB_NAME``, ``TRAINING_JOB_ARN`` (set by the service), and
  ``SAGEMAKER_BASE_DIR`` (the toolkit's base-path override outside SageMaker).

Values are formatted as ``mapping.to_env_vars`` does: strings as they are, ``None`` as
``""``, anything else as compact sorted JSON. ``/opt/ml/input/config/`` gets
``hyperparameters.json``, ``inputdataconfig.json`` and ``resourceconfig.json``.

Processing containers get only the job's ``Environment`` from SageMaker, plus
``/opt/ml/config/processingjobconfig.json`` and ``resourceconfig.json``
(docs.aws.amazon.com/sagemaker/latest/dg/build-your-own-processing-container.html);
this runner adds ``PIPELINE_PROCESSING_ROOT``, the folder standing in for
``/opt/ml/processing``, so a script finds ``/opt/ml/processing/input/x`` at
``$PIPELINE_PROCESSING_ROOT/input/x``.

Every variable is a local path where the container would have an ``/opt/ml`` path. The
parent's environment is passed on (PATH, credentials, ...) without any ``SM_*``,
``SAGEMAKER_*``, ``TRAINING_JOB_*``, ``CURRENT_HOST`` or ``PIPELINE_PROCESSING_ROOT`` it
may hold, so nothing of the machine's own leaks into the job.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline_steps.runtime.expressions import as_text
from pipeline_steps.runtime.layout import ContainerLayout

__all__ = [
    "CURRENT_HOST",
    "PROCESSING_ROOT",
    "PROCESSING_ROOT_VARIABLE",
    "TrainingSetup",
    "processing_environment",
    "split_hyperparameters",
    "training_setup",
    "user_arguments",
]

CURRENT_HOST = "algo-1"
PROCESSING_ROOT_VARIABLE = "PIPELINE_PROCESSING_ROOT"
"""Names the folder that stands in for ``PROCESSING_ROOT`` outside a container."""

PROCESSING_ROOT = "/opt/ml/processing"
"""The container folder under which processing jobs find their inputs and outputs."""
_INSTANCE_GROUP = "homogeneousCluster"
_SCRUBBED_PREFIXES = ("SM_", "SAGEMAKER_", "TRAINING_JOB_")
_SCRUBBED = frozenset({"CURRENT_HOST", PROCESSING_ROOT_VARIABLE})
# params.SAGEMAKER_HYPERPARAMETERS: consumed by the toolkit, not passed to the script.
_TOOLKIT_HYPERPARAMETERS = frozenset(
    {
        "sagemaker_program",
        "sagemaker_submit_directory",
        "sagemaker_enable_cloudwatch_metrics",
        "sagemaker_region",
        "sagemaker_container_log_level",
        "sagemaker_job_name",
        "default_user_module_name",
        "_tuning_objective_metric",
        "sagemaker_s3_output",
    }
)


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def base_environment() -> dict[str, str]:
    """This process's environment without any container variable it happens to hold."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in _SCRUBBED and not key.startswith(_SCRUBBED_PREFIXES)
    }


def split_hyperparameters(
    hyperparameters: Mapping[str, str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(user, sagemaker)`` hyperparameters, values JSON-decoded where they parse."""
    user: dict[str, Any] = {}
    toolkit: dict[str, Any] = {}
    for key, raw in hyperparameters.items():
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            value = raw
        if key in _TOOLKIT_HYPERPARAMETERS or key.startswith("sagemaker_"):
            toolkit[key] = value
        else:
            user[key] = value
    return user, toolkit


def user_arguments(hyperparameters: Mapping[str, Any]) -> list[str]:
    """``mapping.to_cmd_args``: ``--name value`` per hyperparameter, sorted by name."""
    arguments: list[str] = []
    for key in sorted(hyperparameters):
        value = hyperparameters[key]
        arguments.append(f"--{key}" if len(key) > 1 else f"-{key}")
        if isinstance(value, Mapping):
            arguments.append(",".join(f"{k}={v}" for k, v in sorted(value.items())))
        else:
            arguments.append(str(value))
    return arguments


@dataclass(frozen=True)
class TrainingSetup:
    """What a training container holds before the script starts."""

    environment: dict[str, str]
    config_files: dict[str, Any]
    """Container path -> JSON document."""
    arguments: list[str]


def training_setup(
    *,
    layout: ContainerLayout,
    arguments: Mapping[str, Any],
    job_name: str,
    job_arn: str,
    region: str,
    program: str,
    module_dir: str,
) -> TrainingSetup:
    """The environment, config files and script arguments of a training job."""
    raw_hps = {str(k): as_text(v) for k, v in (arguments.get("HyperParameters") or {}).items()}
    user_hps, toolkit_hps = split_hyperparameters(raw_hps)
    framework_params = {k: v for k, v in toolkit_hps.items() if k not in _TOOLKIT_HYPERPARAMETERS}
    mode = (arguments.get("AlgorithmSpecification") or {}).get("TrainingInputMode", "File")
    channels: dict[str, dict[str, Any]] = {}
    for channel in arguments.get("InputDataConfig") or []:
        source = channel.get("DataSource", {}).get("S3DataSource", {})
        channels[channel["ChannelName"]] = {
            "TrainingInputMode": channel.get("InputMode", mode),
            "S3DistributionType": source.get("S3DataDistributionType", "FullyReplicated"),
            "RecordWrapperType": channel.get("RecordWrapperType", "None"),
            **({"ContentType": channel["ContentType"]} if "ContentType" in channel else {}),
        }
    instance_type = (arguments.get("ResourceConfig") or {}).get("InstanceType", "local")
    resource_config = {
        "current_host": CURRENT_HOST,
        "current_instance_type": instance_type,
        "current_group_name": _INSTANCE_GROUP,
        "hosts": [CURRENT_HOST],
        "instance_groups": [
            {
                "instance_group_name": _INSTANCE_GROUP,
                "instance_type": instance_type,
                "hosts": [CURRENT_HOST],
            }
        ],
        "network_interface_name": "eth0",
    }
    local = layout.local
    paths = {
        "model_dir": str(local("/opt/ml/model")),
        "input_dir": str(local("/opt/ml/input")),
        "input_config_dir": str(local("/opt/ml/input/config")),
        "output_dir": str(local("/opt/ml/output")),
        "output_data_dir": str(local("/opt/ml/output/data")),
        "output_intermediate_dir": str(local("/opt/ml/output/intermediate")),
    }
    channel_dirs = {name: str(local(f"/opt/ml/input/data/{name}")) for name in channels}
    user_args = user_arguments(user_hps)
    module_name = program[:-3] if program.endswith(".py") else program
    log_level = toolkit_hps.get("sagemaker_container_log_level", 20)
    training_env: dict[str, Any] = {
        **paths,
        "additional_framework_parameters": framework_params,
        "channel_input_dirs": channel_dirs,
        "current_host": CURRENT_HOST,
        "current_instance_type": instance_type,
        "hosts": [CURRENT_HOST],
        "hyperparameters": user_hps,
        "input_data_config": channels,
        "job_name": job_name,
        "log_level": log_level,
        "module_dir": module_dir,
        "module_name": module_name,
        "network_interface_name": "eth0",
        "num_cpus": os.cpu_count() or 1,
        "num_gpus": 0,
        "resource_config": resource_config,
        "user_entry_point": program,
    }
    toolkit: dict[str, Any] = {
        **paths,
        "hosts": [CURRENT_HOST],
        "network_interface_name": "eth0",
        "hps": user_hps,
        "user_entry_point": program,
        "framework_params": framework_params,
        "resource_config": resource_config,
        "input_data_config": channels,
        "channels": sorted(channels),
        "current_host": CURRENT_HOST,
        "current_instance_type": instance_type,
        "current_instance_group": _INSTANCE_GROUP,
        "current_instance_group_hosts": [CURRENT_HOST],
        "instance_groups": [_INSTANCE_GROUP],
        "instance_groups_dict": {_INSTANCE_GROUP: resource_config["instance_groups"][0]},
        "distribution_instance_groups": [],
        "is_hetero": False,
        "module_name": module_name,
        "log_level": log_level,
        "framework_module": None,
        "num_cpus": os.cpu_count() or 1,
        "num_gpus": 0,
        "num_neurons": 0,
        "module_dir": module_dir,
        "training_env": training_env,
        "user_args": user_args,
        **{f"channel_{name}": path for name, path in channel_dirs.items()},
        **{f"hp_{key}": value for key, value in user_hps.items()},
    }
    environment = base_environment()
    environment.update(
        {str(k): as_text(v) for k, v in (arguments.get("Environment") or {}).items()}
    )
    environment.update({f"SM_{key.upper()}": _format(value) for key, value in toolkit.items()})
    environment.update(
        {
            "CURRENT_HOST": CURRENT_HOST,
            "SAGEMAKER_REGION": str(toolkit_hps.get("sagemaker_region") or region),
            "SAGEMAKER_JOB_NAME": str(toolkit_hps.get("sagemaker_job_name") or ""),
            "SAGEMAKER_BASE_DIR": str(local("/opt/ml")),
            "TRAINING_JOB_NAME": job_name,
            "TRAINING_JOB_ARN": job_arn,
        }
    )
    config_files = {
        "/opt/ml/input/config/hyperparameters.json": raw_hps,
        "/opt/ml/input/config/inputdataconfig.json": channels,
        "/opt/ml/input/config/resourceconfig.json": resource_config,
    }
    return TrainingSetup(environment, config_files, user_args)


def processing_environment(
    *, layout: ContainerLayout, arguments: Mapping[str, Any], job_name: str, job_arn: str
) -> tuple[dict[str, str], dict[str, Any]]:
    """The environment and config files (container path -> JSON) of a processing job."""
    environment = base_environment()
    environment.update(
        {str(k): as_text(v) for k, v in (arguments.get("Environment") or {}).items()}
    )
    environment[PROCESSING_ROOT_VARIABLE] = str(layout.local(PROCESSING_ROOT))
    job_config = {**arguments, "ProcessingJobName": job_name, "ProcessingJobArn": job_arn}
    config_files = {
        "/opt/ml/config/processingjobconfig.json": job_config,
        "/opt/ml/config/resourceconfig.json": {
            "current_host": CURRENT_HOST,
            "hosts": [CURRENT_HOST],
        },
    }
    return environment, config_files
