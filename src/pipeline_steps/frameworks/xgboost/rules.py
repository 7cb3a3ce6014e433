"""The cross-field rules XGBoost enforces, checked before a job is ever started.

Each rule reads a mapping of stored names to values (a pipeline parameter stands
as its default, or as ``UNKNOWN`` when it has none, and a rule that needs an
unknown value is skipped) and the image the job runs on: XGBoost 1.7's
``tree_method="auto"`` is not 3.0's. Every message says what to change.

Not checkable here: ``device="cuda"`` needs a GPU instance type, the labels must fit
the objective (0/1 for binary, integers below ``num_class``, positive for gamma, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pipeline_steps.frameworks.xgboost.metrics import parse_metric
from pipeline_steps.frameworks.xgboost.parameter_space import (
    ImageSpec,
    parameter_space,
    version_tuple,
)

__all__ = ["MULTICLASS_OBJECTIVES", "UNKNOWN", "Problem", "check_rules", "metric_names"]

UNKNOWN: Any = type("Unknown", (), {"__repr__": lambda self: "UNKNOWN"})()
"""Stands for a pipeline parameter without a default: its value is known only at run time."""

MULTICLASS_OBJECTIVES = frozenset({"multi:softmax", "multi:softprob"})
_LOGISTIC_OBJECTIVES = frozenset({"binary:logistic", "reg:logistic"})
_ADAPTIVE_LEAF_OBJECTIVES = frozenset({"reg:absoluteerror", "reg:quantileerror"})
_GPU_DEVICES = ("cuda", "gpu")
_TREE_UPDATERS = {
    "grow_colmaker": "exact",
    "grow_histmaker": "approx",
    "grow_quantile_histmaker": "hist",
    "grow_gpu_hist": "hist",
    "grow_gpu_approx": "approx",
    "sync": None,
    "refresh": None,
    "prune": None,
}
_LINEAR_UPDATERS = ("shotgun", "coord_descent")
_NO_LABEL_BOUNDS = (
    "needs each row's label bounds (label_lower_bound and label_upper_bound), which "
    "train_xgb.py's CSV channels (label first) cannot supply; use objective "
    "'survival:cox' for right-censored data (a negative label marks a censored row), or "
    "a training script of your own that sets the bounds"
)

Values = Mapping[str, Any]
Problem = tuple[str, str]
"""``(field, message)``: the field a problem is reported on and what to change."""


def _get(values: Values, name: str) -> Any:
    """The value in force: the one given, else XGBoost's default from the data file."""
    if name in values:
        return values[name]
    return parameter_space().parameters[name].default


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def metric_names(values: Values) -> list[str] | None:
    """The registered names of the eval metrics given (None: not known before run time)."""
    given = values.get("eval_metric")
    if given is None:
        return []
    items = given if isinstance(given, list) else [given]
    names = []
    for item in items:
        if not isinstance(item, str):
            return None
        try:
            names.append(parse_metric(item).spec.name)
        except ValueError:
            continue
    return names


def _updater_tokens(values: Values) -> list[str] | None:
    updater = values.get("updater")
    if updater is None:
        return []
    if not isinstance(updater, str):
        return None
    return [token.strip() for token in updater.split(",") if token.strip()]


def tree_method_in_force(values: Values, image: ImageSpec) -> str | None:
    """The tree method XGBoost will use ('auto' resolved for the image), None if unknown."""
    tokens = _updater_tokens(values)
    if tokens:
        methods = [_TREE_UPDATERS.get(token) for token in tokens]
        return next((method for method in methods if method), None)
    method = _get(values, "tree_method")
    if not isinstance(method, str):
        return None
    return image.auto_tree_method if method == "auto" else method


def _release_holds(condition: str, image: ImageSpec) -> bool:
    """``">=2.1.0"`` or ``"<3.0.3"`` against the image's XGBoost release."""
    bound = version_tuple(condition.lstrip("<>="))
    release = version_tuple(image.xgboost)
    return release >= bound if condition.startswith(">=") else release < bound


def _matches(values: Values, key: str, allowed: tuple[Any, ...], image: ImageSpec) -> bool | None:
    current: list[Any] | None
    if key == "xgboost":
        return all(_release_holds(condition, image) for condition in allowed)
    if key == "eval_metric":
        current = metric_names(values)
    elif key == "updater":
        current = _updater_tokens(values)
    elif key == "tree_method":
        method = tree_method_in_force(values, image)
        current = None if method is None else [method]
    else:
        value = _get(values, key)
        current = None if value is UNKNOWN else [value]
    if current is None:
        return None
    return any(item in allowed for item in current)


def _describe(key: str, allowed: tuple[Any, ...]) -> str:
    if key == "xgboost":
        return f"XGBoost is {' and '.join(allowed)}"
    shown = " or ".join(repr(value) for value in allowed)
    if key in ("eval_metric", "updater"):
        return f"{key} includes {shown}"
    return f"{key} is {shown}"


