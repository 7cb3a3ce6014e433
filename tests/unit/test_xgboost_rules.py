"""XGBoostHyperparameters: eval_metric forms and the cross-field rules XGBoost enforces.

Each invalid combination of issue 9 is refused when the model is built, with the fix;
each valid one is accepted as given. Real XGBoost judges the same rules in
tests/functional/test_xgboost_parameter_drift.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pipeline_steps.frameworks.xgboost.hyperparameters import XGBoostHyperparameters
from pipeline_steps.frameworks.xgboost.metrics import metric_examples, parse_metric
from pipeline_steps.frameworks.xgboost.parameter_space import parameter_space

SPACE = parameter_space()


def build(**values: Any) -> XGBoostHyperparameters:
    """The model from keyword values, aliases such as ``lambda`` included."""
    return XGBoostHyperparameters.model_validate(values)


def refusal(**values: Any) -> str:
    """The validation message for ``values``, which must be refused."""
    with pytest.raises(ValidationError) as caught:
        build(**values)
    return str(caught.value)


@pytest.mark.parametrize("metric", metric_examples())
def test_every_metric_form_xgboost_documents_is_accepted(metric: str) -> None:
    """GIVEN each metric name and each '@'/'-' form it takes WHEN parsed THEN accepted."""
    assert parse_metric(metric).spec.name in SPACE.metrics


@pytest.mark.parametrize(
    "metrics",
    [
        ["auc", "aucpr", "logloss", "error", "error@0.6"],
        "ndcg@5-",
        ["map@10", "pre@3", "ndcg-", "map-"],
    ],
)
def test_binary_objective_takes_one_metric_or_a_list(metrics: Any) -> None:
    """GIVEN one metric or a list for a binary objective WHEN built THEN kept as given."""
    model = build(objective="binary:logistic", eval_metric=metrics)
    assert model.to_hyperparameters()["eval_metric"] == metrics


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("auc,logloss", "pass a list: ['auc', 'logloss']"),
        ("auc logloss", "pass a list"),
        ("not-a-metric", "is not an XGBoost evaluation metric"),
        ("aucc", "did you mean 'auc'?"),
        ("tweedie-nloglik", "write tweedie-nloglik@1.5"),
        ("tweedie-nloglik@2.5", "in [1, 2)"),
        ("error@high", "must be a number"),
        ("ndcg@0", "positive integer"),
        ("ndcg@x-", "positive integer"),
        ("rmse@2", "takes no '@' suffix"),
        ("pre-", "only ndcg and map take a trailing '-'"),
        ("error-", "only ndcg and map take a trailing '-'"),
    ],
)
def test_malformed_metrics_are_refused_with_the_fix(metric: str, expected: str) -> None:
    """GIVEN a metric string XGBoost would reject WHEN built THEN refused with the fix."""
    message = refusal(objective="binary:logistic", eval_metric=metric)
    assert expected in message
    assert "eval_metric" in message


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"objective": "reg:quantileerror"}, "needs quantile_alpha"),
        ({"eval_metric": "quantile"}, "needs quantile_alpha"),
        ({"objective": "survival:aft"}, "use objective 'survival:cox'"),
        ({"eval_metric": "aft-nloglik"}, "label bounds"),
        ({"max_depth": 0, "tree_method": "exact"}, "set tree_method='hist' or 'approx'"),
        ({"colsample_bynode": 0.5, "tree_method": "exact"}, "not supported by tree_method"),
        ({"multi_strategy": "multi_output_tree", "tree_method": "approx"}, "needs tree_method"),
        ({"multi_strategy": "multi_output_tree", "booster": "dart"}, "use booster='gbtree'"),
        ({"objective": "multi:softmax"}, "num_class is required"),
        ({"objective": "binary:logistic", "num_class": 2}, "only allowed with a multi-class"),
        ({"rate_drop": 0.1}, "used only when booster is 'dart'"),
        ({"one_drop": True, "booster": "gbtree"}, "used only when booster is 'dart'"),
        ({"booster": "gblinear", "max_depth": 3}, "max_depth would be ignored"),
        ({"booster": "gblinear", "tree_method": "hist"}, "tree_method would be ignored"),
        ({"booster": "gblinear", "subsample": 0.5}, "subsample would be ignored"),
        ({"feature_selector": "cyclic"}, "booster is 'gblinear'"),
        ({"booster": "gblinear", "feature_selector": "greedy"}, "needs updater='coord_descent'"),
        ({"booster": "gblinear", "updater": "grow_colmaker"}, "not a linear updater"),
        ({"updater": "shotgun"}, "not a tree updater"),
        ({"updater": "grow_colmaker", "tree_method": "exact"}, "set only one"),
        ({"process_type": "update"}, "trains from scratch"),
        ({"tree_method": "exact", "max_bin": 64}, "tree_method is 'hist' or 'approx'"),
        ({"tree_method": "exact", "grow_policy": "lossguide"}, "grow_policy would be ignored"),
        ({"sampling_method": "gradient_based"}, "set device='cuda'"),
        ({"extmem_single_page": True}, "set device='cuda'"),
        ({"objective": "binary:logistic", "eval_metric": "mlogloss"}, "multi-class objective"),
        (
            {"objective": "multi:softprob", "num_class": 3, "eval_metric": "logloss"},
            "use 'mlogloss', 'merror', 'auc' or 'aucpr'",
        ),
        (
            {"objective": "reg:quantileerror", "quantile_alpha": [0.1, 0.9], "eval_metric": "rmse"},
            "use 'quantile'",
        ),
        ({"objective": "binary:logistic", "base_score": 1.0}, "outside (0, 1)"),
        ({"objective": "reg:absoluteerror", "num_parallel_tree": 2}, "num_parallel_tree=1"),
        ({"tweedie_variance_power": 1.2}, "objective is 'reg:tweedie'"),
        ({"huber_slope": 2.0}, "eval_metric includes 'mphe'"),
        ({"quantile_alpha": 0.5}, "objective is 'reg:quantileerror'"),
        ({"objective": "count:poisson", "scale_pos_weight": 3.0}, "objective is 'binary:logistic'"),
        ({"lambdarank_pair_method": "mean"}, "objective is 'rank:ndcg'"),
        ({"objective": "rank:ndcg", "lambdarank_bias_norm": 1.0}, "lambdarank_unbiased is True"),
        ({"refresh_leaf": False}, "updater includes 'refresh'"),
    ],
)
def test_cross_field_rules_are_enforced_with_the_fix(values: dict[str, Any], expected: str) -> None:
    """GIVEN a combination XGBoost rejects or would silently ignore WHEN built THEN refused,
    saying what to change."""
    assert expected in refusal(**values)


def test_each_error_is_reported_at_its_field() -> None:
    """GIVEN an unknown name, a repeated alias, a bound and a rule broken at once
    WHEN built THEN each error's location is the name or field concerned."""
    with pytest.raises(ValidationError) as caught:
        build(max_dept=3, eta=0.1, learning_rate=0.2, subsample=2.0)
    assert {error["loc"] for error in caught.value.errors()} == {
        ("max_dept",),
        ("learning_rate",),
        ("subsample",),
    }
    with pytest.raises(ValidationError) as caught:
        build(max_depth=0, tree_method="exact", rate_drop=0.1)
    assert [error["loc"] for error in caught.value.errors()] == [("max_depth",), ("rate_drop",)]
    assert {error["type"] for error in caught.value.errors()} == {"xgboost_rule"}


