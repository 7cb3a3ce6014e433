"""``XGBoostHyperparameters``: XGBoost's documented parameter space as a typed model.

The names, aliases, enums and the release that brought each parameter come from
``xgboost_parameters.json`` (beside ``train_xgb.py``, which reads the same file);
bounds are XGBoost's (``doc/parameter.rst`` and ``DMLC_DECLARE_FIELD`` at v3.0.5,
the XGBoost of the default image ``3.0-5``). The cross-field rules are in
``rules.py``; checking against another framework version is in ``compatibility.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from pipeline_steps.core.hyperparameters import AcceptsParameter, HyperparametersModel
from pipeline_steps.core.hyperparameters import parameter_field as _field
from pipeline_steps.frameworks.xgboost.compatibility import resolve_values, version_problems
from pipeline_steps.frameworks.xgboost.metrics import parse_metric
from pipeline_steps.frameworks.xgboost.parameter_space import parameter_space
from pipeline_steps.frameworks.xgboost.rules import MULTICLASS_OBJECTIVES, check_rules
from pipeline_steps.sdk import Parameter

__all__ = ["MULTICLASS_OBJECTIVES", "XGBOOST_OBJECTIVES", "XGBoostHyperparameters"]

_SPACE = parameter_space()

XGBOOST_OBJECTIVES: tuple[str, ...] = _SPACE.parameters["objective"].values
"""The learning objectives XGBoost documents for the default image's release."""


def _choices(name: str) -> Any:
    return Literal.__getitem__(_SPACE.parameters[name].values)


if TYPE_CHECKING:
    AftDistribution: TypeAlias = str
    Booster: TypeAlias = str
    FeatureSelector: TypeAlias = str
    GrowPolicy: TypeAlias = str
    MultiStrategy: TypeAlias = str
    NormalizeType: TypeAlias = str
    Objective: TypeAlias = str
    PairMethod: TypeAlias = str
    ProcessType: TypeAlias = str
    SampleType: TypeAlias = str
    SamplingMethod: TypeAlias = str
    TreeMethod: TypeAlias = str
else:
    Booster, AftDistribution = _choices("booster"), _choices("aft_loss_distribution")
    FeatureSelector, GrowPolicy = _choices("feature_selector"), _choices("grow_policy")
    MultiStrategy, NormalizeType = _choices("multi_strategy"), _choices("normalize_type")
    Objective, PairMethod = _choices("objective"), _choices("lambdarank_pair_method")
    ProcessType, SampleType = _choices("process_type"), _choices("sample_type")
    SamplingMethod, TreeMethod = _choices("sampling_method"), _choices("tree_method")

_INT32 = 2**31 - 1
_INT64 = 2**63 - 1
_UPDATERS = "|".join(_SPACE.parameters["updater"].values)


def _check_metric(text: str) -> str:
    parse_metric(text)
    return text


MetricName = Annotated[str, Field(strict=True), AfterValidator(_check_metric)]
OneMetric = Annotated[str | Parameter, AcceptsParameter(MetricName, str)]
Fraction = Annotated[float, Field(strict=True, ge=0.0, le=1.0)]
Monotone = Annotated[int, Field(strict=True, ge=-1, le=1)]
FeatureIndex = Annotated[int, Field(strict=True, ge=0)]


def _one_or_a_list(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Validate a one-value-or-a-list field, reporting only the errors of the form given
    (a list's or a single value's) at the field itself, not at pydantic's union branches."""
    try:
        return handler(value)
    except ValidationError as invalid:
        errors = [
            error
            for error in invalid.errors()
            if str(error["loc"][0] if error["loc"] else "").startswith("list")
            == isinstance(value, list)
        ] or invalid.errors()
        message = "; ".join(error["msg"].removeprefix("Value error, ") for error in errors)
        raise PydanticCustomError("one_or_a_list", message) from None


ONE_OR_A_LIST = WrapValidator(_one_or_a_list)


def _enum(choices: Any) -> AcceptsParameter:
    return AcceptsParameter(choices, str)


def _doc(name: str, text: str) -> Any:
    """A field defaulting to None (XGBoost's own default applies), described from the data."""
    spec = _SPACE.parameters[name]
    names = [f"XGBoost name: {spec.native}"] if spec.native and spec.native != name else []
    if spec.aliases:
        names.append(f"aliases: {', '.join(spec.aliases)}")
    if spec.since:
        names.append(f"since XGBoost {spec.since}")
    default = "" if spec.default is None else f" XGBoost default: {spec.default!r}."
    extra = f" ({'; '.join(names)})" if names else ""
    return Field(None, description=f"{text}{extra}.{default}")


def _line_error(kind: str, name: str, message: str, value: Any) -> InitErrorDetails:
    """An error at ``name`` (the message is shown as is: no context, so no placeholders)."""
    return InitErrorDetails(
        type=PydanticCustomError(kind, message),
        loc=(name,),
        input=value,
    )


def _as_line_error(detail: ErrorDetails) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError(detail["type"], detail["msg"]),
        loc=detail["loc"],
        input=detail["input"],
    )