def _scope_problems(values: Values, image: ImageSpec) -> Iterator[Problem]:
    for name in values:
        spec = parameter_space().parameters.get(name)
        if spec is None or not spec.scope or name == "num_class":
            continue
        outcomes = []
        for alternative in spec.scope:
            results = [
                _matches(values, key, allowed, image) for key, allowed in alternative.items()
            ]
            outcomes.append(None if None in results and False not in results else all(results))
        if any(outcome is not False for outcome in outcomes):
            continue
        needs = " or ".join(
            " and ".join(_describe(key, allowed) for key, allowed in alternative.items())
            for alternative in spec.scope
        )
        keys = sorted({key for alternative in spec.scope for key in alternative} - {"xgboost"})
        now = ", ".join(f"{key}={_shown(values, key, image)}" for key in keys)
        yield (
            name,
            (
                f"{name} would be ignored by XGBoost here ({now}): it is used only when {needs}; "
                f"remove {name} or change {' / '.join(keys)}"
            ),
        )


def _shown(values: Values, key: str, image: ImageSpec) -> str:
    if key == "tree_method" and key not in values:
        return f"'auto' (= {tree_method_in_force(values, image)!r} in XGBoost {image.xgboost})"
    if key == "eval_metric":
        return repr(metric_names(values))
    return repr(_get(values, key))


def _objective_problems(values: Values, image: ImageSpec) -> Iterator[Problem]:
    objective = _get(values, "objective")
    if objective == "survival:aft":
        yield "objective", f"objective 'survival:aft' {_NO_LABEL_BOUNDS}"
    if objective in MULTICLASS_OBJECTIVES and values.get("num_class") is None:
        yield (
            "num_class",
            (
                f"num_class is required with objective {objective!r} (a multi-class objective): "
                "set num_class to the number of classes (labels are 0 .. num_class-1)"
            ),
        )
    given_classes = values.get("num_class") is not None
    if given_classes and objective is not UNKNOWN and objective not in MULTICLASS_OBJECTIVES:
        yield (
            "num_class",
            (
                "num_class is only allowed with a multi-class objective (multi:softmax, "
                f"multi:softprob), not {objective!r}; remove num_class or change the objective"
            ),
        )
    if objective == "reg:quantileerror" and values.get("quantile_alpha") is None:
        yield (
            "quantile_alpha",
            (
                "objective 'reg:quantileerror' needs quantile_alpha: set the quantile to fit, "
                "e.g. quantile_alpha=0.5, or several, e.g. [0.1, 0.5, 0.9]"
            ),
        )
    base_score = _number(values.get("base_score"))
    if objective in _LOGISTIC_OBJECTIVES and base_score is not None and not 0 < base_score < 1:
        yield (
            "base_score",
            (
                f"base_score {base_score} is outside (0, 1), which XGBoost requires for objective "
                f"{objective!r} (a probability); use a value between 0 and 1, or leave it unset"
            ),
        )
    trees = _number(values.get("num_parallel_tree")) or 1
    if objective in _ADAPTIVE_LEAF_OBJECTIVES and trees > 1 and image.has("2.0.0"):
        yield (
            "num_parallel_tree",
            (
                f"num_parallel_tree={int(trees)} is not supported with objective {objective!r} "
                "(XGBoost: boosting random forest is not supported for this objective); set "
                "num_parallel_tree=1"
            ),
        )


def _metric_problems(values: Values) -> Iterator[Problem]:
    names = metric_names(values)
    objective = _get(values, "objective")
    if not names or objective is UNKNOWN:
        return
    metrics = parameter_space().metrics
    alphas = values.get("quantile_alpha")
    several_quantiles = isinstance(alphas, list) and len(alphas) > 1
    for name in dict.fromkeys(names):
        kind = metrics[name].kind
        if kind == "interval":
            yield "eval_metric", f"eval_metric {name!r} {_NO_LABEL_BOUNDS}"
        elif kind == "multiclass" and objective not in MULTICLASS_OBJECTIVES:
            yield (
                "eval_metric",
                (
                    f"eval_metric {name!r} needs a multi-class objective (multi:softprob or "
                    f"multi:softmax), not {objective!r}; use 'logloss' or 'error' for binary "
                    "classification"
                ),
            )
        elif kind in ("elementwise", "ranking") and objective in MULTICLASS_OBJECTIVES:
            yield (
                "eval_metric",
                (
                    f"eval_metric {name!r} scores one prediction per row, but objective "
                    f"{objective!r} predicts one per class; use 'mlogloss', 'merror', 'auc' or "
                    "'aucpr'"
                ),
            )
        elif kind == "elementwise" and several_quantiles:
            yield (
                "eval_metric",
                (
                    f"eval_metric {name!r} scores one prediction per row, but quantile_alpha "
                    f"{alphas} predicts one per quantile; use 'quantile'"
                ),
            )
        elif kind == "quantile" and values.get("quantile_alpha") is None:
            yield (
                "quantile_alpha",
                ("eval_metric 'quantile' needs quantile_alpha; set the quantile(s) to score"),
            )


