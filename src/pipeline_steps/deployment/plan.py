"""What a deployment would change: retry bounds and the plan computed from one read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from pipeline_steps.deployment.errors import BundledLambdaValidationError

__all__ = ["DEFAULT_RETRY_POLICY", "DeploymentPlan", "RetryPolicy", "plan_changes"]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds for retrying conflicts/throttling and for waiting on function state.

    A retryable call is attempted at most ``max_attempts`` times, sleeping
    ``min(base_delay * 2**n, max_delay)`` seconds before retry ``n + 1`` (defaults:
    0.5, 1, 2, 4, 8 s: at most 15.5 s of sleep). Waiting for ``State`` /
    ``LastUpdateStatus`` polls every ``poll_interval`` seconds for at most
    ``wait_timeout`` seconds of sleep.
    """

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 8.0
    poll_interval: float = 1.0
    wait_timeout: float = 300.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise BundledLambdaValidationError("retry_policy", "max_attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.poll_interval, self.wait_timeout) < 0:
            raise BundledLambdaValidationError("retry_policy", "delays must not be negative")

    def delay(self, retry: int) -> float:
        """Seconds to sleep before retry number ``retry`` (0-based)."""
        return float(min(self.base_delay * 2**retry, self.max_delay))


DEFAULT_RETRY_POLICY: Final = RetryPolicy()


@dataclass(frozen=True)
class DeploymentPlan:
    """What ``upsert()`` would do, computed from one read of the deployed function.

    ``action`` is ``"create"`` when the function is absent, ``"update"`` when some
    write is needed and ``"none"`` when the deployed function already matches.
    """

    action: Literal["create", "update", "none"]
    update_code: bool = False
    code_reasons: tuple[str, ...] = ()
    configuration_changes: Mapping[str, Any] = field(default_factory=dict)
    tag_changes: Mapping[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether any write (create or update) is needed."""
        return self.action != "none"


_CONFIGURATION_FIELDS: Final = ("Runtime", "Handler", "Role", "Timeout", "MemorySize")


def plan_changes(
    desired: Mapping[str, Any],
    code_sha256: str,
    config: Mapping[str, Any],
    function: Mapping[str, Any] | None = None,
) -> DeploymentPlan:
    """Compare a deployed configuration (and tags, if known) with the desired one.

    ``desired`` is the ``CreateFunction`` request the deployer would send (one source
    of the desired state); ``config`` is the deployed ``Configuration`` and
    ``function`` the whole ``GetFunction`` answer, whose ``Tags`` are compared only
    when the caller may read them.
    """
    code_reasons: list[str] = []
    if config.get("CodeSha256") != code_sha256:
        code_reasons.append("CodeSha256")
    if list(config.get("Architectures") or ["x86_64"]) != list(desired["Architectures"]):
        code_reasons.append("Architectures")

    changes: dict[str, Any] = {
        name: desired[name] for name in _CONFIGURATION_FIELDS if config.get(name) != desired[name]
    }
    deployed_variables = (config.get("Environment") or {}).get("Variables") or {}
    if dict(deployed_variables) != desired["Environment"]["Variables"]:
        changes["Environment"] = {"Variables": dict(desired["Environment"]["Variables"])}
    description = desired.get("Description")
    if description is not None and config.get("Description", "") != description:
        changes["Description"] = description
    # Compared only when the service reports it (Lambda does; moto does not).
    deployed_format = (config.get("LoggingConfig") or {}).get("LogFormat")
    if deployed_format is not None and deployed_format != desired["LoggingConfig"]["LogFormat"]:
        changes["LoggingConfig"] = dict(desired["LoggingConfig"])

    tag_changes: dict[str, str] = {}
    # GetFunction returns Tags only to callers allowed lambda:ListTags; without
    # them, tags cannot be compared and are left as they are.
    if function is not None and "Tags" in function and "TagsError" not in function:
        deployed_tags = function["Tags"] or {}
        wanted: Mapping[str, str] = desired.get("Tags") or {}
        tag_changes = {k: v for k, v in wanted.items() if deployed_tags.get(k) != v}

    action: Literal["update", "none"] = (
        "update" if code_reasons or changes or tag_changes else "none"
    )
    return DeploymentPlan(
        action=action,
        update_code=bool(code_reasons),
        code_reasons=tuple(code_reasons),
        configuration_changes=changes,
        tag_changes=tag_changes,
    )