def _store_aliases(data: dict[Any, Any]) -> tuple[dict[str, Any], list[InitErrorDetails]]:
    """``data`` keyed by stored names, and an error at each unknown or repeated name."""
    stored: dict[str, Any] = {}
    given_as: dict[str, str] = {}
    errors: list[InitErrorDetails] = []
    for key, value in data.items():
        name = _SPACE.stored_name(key) if isinstance(key, str) else None
        if name is None:
            errors.append(
                _line_error(
                    "unknown_hyperparameter", str(key), _SPACE.describe_unknown(str(key)), value
                )
            )
        elif name in stored:
            message = (
                f"{given_as[name]!r} and {key!r} are the same XGBoost parameter (stored as "
                f"{name!r}); give it once"
            )
            errors.append(_line_error("repeated_hyperparameter", key, message, value))
        else:
            stored[name], given_as[name] = value, key
    return stored, errors


class XGBoostHyperparameters(HyperparametersModel):
    """Hyperparameters of the XGBoost training script (``train_xgb.py``).

    Every parameter XGBoost 3.0.5 documents is a field (the default image ``3.0-5``
    runs XGBoost 3.0.5) with XGBoost's bounds and choices, plus the training loop's
    ``n_estimators`` and ``early_stopping_rounds``. A field left at None is not sent,
    so XGBoost applies its own default for the booster in use. Each field takes a
    literal or a pipeline parameter of a matching type (list-valued fields take
    literals). Cross-field rules XGBoost enforces are checked when the model is
    built; ``check_framework_version("1.7-1")`` checks another image's XGBoost.

    XGBoost's aliases are accepted and stored under one name each (pass ``lambda``
    as ``XGBoostHyperparameters(**{"lambda": 1.0})`` or ``model_validate``):

    ============== =========================================
    stored name    also accepted as
    ============== =========================================
    n_estimators   num_round, num_boost_round
    learning_rate  eta
    gamma          min_split_loss
    reg_lambda     lambda
    reg_alpha      alpha
    random_state   seed
    nthread        n_jobs
    ============== =========================================

    Example::

        XGBoostHyperparameters(objective="binary:logistic", max_depth=6, learning_rate=0.1,
                               n_estimators=200, eval_metric=["auc", "logloss"])
        XGBoostHyperparameters(objective="multi:softprob", num_class=3,
                               learning_rate=ParameterFloat("LearningRate", 0.05))
        XGBoostHyperparameters(objective="reg:quantileerror", quantile_alpha=[0.1, 0.5, 0.9])
    """

    n_estimators: Annotated[int | Parameter, _field(int, ge=1)] = Field(
        _SPACE.parameters["n_estimators"].default,
        description="Boosting rounds train_xgb.py runs (aliases: num_round, num_boost_round).",
    )
    early_stopping_rounds: Annotated[int | Parameter | None, _field(int, ge=1)] = Field(
        None,
        description="Stop when the last eval_metric on the validation channel has not improved "
        "for this many rounds; needs a validation channel.",
    )

    booster: Annotated[Booster | Parameter | None, _enum(Booster)] = _doc("booster", "Booster")
    device: Annotated[
        str | Parameter | None, _field(str, pattern=r"^(cpu|(cuda|gpu)(:[0-9]+)?)$")
    ] = _doc("device", "cpu, cuda, cuda:<ordinal>, gpu or gpu:<ordinal>; cuda needs a GPU instance")
    verbosity: Annotated[int | Parameter | None, _field(int, ge=0, le=3)] = _doc(
        "verbosity", "0 silent, 1 warning, 2 info, 3 debug"
    )
    validate_parameters: Annotated[bool | Parameter | None, _field(bool)] = _doc(
        "validate_parameters", "Warn about parameters XGBoost does not use"
    )
    nthread: Annotated[int | Parameter | None, _field(int, ge=0)] = _doc(
        "nthread", "Threads; 0 means all cores"
    )
    disable_default_eval_metric: Annotated[bool | Parameter | None, _field(bool)] = _doc(
        "disable_default_eval_metric", "Do not add the objective's default metric"
    )

    learning_rate: Annotated[float | Parameter | None, _field(float, ge=0.0, le=1.0)] = _doc(
        "learning_rate", "Step size shrinkage, in [0, 1] (gblinear default 0.5)"
    )
    gamma: Annotated[float | Parameter | None, _field(float, ge=0.0)] = _doc(
        "gamma", "Minimum loss reduction to split a leaf"
    )
    max_depth: Annotated[int | Parameter | None, _field(int, ge=0, le=_INT32)] = _doc(
        "max_depth", "Maximum tree depth; 0 means no limit (not with tree_method 'exact')"
    )
    min_child_weight: Annotated[float | Parameter | None, _field(float, ge=0.0)] = _doc(
        "min_child_weight", "Minimum sum of instance weight (hessian) in a child"
    )
    max_delta_step: Annotated[float | Parameter | None, _field(float, ge=0.0)] = _doc(
        "max_delta_step", "Maximum delta step of each leaf output; 0 means no limit"
    )
    subsample: Annotated[float | Parameter | None, _field(float, gt=0.0, le=1.0)] = _doc(
        "subsample", "Fraction of rows sampled per round, in (0, 1]"
    )
    sampling_method: Annotated[SamplingMethod | Parameter | None, _enum(SamplingMethod)] = _doc(
        "sampling_method", "Row sampling; gradient_based runs only on a GPU"
    )
    colsample_bytree: Annotated[float | Parameter | None, _field(float, gt=0.0, le=1.0)] = _doc(
        "colsample_bytree", "Fraction of columns sampled per tree, in (0, 1]"
    )
    colsample_bylevel: Annotated[float | Parameter | None, _field(float, gt=0.0, le=1.0)] = _doc(
        "colsample_bylevel", "Fraction of columns sampled per depth level, in (0, 1]"
    )
    colsample_bynode: Annotated[float | Parameter | None, _field(float, gt=0.0, le=1.0)] = _doc(
        "colsample_bynode", "Fraction of columns sampled per split, in (0, 1]; not with exact"
    )
    reg_lambda: Annotated[float | Parameter | None, _field(float, ge=0.0)] = _doc(
        "reg_lambda", "L2 regularisation on weights (gblinear default 0)"
    )
    reg_alpha: Annotated[float | Parameter | None, _field(float, ge=0.0)] = _doc(
        "reg_alpha", "L1 regularisation on weights"
    )
    tree_method: Annotated[TreeMethod | Parameter | None, _enum(TreeMethod)] = _doc(
        "tree_method", "Tree construction algorithm; 'auto' is 'hist' in XGBoost 2.0 and later"
    )
    scale_pos_weight: Annotated[float | Parameter | None, _field(float, ge=0.0)] = _doc(
        "scale_pos_weight", "Weight of positive examples (logistic objectives)"
    )
    updater: Annotated[
        str | Parameter | None, _field(str, pattern=rf"^({_UPDATERS})(,({_UPDATERS}))*$")
    ] = _doc("updater", "Comma-separated updaters; set automatically from tree_method")
    refresh_leaf: Annotated[bool | Parameter | None, _field(bool)] = _doc(
        "refresh_leaf", "Whether the refresh updater updates leaf values too"
    )
    process_type: Annotated[ProcessType | Parameter | None, _enum(ProcessType)] = _doc(
        "process_type", "'update' modifies an existing model's trees (not with train_xgb.py)"
    )
    grow_policy: Annotated[GrowPolicy | Parameter | None, _enum(GrowPolicy)] = _doc(
        "grow_policy", "How new nodes are added (hist and approx only)"
    )
    max_leaves: Annotated[int | Parameter | None, _field(int, ge=0, le=_INT32)] = _doc(
        "max_leaves", "Maximum number of leaves; 0 means no limit (not used by exact)"
    )
    max_bin: Annotated[int | Parameter | None, _field(int, ge=2, le=_INT32)] = _doc(
        "max_bin", "Maximum bins per feature (hist and approx only)"
    )
    num_parallel_tree: Annotated[int | Parameter | None, _field(int, ge=1)] = _doc(
        "num_parallel_tree", "Trees built per round (boosted random forest)"
    )
    monotone_constraints: Annotated[list[Monotone] | None, Field(min_length=1)] = _doc(
        "monotone_constraints", "One of -1, 0, 1 per feature column, in column order"
    )
    interaction_constraints: Annotated[
        list[Annotated[list[FeatureIndex], Field(min_length=1)]] | None, Field(min_length=1)
    ] = _doc("interaction_constraints", "Groups of feature column indices allowed to interact")
    multi_strategy: Annotated[MultiStrategy | Parameter | None, _enum(MultiStrategy)] = _doc(
        "multi_strategy", "One tree per output, or multi-output trees (hist only)"
    )
    max_cached_hist_node: Annotated[int | Parameter | None, _field(int, ge=1)] = _doc(
        "max_cached_hist_node", "Maximum cached histogram nodes (hist and approx)"
    )
    extmem_single_page: Annotated[bool | Parameter | None, _field(bool)] = _doc(
        "extmem_single_page", "GPU external memory: concatenate pages (GPU with subsample only)"
    )
    max_cat_to_onehot: Annotated[int | Parameter | None, _field(int, ge=1)] = _doc(
        "max_cat_to_onehot", "Categories below which one-hot splits are used"
    )
    max_cat_threshold: Annotated[int | Parameter | None, _field(int, ge=1)] = _doc(
        "max_cat_threshold", "Maximum categories considered per split"
    )

    sample_type: Annotated[SampleType | Parameter | None, _enum(SampleType)] = _doc(
        "sample_type", "dart: how dropped trees are chosen"
    )
    normalize_type: Annotated[NormalizeType | Parameter | None, _enum(NormalizeType)] = _doc(
        "normalize_type", "dart: how new and dropped trees are weighted"
    )
    rate_drop: Annotated[float | Parameter | None, _field(float, ge=0.0, le=1.0)] = _doc(
        "rate_drop", "dart: fraction of trees dropped, in [0, 1]"
    )
    one_drop: Annotated[bool | Parameter | None, _field(bool)] = _doc(
        "one_drop", "dart: always drop at least one tree"
    )
    skip_drop: Annotated[float | Parameter | None, _field(float, ge=0.0, le=1.0)] = _doc(
        "skip_drop", "dart: probability of skipping the dropout, in [0, 1]"
    )

    feature_selector: Annotated[FeatureSelector | Parameter | None, _enum(FeatureSelector)] = _doc(
        "feature_selector", "gblinear: feature ordering; greedy and thrifty need coord_descent"
    )
    top_k: Annotated[int | Parameter | None, _field(int, ge=0)] = _doc(
        "top_k", "gblinear: features chosen by greedy or thrifty; 0 means all"
    )

    objective: Annotated[Objective | Parameter, _enum(Objective)] = Field(
        _SPACE.parameters["objective"].default, description="Learning objective."
    )
    base_score: Annotated[float | Parameter | None, _field(float)] = _doc(
        "base_score", "Initial prediction; estimated from the labels when unset"
    )
    eval_metric: Annotated[
        OneMetric | Annotated[list[OneMetric], Field(min_length=1)] | None, ONE_OR_A_LIST
    ] = _doc("eval_metric", "One metric or a list, e.g. 'auc', ['ndcg@5-', 'map@10'], 'error@0.6'")
    random_state: Annotated[int | Parameter | None, _field(int, ge=-_INT64 - 1, le=_INT64)] = _doc(
        "random_state", "Random seed"
    )
    seed_per_iteration: Annotated[bool | Parameter | None, _field(bool)] = _doc(
        "seed_per_iteration", "Seed the generator from the round number"
    )
    num_class: Annotated[int | Parameter | None, _field(int, ge=2, le=_INT32)] = _doc(
        "num_class", "Number of classes; required exactly with multi:softmax and multi:softprob"
    )

    tweedie_variance_power: Annotated[float | Parameter | None, _field(float, ge=1.0, lt=2.0)] = (
        _doc("tweedie_variance_power", "reg:tweedie variance power, in [1, 2)")
    )
    huber_slope: Annotated[float | Parameter | None, _field(float, gt=0.0)] = _doc(
        "huber_slope", "Pseudo-Huber delta (reg:pseudohubererror, mphe), above 0"
    )
    quantile_alpha: Annotated[
        Annotated[float | Parameter, _field(float, ge=0.0, le=1.0)]
        | Annotated[list[Fraction], Field(min_length=1)]
        | None,
        ONE_OR_A_LIST,
    ] = _doc("quantile_alpha", "reg:quantileerror: the quantile(s) to fit, each in [0, 1]")
    aft_loss_distribution: Annotated[AftDistribution | Parameter | None, _enum(AftDistribution)] = (
        _doc("aft_loss_distribution", "survival:aft distribution (needs label bounds)")
    )
    aft_loss_distribution_scale: Annotated[float | Parameter | None, _field(float, gt=0.0)] = _doc(
        "aft_loss_distribution_scale", "survival:aft scale (needs label bounds)"
    )

    lambdarank_pair_method: Annotated[PairMethod | Parameter | None, _enum(PairMethod)] = _doc(
        "lambdarank_pair_method", "rank:*: how pairs are built"
    )
    lambdarank_num_pair_per_sample: Annotated[int | Parameter | None, _field(int, ge=1)] = _doc(
        "lambdarank_num_pair_per_sample", "rank:*: pairs per document, or the top-k cut"
    )
    lambdarank_normalization: Annotated[bool | Parameter | None, _field(bool)] = _doc(
        "lambdarank_normalization", "rank:*: normalise leaf values by the lambda gradient"
    )
    lambdarank_score_normalization: Annotated[bool | Parameter | None, _field(bool)] = _doc(
        "lambdarank_score_normalization", "rank:*: normalise the delta metric by score gaps"
    )
    lambdarank_unbiased: Annotated[bool | Parameter | None, _field(bool)] = _doc(
        "lambdarank_unbiased", "rank:*: debias click data"
    )
    lambdarank_bias_norm: Annotated[float | Parameter | None, _field(float, ge=0.0)] = _doc(
        "lambdarank_bias_norm",
        "rank:*: Lp norm of position debiasing (with lambdarank_unbiased)",
    )
    ndcg_exp_gain: Annotated[bool | Parameter | None, _field(bool)] = _doc(
        "ndcg_exp_gain", "rank:*: exponential NDCG gain (relevance at most 31)"
    )

    @model_validator(mode="wrap")
    @classmethod
    def _one_name_each_and_xgboosts_rules(
        cls, data: Any, handler: ModelWrapValidatorHandler[XGBoostHyperparameters]
    ) -> XGBoostHyperparameters:
        """Store aliases under one name and refuse unknown names (each error at its name),
        validate the fields, then check XGBoost's cross-field rules (each at its field)."""
        stored, errors = _store_aliases(data) if isinstance(data, dict) else (data, [])
        try:
            model = handler(stored)
        except ValidationError as invalid:
            if not errors:
                raise
            errors.extend(_as_line_error(detail) for detail in invalid.errors())
            raise ValidationError.from_exception_data(cls.__name__, errors) from None
        if not errors:
            values = resolve_values(model.to_hyperparameters())
            errors = [
                _line_error("xgboost_rule", field, message, getattr(model, field, None))
                for field, message in check_rules(values, _SPACE.default_image)
            ]
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return model

    def check_framework_version(self, framework_version: str) -> None:
        """Raise ValueError if ``framework_version``'s XGBoost lacks or refuses a value here."""
        problems = version_problems(resolve_values(self.to_hyperparameters()), framework_version)
        if problems:
            raise ValueError("; ".join(problems))