def _tree_method_problems(values: Values, image: ImageSpec) -> Iterator[Problem]:
    booster = _get(values, "booster")
    if values.get("multi_strategy") == "multi_output_tree" and booster in ("dart", "gblinear"):
        yield (
            "multi_strategy",
            (
                f"multi_strategy 'multi_output_tree' builds multi-output trees, which booster "
                f"{booster!r} does not support (XGBoost: dart fails, gblinear ignores it); use "
                "booster='gbtree' or remove multi_strategy"
            ),
        )
    if booster == "gblinear":
        return
    method = tree_method_in_force(values, image)
    auto = "tree_method" not in values and not _updater_tokens(values)
    why = f" (XGBoost {image.xgboost}'s tree_method 'auto' means {method!r})" if auto else ""
    if method == "exact" and values.get("max_depth") == 0:
        yield (
            "max_depth",
            (
                f"max_depth=0 (no depth limit) is not supported by tree_method 'exact'{why}; set "
                "tree_method='hist' or 'approx', or max_depth above 0"
            ),
        )
    bynode = _number(values.get("colsample_bynode"))
    if method == "exact" and bynode is not None and bynode < 1 and image.has("2.1.0"):
        yield (
            "colsample_bynode",
            (
                f"colsample_bynode is not supported by tree_method 'exact'{why}; set "
                "tree_method='hist' or 'approx', or remove colsample_bynode"
            ),
        )
    strategy = values.get("multi_strategy")
    if strategy == "multi_output_tree" and method is not None and method != "hist":
        yield (
            "multi_strategy",
            (f"multi_strategy 'multi_output_tree' needs tree_method 'hist', not {method!r}{why}"),
        )
    tokens = _updater_tokens(values)
    if tokens and "tree_method" in values:
        yield (
            "updater",
            (
                "updater and tree_method are both set; XGBoost ignores tree_method when updater "
                "is given, so set only one (tree_method is the usual choice)"
            ),
        )
    if values.get("process_type") == "update":
        yield (
            "process_type",
            (
                "process_type 'update' modifies the trees of an existing model, but train_xgb.py "
                "trains from scratch; remove process_type"
            ),
        )


def _device_problems(values: Values) -> Iterator[Problem]:
    device = _get(values, "device")
    on_gpu = isinstance(device, str) and device.startswith(_GPU_DEVICES)
    if values.get("sampling_method") == "gradient_based" and device is not UNKNOWN and not on_gpu:
        yield (
            "sampling_method",
            (
                "sampling_method 'gradient_based' runs only on a GPU; set device='cuda' (with a "
                "GPU instance type) or use sampling_method='uniform'"
            ),
        )
    if values.get("extmem_single_page") is True and device is not UNKNOWN and not on_gpu:
        yield (
            "extmem_single_page",
            (
                "extmem_single_page=true is used only on a GPU with subsample below 1; set "
                "device='cuda' or remove extmem_single_page"
            ),
        )


def _linear_problems(values: Values) -> Iterator[Problem]:
    booster = _get(values, "booster")
    tokens = _updater_tokens(values)
    if tokens and booster in ("gbtree", "dart"):
        wrong = [token for token in tokens if token not in _TREE_UPDATERS]
        if wrong:
            yield (
                "updater",
                (
                    f"updater {', '.join(wrong)} is not a tree updater (booster {booster!r}); use "
                    f"{', '.join(_TREE_UPDATERS)}"
                ),
            )
    if tokens and booster == "gblinear" and (len(tokens) != 1 or tokens[0] not in _LINEAR_UPDATERS):
        yield (
            "updater",
            (
                f"updater {values.get('updater')!r} is not a linear updater; with booster "
                "'gblinear' use 'shotgun' or 'coord_descent'"
            ),
        )
    selector = values.get("feature_selector")
    if selector in ("greedy", "thrifty") and tokens is not None and tokens != ["coord_descent"]:
        yield (
            "feature_selector",
            (
                f"feature_selector {selector!r} needs updater='coord_descent' (the default "
                "'shotgun' supports only 'cyclic' and 'shuffle')"
            ),
        )


_RULES: tuple[Callable[[Values, ImageSpec], Iterator[Problem]], ...] = (
    _objective_problems,
    lambda values, _image: _metric_problems(values),
    _tree_method_problems,
    lambda values, _image: _device_problems(values),
    lambda values, _image: _linear_problems(values),
    _scope_problems,
)


def check_rules(values: Values, image: ImageSpec) -> list[Problem]:
    """Every cross-field problem of ``values`` on ``image``: ``(field, message)`` pairs."""
    return [problem for rule in _RULES for problem in rule(values, image)]
