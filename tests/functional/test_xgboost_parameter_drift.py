"""The installed XGBoost judges XGBoostHyperparameters and its data file, so drift fails loudly.

XGBoost's Python API warns ``Parameters: { ... } are not used`` for every name it
does not use when ``validate_parameters`` is on (as train_xgb.py sets it). So:

- in each context (booster, objective, tree method, ...), every field the model accepts
  is trained together through train_xgb.py's own name mapping: XGBoost must train and
  use them all;
- a field the model refuses in a context must be one XGBoost ignores or rejects there,
  unless the refusal follows a documented rule XGBoost does not check (listed below);
- every name in XGBoost's saved configuration is a known or a refused name;
- every metric form, objective and choice in the data file is one XGBoost knows, and
  the parameters newer than the installed XGBoost are ones it does not know.

The installed ``xgboost`` is matched to the image running the same minor release
(``xgboost-cpu~=3.0.5`` in the dev extra: image 3.0-5). Run under XGBoost 1.7.4, the
same checks verify the 1.7-1 entries (the ``since`` releases) of the data file.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from pipeline_steps.frameworks.xgboost.compatibility import resolve_values, version_problems
from pipeline_steps.frameworks.xgboost.hyperparameters import XGBoostHyperparameters
from pipeline_steps.frameworks.xgboost.metrics import metric_examples, parse_metric
from pipeline_steps.frameworks.xgboost.parameter_space import (
    ImageSpec,
    parameter_space,
    version_tuple,
)
from pipeline_steps.reference_scripts import load_script

xgb = pytest.importorskip("xgboost")

SPACE = parameter_space()
ROWS = 40
UNKNOWN_VALUE = re.compile(r"Unknown|Invalid Input|valid values|invalid argument", re.IGNORECASE)

SAMPLES: dict[str, Any] = {
    "device": "cpu",
    "verbosity": 1,
    "validate_parameters": True,
    "nthread": 1,
    "disable_default_eval_metric": True,
    "learning_rate": 0.2,
    "gamma": 0.1,
    "max_depth": 3,
    "min_child_weight": 0.5,
    "max_delta_step": 0.5,
    "subsample": 0.9,
    "sampling_method": "uniform",
    "colsample_bytree": 0.9,
    "colsample_bylevel": 0.9,
    "colsample_bynode": 0.9,
    "reg_lambda": 0.5,
    "reg_alpha": 0.1,
    "scale_pos_weight": 2.0,
    "refresh_leaf": True,
    "process_type": "default",
    "grow_policy": "lossguide",
    "max_leaves": 8,
    "max_bin": 64,
    "num_parallel_tree": 2,
    "monotone_constraints": [1, 0, 0, 0],
    "interaction_constraints": [[0, 1], [2, 3]],
    "multi_strategy": "one_output_per_tree",
    "max_cached_hist_node": 1024,
    "extmem_single_page": False,
    "max_cat_to_onehot": 2,
    "max_cat_threshold": 16,
    "sample_type": "weighted",
    "normalize_type": "forest",
    "rate_drop": 0.1,
    "one_drop": True,
    "skip_drop": 0.2,
    "top_k": 2,
    "base_score": 0.5,
    "random_state": 3,
    "seed_per_iteration": True,
    "tweedie_variance_power": 1.3,
    "huber_slope": 1.5,
    "aft_loss_distribution": "logistic",
    "aft_loss_distribution_scale": 1.2,
    "lambdarank_pair_method": "mean",
    "lambdarank_num_pair_per_sample": 2,
    "lambdarank_normalization": False,
    "lambdarank_score_normalization": False,
    "lambdarank_bias_norm": 1.0,
    "ndcg_exp_gain": False,
}
"""A valid value of every field that is not part of a context, usable on a CPU."""

CONTEXTS: list[dict[str, Any]] = [
    {"objective": "binary:logistic", "eval_metric": ["auc", "logloss"]},
    {"objective": "binary:logitraw"},
    {"objective": "binary:hinge"},
    {"objective": "reg:logistic"},
    {"objective": "reg:squarederror", "eval_metric": "rmse"},
    {"objective": "reg:absoluteerror"},
    {"objective": "reg:squaredlogerror"},
    {"objective": "reg:gamma"},
    {"objective": "reg:tweedie"},
    {"objective": "reg:pseudohubererror"},
    {"objective": "reg:quantileerror", "quantile_alpha": [0.2, 0.8]},
    {"objective": "count:poisson"},
    {"objective": "survival:cox"},
    {"objective": "multi:softprob", "num_class": 3, "eval_metric": "mlogloss"},
    {"objective": "multi:softmax", "num_class": 3},
    {"objective": "rank:ndcg"},
    {"objective": "rank:pairwise", "lambdarank_unbiased": True},
    {"objective": "binary:logistic", "eval_metric": "mphe"},
    {"booster": "dart", "objective": "binary:logistic"},
    {"booster": "gblinear", "objective": "binary:logistic"},
    {"booster": "gblinear", "objective": "count:poisson"},
    {"booster": "gblinear", "updater": "coord_descent", "feature_selector": "greedy"},
    {"tree_method": "exact", "objective": "binary:logistic"},
    {"tree_method": "approx", "objective": "binary:logistic"},
    {"tree_method": "hist", "objective": "binary:logistic"},
    {"updater": "grow_colmaker,refresh", "objective": "binary:logistic"},
]
"""Settings that decide which parameters XGBoost uses; every other field is a sample."""

DOCUMENTED_NOT_CHECKED = {
    "grow_policy": "doc: 'supported only if tree_method is set to hist or approx'",
    "max_leaves": "doc: 'Not used by exact tree method'",
    "max_bin": "doc: 'Only used if tree_method is set to hist or approx'",
    "refresh_leaf": "doc: 'a parameter of the refresh updater'",
    "top_k": "doc: 'top features to select in greedy and thrifty feature selector'",
    "lambdarank_bias_norm": "doc: 'Only relevant when lambdarank_unbiased is set to true'",
    "extmem_single_page": "doc: 'only used for the hist tree method with device=cuda'",
    "max_cached_hist_node": "doc: 'used with the hist and the approx tree methods'",
    "max_cat_to_onehot": "doc: categorical parameters; 'exact tree method is not yet supported'",
}
"""Refusals that follow XGBoost's documentation where XGBoost itself stays silent."""


