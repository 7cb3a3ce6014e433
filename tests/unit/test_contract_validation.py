"""Construction-time validation: one bad input per rule, and the inputs that must pass."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline_script_contracts import ContainerType, ContractError, ScriptContract


def _valid(kind: str) -> dict[str, Any]:
    """Keyword arguments for a valid contract of container type ``kind``."""
    if kind == "training":
        return {
            "name": "xgboost_train",
            "entry_point": "train_xgb.py",
            "description": "trains",
            "container_type": "training",
            "expected_input_paths": {
                "training_data": "/opt/ml/input/data/train",
                "validation_data": "/opt/ml/input/data/validation",
            },
            "expected_output_paths": {"model_output": "/opt/ml/model"},
            "optional_input_names": ["validation_data"],
            "required_env_vars": ["ID_FIELD"],
            "optional_env_vars": {"LOG_LEVEL": "INFO"},
            "framework_requirements": {"xgboost": ">=1.7"},
        }
    if kind == "processing":
        return {
            "name": "evaluate",
            "entry_point": "evaluate.py",
            "description": "evaluates",
            "container_type": "processing",
            "expected_input_paths": {"model_input": "/opt/ml/processing/input/model"},
            "expected_output_paths": {"eval_output": "/opt/ml/processing/output/eval"},
        }
    return {
        "name": "prep",
        "entry_point": "prep.py",
        "description": "prepares",
        "container_type": "lambda",
        "expected_output_paths": {"uri": "/opt/ml/processing/output/uri"},
    }


# (test id, container kind, overrides, text naming the field and value, text of the rule)
BAD_INPUTS: list[tuple[str, str, dict[str, Any], str, str]] = [
    # entry point
    ("entry-point-not-str", "processing", {"entry_point": 5}, "entry_point = 5", "a string"),
    (
        "entry-point-with-directory",
        "processing",
        {"entry_point": "scripts/evaluate.py"},
        "entry_point = 'scripts/evaluate.py'",
        "without directories",
    ),
    (
        "entry-point-not-py",
        "processing",
        {"entry_point": "evaluate.sh"},
        "entry_point = 'evaluate.sh'",
        "bare .py file name",
    ),
    (
        "entry-point-empty-stem",
        "processing",
        {"entry_point": ".py"},
        "entry_point = '.py'",
        "non-empty stem",
    ),
    (
        "lambda-entry-point-not-importable",
        "lambda",
        {"entry_point": "hyperparameter-prep.py"},
        "entry_point = 'hyperparameter-prep.py'",
        "must be a Python identifier",
    ),
    # name
    ("name-not-snake-case", "processing", {"name": "Evaluate"}, "name = 'Evaluate'", "snake_case"),
    (
        "defaulted-name-not-snake-case",
        "processing",
        {"name": "", "entry_point": "Evaluate.py"},
        "name = 'Evaluate'",
        "pass name= explicitly",
    ),
    # description and container type
    ("description-empty", "processing", {"description": ""}, "description = ''", "non-empty"),
    ("description-blank", "processing", {"description": "  "}, "description = '  '", "non-empty"),
    (
        "container-type-unknown",
        "processing",
        {"container_type": "batch"},
        "container_type = 'batch'",
        "must be a ContainerType or one of 'lambda', 'processing', 'training'",
    ),
    # logical names
    (
        "logical-name-not-snake-case",
        "processing",
        {"expected_input_paths": {"ModelInput": "/opt/ml/processing/input/model"}},
        "expected_input_paths key 'ModelInput'",
        "snake_case identifier",
    ),
    (
        "logical-name-both-input-and-output",
        "processing",
        {"expected_output_paths": {"model_input": "/opt/ml/processing/output/model"}},
        "expected_output_paths key 'model_input'",
        "unique across inputs and outputs",
    ),
    # paths: type, shape, normalisation
    (
        "paths-not-a-mapping",
        "processing",
        {"expected_input_paths": ["/opt/ml/processing/input/model"]},
        "expected_input_paths = ['/opt/ml/processing/input/model']",
        "must be a mapping",
    ),
    (
        "path-key-not-str",
        "processing",
        {"expected_input_paths": {1: "/opt/ml/processing/input/model"}},
        "expected_input_paths key 1",
        "keys must be strings",
    ),
    (
        "path-not-str",
        "processing",
        {"expected_input_paths": {"model_input": None}},
        "expected_input_paths['model_input'] = None",
        "paths must be strings",
    ),
    (
        "path-relative",
        "processing",
        {"expected_input_paths": {"model_input": "opt/ml/processing/input/model"}},
        "expected_input_paths['model_input'] = 'opt/ml/processing/input/model'",
        "paths must be absolute",
    ),
    (
        "path-trailing-slash",
        "processing",
        {"expected_input_paths": {"model_input": "/opt/ml/processing/input/model/"}},
        "expected_input_paths['model_input'] = '/opt/ml/processing/input/model/'",
        "no trailing '/'",
    ),
    (
        "path-empty-segment",
        "processing",
        {"expected_input_paths": {"model_input": "/opt/ml//processing/input/model"}},
        "expected_input_paths['model_input'] = '/opt/ml//processing/input/model'",
        "no empty segments",
    ),
    (
        "path-dot-segment",
        "processing",
        {"expected_input_paths": {"model_input": "/opt/ml/processing/input/./model"}},
        "expected_input_paths['model_input'] = '/opt/ml/processing/input/./model'",
        "no '.' or '..' segments",
    ),
    (
        "path-dotdot-escapes-root",
        "processing",
        {"expected_input_paths": {"model_input": "/opt/ml/processing/input/../output/x"}},
        "expected_input_paths['model_input'] = '/opt/ml/processing/input/../output/x'",
        "no '.' or '..' segments",
    ),
    (
        "path-unsafe-characters",
        "processing",
        {"expected_input_paths": {"model_input": "/opt/ml/processing/input/my model"}},
        "expected_input_paths['model_input'] = '/opt/ml/processing/input/my model'",
        "letters, digits, '.', '_' and '-'",
    ),
    # paths: distinct and not nested
    (
        "paths-not-distinct",
        "processing",
        {
            "expected_input_paths": {
                "a": "/opt/ml/processing/input/x",
                "b": "/opt/ml/processing/input/x",
            }
        },
        "expected_input_paths['b'] = '/opt/ml/processing/input/x'",
        "paths must be distinct (also used by expected_input_paths['a'])",
    ),
    (
        "paths-nested",
        "processing",
        {
            "expected_input_paths": {
                "a": "/opt/ml/processing/input/x",
                "b": "/opt/ml/processing/input/x/y",
            }
        },
        "expected_input_paths['b'] = '/opt/ml/processing/input/x/y'",
        "must not be nested inside one another",
    ),
    (
        "training-outputs-nested",
        "training",
        {"expected_output_paths": {"model_output": "/opt/ml/model", "extra": "/opt/ml/model/x"}},
        "expected_output_paths['extra'] = '/opt/ml/model/x'",
        "must not be nested inside one another",
    ),
    # paths: container roots
    (
        "training-input-outside-data-root",
        "training",
        {"expected_input_paths": {"training_data": "/opt/ml/input/train"}},
        "expected_input_paths['training_data'] = '/opt/ml/input/train'",
        "training inputs must live under /opt/ml/input/data/<channel>/",
    ),
    (
        "training-input-without-channel",
        "training",
        {"expected_input_paths": {"training_data": "/opt/ml/input/data"}},
        "expected_input_paths['training_data'] = '/opt/ml/input/data'",
        "training inputs must live under /opt/ml/input/data/<channel>/",
    ),
    (
        "training-output-outside-roots",
        "training",
        {"expected_output_paths": {"model_output": "/opt/ml/output/model"}},
        "expected_output_paths['model_output'] = '/opt/ml/output/model'",
        "training outputs must be /opt/ml/model, /opt/ml/output/data or /opt/ml/checkpoints",
    ),
    (
        "training-output-sibling-of-root",
        "training",
        {"expected_output_paths": {"model_output": "/opt/ml/models"}},
        "expected_output_paths['model_output'] = '/opt/ml/models'",
        "training outputs must be",
    ),
    (
        "processing-input-at-root",
        "processing",
        {"expected_input_paths": {"model_input": "/opt/ml/processing/input"}},
        "expected_input_paths['model_input'] = '/opt/ml/processing/input'",
        "processing inputs must live under /opt/ml/processing/input/",
    ),
    (
        "processing-input-under-output-root",
        "processing",
        {"expected_input_paths": {"model_input": "/opt/ml/processing/output/model"}},
        "expected_input_paths['model_input'] = '/opt/ml/processing/output/model'",
        "processing inputs must live under /opt/ml/processing/input/",
    ),
    (
        "processing-output-under-input-root",
        "processing",
        {"expected_output_paths": {"eval_output": "/opt/ml/processing/input/eval"}},
        "expected_output_paths['eval_output'] = '/opt/ml/processing/input/eval'",
        "processing outputs must live under /opt/ml/processing/output/",
    ),
    (
        "lambda-with-inputs",
        "lambda",
        {"expected_input_paths": {"config": "/opt/ml/processing/input/config"}},
        "expected_input_paths = {'config': '/opt/ml/processing/input/config'}",
        "lambda contracts take no input paths",
    ),
    (
        "lambda-output-outside-virtual-root",
        "lambda",
        {"expected_output_paths": {"uri": "/tmp/uri"}},
        "expected_output_paths['uri'] = '/tmp/uri'",
        "lambda outputs are virtual and must live under /opt/ml/processing/output/",
    ),
    # training channels
    (
        "training-channel-shared",
        "training",
        {
            "expected_input_paths": {
                "training_data": "/opt/ml/input/data/train/a.csv",
                "validation_data": "/opt/ml/input/data/train/b.csv",
            }
        },
        "expected_input_paths['validation_data'] = '/opt/ml/input/data/train/b.csv'",
        "each training input needs its own channel: channel 'train' is also used by input "
        "'training_data'",
    ),
    (
        "training-channel-too-long",
        "training",
        {"expected_input_paths": {"training_data": "/opt/ml/input/data/" + "c" * 65}},
        "expected_input_paths['training_data'] = '/opt/ml/input/data/" + "c" * 65 + "'",
        "valid SageMaker channel name",
    ),
    # optional inputs
    (
        "optional-input-undeclared",
        "training",
        {"optional_input_names": ["test_data"]},
        "optional_input_names = 'test_data'",
        "optional inputs must be declared inputs; inputs: training_data, validation_data",
    ),
    (
        "optional-input-repeated",
        "training",
        {"optional_input_names": ["validation_data", "validation_data"]},
        "optional_input_names = 'validation_data'",
        "must not repeat",
    ),
    (
        "optional-inputs-single-string",
        "training",
        {"optional_input_names": "validation_data"},
        "optional_input_names = 'validation_data'",
        "must be a sequence of strings",
    ),
    # environment variables
    (
        "required-env-var-lower-case",
        "training",
        {"required_env_vars": ["id_field"]},
        "required_env_vars[0] = 'id_field'",
        "environment variable names must match ^[A-Z_][A-Z0-9_]*$",
    ),
    (
        "required-env-var-starts-with-digit",
        "training",
        {"required_env_vars": ["1FIELD"]},
        "required_env_vars[0] = '1FIELD'",
        "environment variable names must match",
    ),
    (
        "required-env-var-repeated",
        "training",
        {"required_env_vars": ["ID_FIELD", "ID_FIELD"]},
        "required_env_vars[1] = 'ID_FIELD'",
        "must not repeat",
    ),
    (
        "required-env-vars-single-string",
        "training",
        {"required_env_vars": "ID_FIELD"},
        "required_env_vars = 'ID_FIELD'",
        "must be a sequence of strings",
    ),
    (
        "required-env-var-not-str",
        "training",
        {"required_env_vars": [None]},
        "required_env_vars[0] = None",
        "items must be strings",
    ),
    (
        "optional-env-var-bad-name",
        "training",
        {"optional_env_vars": {"log-level": "INFO"}},
        "optional_env_vars key 'log-level'",
        "environment variable names must match",
    ),
    (
        "env-var-both-required-and-optional",
        "training",
        {"optional_env_vars": {"ID_FIELD": "id"}},
        "optional_env_vars key 'ID_FIELD'",
        "cannot be both required and optional",
    ),
    (
        "optional-env-default-not-str",
        "training",
        {"optional_env_vars": {"BATCH_SIZE": 32}},
        "optional_env_vars['BATCH_SIZE'] = 32",
        "defaults must be strings",
    ),
    # framework requirements
    (
        "requirement-bad-package-name",
        "training",
        {"framework_requirements": {"-xgboost": ">=1.7"}},
        "framework_requirements key '-xgboost'",
        "valid distribution names (PEP 508)",
    ),
    (
        "requirement-package-repeated-after-normalisation",
        "training",
        {"framework_requirements": {"scikit-learn": ">=1.2", "Scikit_Learn": ">=1.3"}},
        "framework_requirements key 'Scikit_Learn'",
        "package names must be unique (same package as 'scikit-learn')",
    ),
    (
        "requirement-specifier-without-operator",
        "training",
        {"framework_requirements": {"xgboost": "1.7"}},
        "framework_requirements['xgboost'] = '1.7'",
        "version specifiers must be '' (any version) or comma-separated clauses",
    ),
    (
        "requirement-specifier-dangling-comma",
        "training",
        {"framework_requirements": {"xgboost": ">=1.7,"}},
        "framework_requirements['xgboost'] = '>=1.7,'",
        "version specifiers must be",
    ),
    (
        "requirement-specifier-not-str",
        "training",
        {"framework_requirements": {"xgboost": 1.7}},
        "framework_requirements['xgboost'] = 1.7",
        "version specifiers must be strings",
    ),
]


@pytest.mark.parametrize(
    ("kind", "overrides", "subject", "rule"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_raises_contract_error_naming_field_value_and_rule(
    kind: str, overrides: dict[str, Any], subject: str, rule: str
) -> None:
    """GIVEN one bad field WHEN the contract is built THEN ContractError names field and rule."""
    kwargs = {**_valid(kind), **overrides}

    with pytest.raises(ContractError) as raised:
        ScriptContract(**kwargs)

    message = str(raised.value)
    assert message.startswith("contract '"), message
    assert subject in message, message
    assert rule in message, message
    assert isinstance(raised.value, ValueError)


def test_message_has_the_documented_shape() -> None:
    """GIVEN a training input outside its root WHEN built THEN the message reads exactly so."""
    kwargs = _valid("training")
    kwargs["expected_input_paths"] = {"training_data": "/opt/ml/input/train"}
    kwargs["optional_input_names"] = []

    with pytest.raises(ContractError) as raised:
        ScriptContract(**kwargs)

    assert str(raised.value) == (
        "contract 'xgboost_train': expected_input_paths['training_data'] = "
        "'/opt/ml/input/train': training inputs must live under /opt/ml/input/data/<channel>/"
    )


def test_message_names_the_contract_by_entry_point_stem_when_name_is_defaulted() -> None:
    """GIVEN no explicit name WHEN a field is bad THEN the message names the entry point stem."""
    kwargs = {**_valid("processing"), "name": "", "description": ""}

    with pytest.raises(ContractError, match=r"^contract 'evaluate': description = ''"):
        ScriptContract(**kwargs)


@pytest.mark.parametrize("kind", ["training", "processing", "lambda"])
def test_valid_contracts_build(kind: str) -> None:
    """GIVEN valid arguments for each container type WHEN built THEN no error is raised."""
    contract = ScriptContract(**_valid(kind))

    assert contract.container_type is ContainerType(kind)


@pytest.mark.parametrize(
    "container_type", ["training", "TRAINING", " Training ", ContainerType.TRAINING]
)
def test_container_type_accepts_the_enum_or_its_value(container_type: Any) -> None:
    """GIVEN the enum, its value or its name WHEN built THEN the field holds the enum member."""
    contract = ScriptContract(**{**_valid("training"), "container_type": container_type})

    assert contract.container_type is ContainerType.TRAINING


def test_container_type_is_a_json_friendly_str_enum() -> None:
    """GIVEN ContainerType WHEN used as a string THEN it is its value."""
    assert ContainerType.TRAINING == "training"
    assert str(ContainerType.LAMBDA) == "lambda"
    assert [m.value for m in ContainerType] == ["lambda", "processing", "training"]


@pytest.mark.parametrize("specifier", ["", ">=1.7", "==2.0.*", ">=2.0,<3", "~=1.4.2", "!=1.5"])
def test_accepted_version_specifiers(specifier: str) -> None:
    """GIVEN a PEP 440-style specifier or '' WHEN built THEN it is kept as given."""
    contract = ScriptContract(
        **{**_valid("training"), "framework_requirements": {"xgboost": specifier}}
    )

    assert contract.framework_requirements["xgboost"] == specifier


@pytest.mark.parametrize(
    "path", ["/opt/ml/model", "/opt/ml/model/xgboost", "/opt/ml/output/data", "/opt/ml/checkpoints"]
)
def test_training_outputs_may_be_a_root_or_under_it(path: str) -> None:
    """GIVEN a training output at or under a root WHEN built THEN it is accepted."""
    contract = ScriptContract(**{**_valid("training"), "expected_output_paths": {"out": path}})

    assert contract.expected_output_paths["out"] == path


def test_name_defaults_to_the_entry_point_stem() -> None:
    """GIVEN no name WHEN built THEN the name is the entry point's stem."""
    kwargs = _valid("processing")
    del kwargs["name"]

    assert ScriptContract(**kwargs).name == "evaluate"


def test_optional_inputs_are_kept_in_declaration_order() -> None:
    """GIVEN optional inputs out of order WHEN built THEN they follow the inputs' order."""
    kwargs = _valid("training")
    kwargs["expected_input_paths"] = {
        "a": "/opt/ml/input/data/a",
        "b": "/opt/ml/input/data/b",
        "c": "/opt/ml/input/data/c",
    }
    kwargs["optional_input_names"] = ["c", "a"]

    contract = ScriptContract(**kwargs)

    assert contract.optional_input_names == ("a", "c")
    assert contract.required_input_names == ("b",)
