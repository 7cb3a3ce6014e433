"""XGBoostHyperparameters: XGBoost's parameter space, aliases, bounds, older images.

Fast checks against the data file and the model alone (metrics and cross-field rules
are in test_xgboost_rules.py); real XGBoost judges the same space in
tests/functional/test_xgboost_parameter_drift.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from pipeline_steps.frameworks.xgboost.hyperparameters import (
    XGBOOST_OBJECTIVES,
    XGBoostHyperparameters,
)
from pipeline_steps.frameworks.xgboost.parameter_space import (
    PARAMETERS_FILE,
    parameter_space,
    version_tuple,
)
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR, load_script
from pipeline_steps.sdk import ParameterBoolean, ParameterFloat, ParameterInteger, ParameterString

SPACE = parameter_space()


def build(**values: Any) -> XGBoostHyperparameters:
    """The model from keyword values, aliases such as ``lambda`` included."""
    return XGBoostHyperparameters.model_validate(values)


def refusal(**values: Any) -> str:
    """The validation message for ``values``, which must be refused."""
    with pytest.raises(ValidationError) as caught:
        build(**values)
    return str(caught.value)


def test_documented_examples_are_valid_and_send_only_what_was_set() -> None:
    """GIVEN the docstring's examples WHEN built THEN they validate, and the document holds
    only the fields that were set plus the objective and round count (XGBoost's own
    defaults apply to the rest, per booster)."""
    binary = build(
        objective="binary:logistic",
        max_depth=6,
        learning_rate=0.1,
        n_estimators=200,
        eval_metric=["auc", "logloss"],
    )
    multi = build(
        objective="multi:softprob",
        num_class=3,
        learning_rate=ParameterFloat("LearningRate", 0.05),
    )
    quantile = build(objective="reg:quantileerror", quantile_alpha=[0.1, 0.5, 0.9])
    assert binary.to_hyperparameters() == {
        "n_estimators": 200,
        "learning_rate": 0.1,
        "max_depth": 6,
        "objective": "binary:logistic",
        "eval_metric": ["auc", "logloss"],
    }
    assert isinstance(multi.to_hyperparameters()["learning_rate"], ParameterFloat)
    assert quantile.to_hyperparameters()["quantile_alpha"] == [0.1, 0.5, 0.9]
    assert build().to_hyperparameters() == {"n_estimators": 100, "objective": "reg:squarederror"}


def test_every_parameter_of_the_data_file_is_a_field_and_back() -> None:
    """GIVEN the data file train_xgb.py reads WHEN compared with the model THEN the stored
    names are exactly the model's fields: one source, no drift between them."""
    assert set(XGBoostHyperparameters.model_fields) == set(SPACE.parameters)
    assert SPACE.parameters["objective"].values == XGBOOST_OBJECTIVES


def test_issue_parameters_are_fields() -> None:
    """GIVEN the parameters issue 9 found refused WHEN looked up THEN each is a field."""
    wanted = [
        *("booster", "scale_pos_weight", "max_delta_step", "colsample_bynode"),
        *("colsample_bylevel", "grow_policy", "max_leaves", "num_parallel_tree", "base_score"),
        *("max_bin", "monotone_constraints", "interaction_constraints", "sampling_method"),
        *("rate_drop", "skip_drop", "one_drop", "sample_type", "normalize_type"),
        *("tweedie_variance_power", "huber_slope", "quantile_alpha", "aft_loss_distribution"),
        *("aft_loss_distribution_scale", "device", "tree_method", "multi_strategy"),
        *("max_cat_to_onehot", "max_cat_threshold", "lambdarank_pair_method"),
        *("lambdarank_num_pair_per_sample", "ndcg_exp_gain", "eval_metric"),
    ]
    assert [name for name in wanted if name not in XGBoostHyperparameters.model_fields] == []


@pytest.mark.parametrize(
    ("alias", "stored"),
    sorted((alias, spec.name) for spec in SPACE.parameters.values() for alias in spec.aliases),
)
def test_each_alias_is_stored_under_its_one_name(alias: str, stored: str) -> None:
    """GIVEN an XGBoost alias WHEN the model is built with it THEN the value is kept under
    the stored name, never dropped."""
    value = 7 if stored in ("n_estimators", "nthread", "random_state") else 0.25
    document = build(**{alias: value}).to_hyperparameters()
    assert document[stored] == value
    assert alias not in document