def installed_image() -> ImageSpec:
    """The image whose XGBoost has the installed major.minor release."""
    installed = version_tuple(xgb.__version__.split("+")[0].split("rc")[0])[:2]
    for image in SPACE.images.values():
        if version_tuple(image.xgboost)[:2] == installed:
            return image
    pytest.fail(
        f"installed xgboost {xgb.__version__} matches no image in xgboost_parameters.json "
        f"({', '.join(f'{v}: {i.xgboost}' for v, i in SPACE.images.items())}); install the "
        "default image's release (the dev extra pins it) or add the image to the data file"
    )


IMAGE = installed_image()


TRAIN_XGB = load_script("train_xgb.py")
KNOWN = TRAIN_XGB.known_names()


def available(values: dict[str, Any]) -> bool:
    """Whether the installed XGBoost has every name and value in ``values``."""
    return not any(
        "lacks" in problem
        for problem in version_problems(resolve_values(values), IMAGE.framework_version)
    )


def accepted(values: dict[str, Any]) -> bool:
    """Whether the installed XGBoost's image accepts ``values`` (valid field values): its
    names, choices and rules. On the default image this is the model's own verdict."""
    verdict = not version_problems(resolve_values(values), IMAGE.framework_version)
    if IMAGE.framework_version == SPACE.default_framework_version:
        try:
            XGBoostHyperparameters.model_validate(values)
        except ValidationError:
            assert not verdict, f"the model refuses {values} but its rules accept it"
            return False
        assert verdict, f"the model accepts {values} but its rules refuse it"
    return verdict


def labels_for(objective: str) -> np.ndarray:
    rng = np.random.default_rng(5)
    if objective.startswith(("binary:", "reg:logistic", "rank:pairwise")):
        return (rng.random(ROWS) > 0.5).astype(float)
    if objective.startswith(("multi:", "rank:")):
        return rng.integers(0, 3, ROWS).astype(float)
    return rng.random(ROWS) + 0.5


@functools.cache
def matrix(objective: str) -> Any:
    """Tiny data fitting ``objective``, built once (one thread: spinning OpenMP threads
    cost more than they save on 40 rows)."""
    rng = np.random.default_rng(4)
    data = xgb.DMatrix(rng.random((ROWS, 4)), label=labels_for(objective), nthread=1)
    if objective == "survival:aft":
        lower = labels_for(objective)
        data.set_float_info("label_lower_bound", lower)
        data.set_float_info("label_upper_bound", lower + 1.0)
    return data