def test_assignment_is_checked_like_construction() -> None:
    """GIVEN a valid model WHEN a field is set to a value a rule forbids THEN refused."""
    model = build(tree_method="exact")
    with pytest.raises(ValidationError, match="not supported by tree_method 'exact'"):
        model.max_depth = 0


@pytest.mark.parametrize(
    "values",
    [
        {"objective": "reg:quantileerror", "quantile_alpha": 0.5},
        {
            "objective": "reg:quantileerror",
            "quantile_alpha": [0.1, 0.5, 0.9],
            "eval_metric": "quantile",
        },
        {"max_depth": 0},
        {"max_depth": 0, "grow_policy": "lossguide", "max_leaves": 16},
        {"max_depth": 0, "tree_method": "approx"},
        {"booster": "dart", "rate_drop": 0.1, "skip_drop": 0.5, "one_drop": True},
        {
            "booster": "gblinear",
            "updater": "coord_descent",
            "feature_selector": "greedy",
            "top_k": 2,
        },
        {"booster": "gblinear", "objective": "count:poisson", "max_delta_step": 0.7},
        {"objective": "reg:pseudohubererror", "huber_slope": 2.0},
        {"objective": "binary:logistic", "eval_metric": "mphe", "huber_slope": 2.0},
        {
            "objective": "reg:tweedie",
            "tweedie_variance_power": 1.2,
            "eval_metric": "tweedie-nloglik@1.2",
        },
        {
            "objective": "multi:softmax",
            "num_class": 4,
            "eval_metric": ["merror", "mlogloss", "auc"],
        },
        {"objective": "rank:ndcg", "lambdarank_unbiased": True, "lambdarank_bias_norm": 1.0},
        {"objective": "survival:cox", "eval_metric": "cox-nloglik"},
        {"device": "cuda", "sampling_method": "gradient_based", "subsample": 0.5},
        {"multi_strategy": "multi_output_tree", "objective": "multi:softprob", "num_class": 3},
        {"updater": "grow_colmaker,refresh", "refresh_leaf": True, "max_depth": 3},
        {"monotone_constraints": [1, 0, -1], "interaction_constraints": [[0, 1], [2]]},
    ],
)
def test_combinations_xgboost_trains_with_are_accepted(values: dict[str, Any]) -> None:
    """GIVEN a combination XGBoost trains with WHEN built THEN accepted as given."""
    assert build(**values).to_hyperparameters().items() >= values.items()