def test_docstring_lists_the_aliases_of_the_data_file() -> None:
    """GIVEN the class docstring's alias table WHEN parsed THEN it matches the data file."""
    doc = XGBoostHyperparameters.__doc__ or ""
    rows = re.findall(r"^\s+([a-z_]+)\s{2,}([a-z_, ]+)$", doc, flags=re.MULTILINE)
    table = {
        stored: tuple(alias.strip() for alias in aliases.split(",")) for stored, aliases in rows
    }
    expected = {name: spec.aliases for name, spec in SPACE.parameters.items() if spec.aliases}
    assert table == expected


def test_an_alias_and_its_stored_name_together_are_refused() -> None:
    """GIVEN eta and learning_rate WHEN built THEN refused: one value per parameter."""
    message = refusal(eta=0.1, learning_rate=0.2)
    assert "'eta' and 'learning_rate' are the same XGBoost parameter" in message
    assert "num_round" in refusal(num_round=5, num_boost_round=6)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("max_dept", "did you mean 'max_depth'?"),
        ("learnin_rate", "did you mean 'learning_rate'?"),
        ("colsample_by_tree", "did you mean 'colsample_bytree'?"),
        ("gpu_id", "removed in XGBoost 2.0; use device='cuda:<ordinal>'"),
        ("use_rmm", "a global configuration"),
        ("save_period", "command-line (CLI) parameter"),
        ("zzzz", "the known names are listed in xgboost_parameters.json"),
    ],
)
def test_unknown_names_are_refused_with_the_fix(name: str, expected: str) -> None:
    """GIVEN a name XGBoost's docs do not list for training WHEN built THEN refused, naming
    the closest known name or why the name is not accepted."""
    message = refusal(**{name: 1})
    assert repr(name) in message
    assert expected in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_depth", -1),
        ("max_depth", 6.5),
        ("max_depth", "6"),
        ("max_depth", True),
        ("learning_rate", 1.5),
        ("learning_rate", -0.1),
        ("n_estimators", 0),
        ("subsample", 0.0),
        ("subsample", 1.01),
        ("colsample_bytree", 0.0),
        ("colsample_bylevel", 1.5),
        ("colsample_bynode", -0.1),
        ("min_child_weight", -1.0),
        ("gamma", -0.5),
        ("reg_alpha", -1.0),
        ("reg_lambda", -1.0),
        ("max_delta_step", -1.0),
        ("scale_pos_weight", -1.0),
        ("max_leaves", -1),
        ("max_bin", 1),
        ("num_parallel_tree", 0),
        ("objective", "reg:linear"),
        ("objective", "multiclass"),
        ("booster", "gbforest"),
        ("tree_method", "gpu_hist"),
        ("grow_policy", "breadth"),
        ("sampling_method", "random"),
        ("multi_strategy", "many"),
        ("device", "cpu:0"),
        ("device", "sycl"),
        ("verbosity", 4),
        ("nthread", -1),
        ("rate_drop", 1.5),
        ("skip_drop", -0.1),
        ("sample_type", "random"),
        ("normalize_type", "none"),
        ("feature_selector", "best"),
        ("top_k", -1),
        ("updater", "grow_colmaker,bogus"),
        ("updater", ""),
        ("early_stopping_rounds", 0),
        ("num_class", 1),
        ("tweedie_variance_power", 2.0),
        ("tweedie_variance_power", 0.9),
        ("huber_slope", 0.0),
        ("quantile_alpha", 1.5),
        ("quantile_alpha", []),
        ("quantile_alpha", [0.5, 1.2]),
        ("aft_loss_distribution", "weibull"),
        ("aft_loss_distribution_scale", 0.0),
        ("monotone_constraints", [2]),
        ("monotone_constraints", []),
        ("interaction_constraints", [[-1]]),
        ("interaction_constraints", [[]]),
        ("lambdarank_pair_method", "all"),
        ("lambdarank_num_pair_per_sample", 0),
        ("lambdarank_bias_norm", -1.0),
        ("max_cat_to_onehot", 0),
        ("max_cat_threshold", 0),
        ("max_cached_hist_node", 0),
        ("random_state", 2**63),
        ("eval_metric", []),
        ("validate_parameters", "yes"),
    ],
)
def test_xgboost_bounds_and_choices_name_the_field(field: str, value: Any) -> None:
    """GIVEN a value outside XGBoost's bounds or choices WHEN built THEN the error names
    the field."""
    assert field in refusal(**{field: value})