def train(document: dict[str, Any]) -> tuple[str | None, str]:
    """``(error or None, captured warnings and log)`` of training ``document`` two rounds,
    passed through train_xgb.py's own name mapping."""
    params, _ = TRAIN_XGB.split_hyperparameters(document, KNOWN)
    params.setdefault("nthread", 1)  # tiny data: spinning OpenMP threads only cost time
    objective = document.get("objective", "reg:squarederror")
    captured = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(captured):
        warnings.simplefilter("always")
        data = matrix(objective)
        try:
            xgb.train(params, data, num_boost_round=2, evals=[(data, "t")], verbose_eval=False)
            error = None
        except xgb.core.XGBoostError as failure:
            error = str(failure).splitlines()[0]
    log = captured.getvalue() + "\n".join(str(item.message) for item in caught)
    return error, log


def unused(log: str) -> set[str]:
    """Names XGBoost reported as not used."""
    found: set[str] = set()
    for group in re.findall(r"Parameters: \{([^}]*)\} (?:are|is) not used", log):
        found.update(name.strip().strip('"') for name in group.split(","))
    return found


def context_id(context: dict[str, Any]) -> str:
    return ",".join(f"{key}={value}" for key, value in context.items())


def test_every_field_is_a_sample_or_a_context_setting() -> None:
    """GIVEN the samples and contexts WHEN compared with the fields THEN each field but the
    training loop's appears, so a field added without a check here fails."""
    in_contexts = {key for context in CONTEXTS for key in context}
    loop = {name for name, spec in SPACE.parameters.items() if spec.native is None}
    assert set(SAMPLES) | in_contexts | loop == set(SPACE.parameters)


@pytest.mark.parametrize("context", CONTEXTS, ids=context_id)
def test_xgboost_uses_every_field_the_model_accepts(context: dict[str, Any]) -> None:
    """GIVEN a context and every sample the model accepts in it
    WHEN XGBoost trains them all together (validate_parameters on)
    THEN it trains and reports none of them unused; and each sample the model refuses
    there is one XGBoost ignores or rejects, or follows a documented rule."""
    if not available(context):
        pytest.skip(f"XGBoost {IMAGE.xgboost} lacks part of this context")
    assert accepted(context), context
    fields = [name for name in SAMPLES if available({name: SAMPLES[name]})]
    taken = [name for name in fields if accepted({**context, name: SAMPLES[name]})]
    error, log = train({**context, **{name: SAMPLES[name] for name in taken}})
    assert error is None, error
    assert unused(log) == set(), f"model accepted but XGBoost ignored: {unused(log)}"
    for name in fields:
        if name in taken or name in DOCUMENTED_NOT_CHECKED:
            continue
        error, log = train({**context, name: SAMPLES[name]})
        assert error is not None or name in unused(log), (
            f"the model refuses {name}={SAMPLES[name]!r} with {context}, but XGBoost uses it"
        )


def _config_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and key != "name":
                yield key
            else:
                yield from _config_names(value)


def test_every_name_in_xgboosts_configuration_is_known_or_refused() -> None:
    """GIVEN boosters trained in every context
    WHEN their saved configurations are read
    THEN each parameter name in them is a stored name, an alias, a native name or a
    refused name of the data file: a new XGBoost parameter fails here until it is added."""
    known = set(SPACE.parameters) | set(SPACE.aliases) | set(SPACE.refused)
    known |= {spec.native for spec in SPACE.parameters.values() if spec.native}
    seen: set[str] = set()
    for context in CONTEXTS:
        if not available(context):
            continue
        params, _ = TRAIN_XGB.split_hyperparameters({"nthread": 1, **context}, KNOWN)
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            booster = xgb.train(params, matrix(context.get("objective", "")), num_boost_round=1)
        seen.update(_config_names(__import__("json").loads(booster.save_config())))
    assert seen - known == set()
    assert {"eta", "max_depth", "lambda", "alpha", "seed"} <= seen


def _metric_context(metric: str) -> dict[str, Any]:
    kind = parse_metric(metric).spec.kind
    name = parse_metric(metric).spec.name
    if kind == "multiclass":
        return {"objective": "multi:softprob", "num_class": 3}
    if kind == "quantile":
        return {"objective": "reg:quantileerror", "quantile_alpha": 0.5}
    if kind == "interval":
        return {"objective": "survival:aft"}
    if name in ("pre", "map", "aucpr", "auc"):
        return {"objective": "rank:pairwise"}
    if name == "ndcg":
        return {"objective": "rank:ndcg"}
    if name == "cox-nloglik":
        return {"objective": "survival:cox"}
    return {"objective": "reg:gamma"}