def test_fields_take_pipeline_parameters_of_a_matching_type() -> None:
    """GIVEN pipeline parameters WHEN built THEN kept as parameters; a wrong type or a
    default outside the bounds is refused, naming the field."""
    model = build(
        max_depth=ParameterInteger("MaxDepth", 4),
        learning_rate=ParameterFloat("Eta"),
        booster=ParameterString("Booster", "dart"),
        rate_drop=ParameterFloat("RateDrop", 0.2),
        one_drop=ParameterBoolean("OneDrop", default_value=True),
        eval_metric=["auc", ParameterString("Metric", "logloss")],
        objective="binary:logistic",
    )
    assert isinstance(model.to_hyperparameters()["eval_metric"][1], ParameterString)
    assert "max_depth" in refusal(max_depth=ParameterFloat("Depth", 4.0))
    assert "max_depth" in refusal(max_depth=ParameterInteger("Depth", -2))
    assert "eval_metric" in refusal(eval_metric=ParameterString("Metric", "auc,logloss"))
    assert "booster" in refusal(booster=ParameterString("Booster", "forest"))


def test_a_wrong_parameter_type_is_named_at_the_field() -> None:
    """GIVEN a string parameter for a float field inside a one-or-a-list field
    WHEN built THEN one error at the field, naming the parameter and the types it takes."""
    with pytest.raises(ValidationError) as caught:
        build(objective="reg:quantileerror", quantile_alpha=ParameterString("Quantile"))
    [error] = caught.value.errors()
    assert error["loc"] == ("quantile_alpha",)
    assert "pipeline parameter 'Quantile' is a String parameter" in error["msg"]


def test_one_or_a_list_fields_report_at_the_field() -> None:
    """GIVEN a bad metric alone or inside a list WHEN built THEN one error at eval_metric
    about the form given, not one per union branch."""
    for given in ("bogus", ["auc", "bogus"]):
        with pytest.raises(ValidationError) as caught:
            build(eval_metric=given)
        [error] = caught.value.errors()
        assert error["loc"] == ("eval_metric",)
        assert error["msg"] == "'bogus' is not an XGBoost evaluation metric"


def test_rules_follow_a_parameter_default_and_wait_for_one_without() -> None:
    """GIVEN a parameter objective WHEN it has a default THEN the rules read it; WHEN it has
    none THEN rules that need it are left to run time."""
    assert "num_class is required" in refusal(
        objective=ParameterString("Objective", "multi:softmax")
    )
    assert build(objective=ParameterString("Objective"), num_class=3).num_class == 3
    assert "dart" in refusal(booster=ParameterString("Booster", "gbtree"), rate_drop=0.1)
    assert build(booster=ParameterString("Booster"), rate_drop=0.1).rate_drop == 0.1


@pytest.mark.parametrize(
    ("values", "lacking"),
    [
        (
            {"objective": "reg:quantileerror", "quantile_alpha": 0.5},
            "quantile_alpha (XGBoost 2.0.0)",
        ),
        ({"device": "cpu"}, "device (XGBoost 2.0.0)"),
        ({"objective": "rank:ndcg", "lambdarank_score_normalization": False}, "(XGBoost 3.0.0)"),
        (
            {
                "eval_metric": ["rmse", "quantile"],
                "objective": "reg:quantileerror",
                "quantile_alpha": 0.5,
            },
            "eval_metric 'quantile'",
        ),
        ({"multi_strategy": "multi_output_tree"}, "multi_strategy (XGBoost 2.0.0)"),
    ],
)
def test_an_older_image_refuses_what_its_xgboost_lacks(
    values: dict[str, Any], lacking: str
) -> None:
    """GIVEN hyperparameters valid for the default image WHEN checked for 1.7-1 THEN each
    name or value XGBoost 1.7.4 lacks is named, with the fix."""
    model = build(**values)
    model.check_framework_version("3.0-5")
    with pytest.raises(
        ValueError, match=r"framework_version 1\.7-1 runs XGBoost 1\.7\.4"
    ) as caught:
        model.check_framework_version("1.7-1")
    assert lacking in str(caught.value)
    assert "use framework_version 3.0-5" in str(caught.value)