@pytest.mark.parametrize("metric", metric_examples())
def test_every_metric_form_is_one_xgboost_knows(metric: str) -> None:
    """GIVEN each metric form the data file accepts WHEN XGBoost trains with it in a fitting
    objective THEN it evaluates (a metric newer than the installed XGBoost is unknown)."""
    spec = parse_metric(metric).spec
    error, _ = train({**_metric_context(metric), "eval_metric": metric})
    if not IMAGE.has(spec.since) or not available(_metric_context(metric)):
        assert error is not None
    else:
        assert error is None, error


def test_an_unknown_metric_is_one_xgboost_refuses() -> None:
    """GIVEN the negative control WHEN XGBoost trains with it THEN it refuses the name."""
    error, _ = train({"eval_metric": "not-a-metric"})
    assert error is not None and "Unknown metric" in error


CHOICES = [
    (name, value)
    for name, spec in SPACE.parameters.items()
    for value in spec.values
    if not value.startswith("grow_gpu")
]


@pytest.mark.parametrize(("name", "value"), CHOICES, ids=[f"{n}={v}" for n, v in CHOICES])
def test_every_choice_is_one_xgboost_knows(name: str, value: str) -> None:
    """GIVEN each enum value of the data file WHEN XGBoost trains with it THEN no
    unknown-value error (a value newer than the installed XGBoost is refused)."""
    document: dict[str, Any] = {name: value}
    scope = SPACE.parameters[name].scope
    for key, allowed in scope[0].items() if scope else ():
        if key not in ("tree_method", "eval_metric"):
            document.setdefault(key, allowed[0])
    if value.startswith("multi:"):
        document["num_class"] = 3
    if value == "reg:quantileerror":
        document["quantile_alpha"] = 0.5
    if name == "updater" and value in ("shotgun", "coord_descent"):
        document["booster"] = "gblinear"
    error, _ = train(document)
    if IMAGE.has(SPACE.parameters[name].value_since.get(value)):
        assert error is None or not UNKNOWN_VALUE.search(error), error
    else:
        assert error is not None and UNKNOWN_VALUE.search(error), error


def test_a_bogus_choice_is_one_xgboost_refuses() -> None:
    """GIVEN the negative control WHEN XGBoost trains with it THEN an unknown-value error."""
    error, _ = train({"tree_method": "bogus"})
    assert error is not None and UNKNOWN_VALUE.search(error)


def test_aft_parameters_are_xgboosts_given_label_bounds() -> None:
    """GIVEN survival:aft with the label bounds train_xgb.py cannot supply
    WHEN XGBoost trains with the AFT parameters THEN it uses them: they are real
    parameters, refused by the model only for want of the bounds."""
    error, log = train(
        {
            "objective": "survival:aft",
            "eval_metric": ["aft-nloglik", "interval-regression-accuracy"],
            "aft_loss_distribution": "logistic",
            "aft_loss_distribution_scale": 1.2,
        }
    )
    assert error is None, error
    assert unused(log) == set()


def test_parameters_newer_than_the_installed_xgboost_are_unknown_to_it() -> None:
    """GIVEN the parameters whose 'since' is after the installed XGBoost WHEN it trains
    with each THEN it reports it unused or fails: the data file's releases are right."""
    newer = [spec for spec in SPACE.parameters.values() if not IMAGE.has(spec.since)]
    for spec in newer:
        document = {spec.name: SAMPLES.get(spec.name, 0.5)}
        for key, allowed in spec.scope[0].items() if spec.scope else ():
            if key not in ("tree_method", "eval_metric"):
                document.setdefault(key, allowed[0])
        error, log = train(document)
        assert error is not None or spec.native in unused(log), spec.name
    if IMAGE.framework_version == SPACE.default_framework_version:
        assert newer == []


def test_installed_xgboost_is_the_default_images() -> None:
    """GIVEN the dev extra's pin WHEN the suite runs THEN it judges with the default image's
    XGBoost release (3.0-5 runs 3.0.5)."""
    assert IMAGE.framework_version == SPACE.default_framework_version
    assert Path(xgb.__file__).exists()