def test_an_older_image_applies_its_own_rules() -> None:
    """GIVEN max_depth=0 without a tree method WHEN checked for 1.7-1 THEN refused: XGBoost
    1.7's 'auto' picks 'exact', which cannot grow unlimited trees (3.0's 'auto' is hist)."""
    model = build(max_depth=0)
    with pytest.raises(ValueError, match="tree_method 'auto' means 'exact'"):
        model.check_framework_version("1.7-1")
    build(max_depth=0, tree_method="hist").check_framework_version("1.7-1")


def test_an_unknown_framework_version_is_refused() -> None:
    """GIVEN a version with no entry in the data file WHEN checked THEN refused, listing
    the versions the scripts are checked against."""
    with pytest.raises(ValueError, match=r"use one of: 1\.7-1, 3\.0-5"):
        build().check_framework_version("1.5-1")


def test_json_schema_lists_choices_and_bounds() -> None:
    """GIVEN the model WHEN its JSON schema is generated THEN enums and bounds appear."""
    schema = XGBoostHyperparameters.model_json_schema()
    assert "binary:logistic" in str(schema["properties"]["objective"])
    assert "'maximum': 1.0" in str(schema["properties"]["subsample"])


def test_the_script_and_the_model_share_one_list_of_names() -> None:
    """GIVEN train_xgb.py's name table (read from its own folder) and the model's WHEN
    compared THEN every accepted name maps to the same stored name, and both refuse the
    same names with the same words."""
    script = load_script("train_xgb.py")
    known = script.known_names()
    assert PARAMETERS_FILE.name == script.PARAMETERS_FILE
    model_names = {name: name for name in SPACE.parameters} | dict(SPACE.aliases)
    assert known["names"] == model_names
    for name in [*SPACE.refused, "max_dept", "learnin_rate", "zzzz"]:
        assert script.describe_unknown(name, known) == SPACE.describe_unknown(name)


@pytest.mark.parametrize("script", ["train_xgb.py", "model_evaluation.py", "job_io.py"])
def test_scripts_parse_on_every_image_python(script: str) -> None:
    """GIVEN each image's Python (3.10 for 3.0-5, 3.8 for 1.7-1) WHEN a script, or the
    helper module it imports, is parsed with that grammar THEN it parses: no syntax newer
    than the container's."""
    source = (REFERENCE_SCRIPTS_DIR / script).read_text(encoding="utf-8")
    for image in SPACE.images.values():
        major, minor = version_tuple(image.python)[:2]
        ast.parse(source, feature_version=(major, minor))


def test_default_image_is_the_newest_every_supported_sdk_knows() -> None:
    """GIVEN the installed SDK's XGBoost image list WHEN compared THEN every image in the
    data file is one the SDK knows, and the default is its newest on SDK v2 (the pinned
    minimum, whose newest is 3.0-5); v3 also knows 3.2-0, which v2 cannot build."""
    import json

    from pipeline_steps.sdk import SDK_MAJOR, sdk_class

    config = Path(sdk_class("image_uris").__file__).parent / "image_uri_config" / "xgboost.json"
    versions = json.loads(config.read_text(encoding="utf-8"))["training"]["versions"]
    numbered = [v for v in versions if "-" in v]
    newest = max(numbered, key=lambda v: [int(part) for part in re.split(r"[.-]", v)])
    assert set(SPACE.images) <= set(versions)
    if SDK_MAJOR == 2:
        assert SPACE.default_framework_version == newest
    else:
        assert SPACE.default_framework_version == "3.0-5"
