"""Is the key an object is encrypted with the key the event asks for?

S3 reports the key ARN (``SSEKMSKeyId``); the event may name the same key by key id,
key ARN, alias name or alias ARN. Ids and ARNs are compared as they are; an alias is
resolved with ``kms:DescribeKey`` (an alias can be moved to another key, so it is
resolved on every check, never cached). Two different keys never compare equal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from .client import AwsClient
from .errors import StorageError

_KEY_ARN_MARK: Final = ":key/"


def _kind(value: str) -> str:
    """ "arn" (a key ARN), "alias" (an alias name or ARN) or "id" (a key id)."""
    if value.startswith("alias/") or (value.startswith("arn:") and ":alias/" in value):
        return "alias"
    if value.startswith("arn:") and _KEY_ARN_MARK in value:
        return "arn"
    return "id"


def _key_id(arn_or_id: str) -> str:
    return arn_or_id.rsplit(_KEY_ARN_MARK, 1)[-1] if arn_or_id.startswith("arn:") else arn_or_id


def same_kms_key(requested: str, stored: str, resolve: Callable[[str], str]) -> bool:
    """True when ``requested`` and ``stored`` name one key; ``resolve`` maps an alias to
    its key ARN (kms:DescribeKey)."""
    if requested == stored:
        return True
    first = resolve(requested) if _kind(requested) == "alias" else requested
    second = resolve(stored) if _kind(stored) == "alias" else stored
    if _kind(first) == "arn" and _kind(second) == "arn":
        return first == second
    return _key_id(first) == _key_id(second)


def alias_resolver(get_client: Callable[[], AwsClient], uri: str) -> Callable[[str], str]:
    """A function resolving an alias to its key ARN with DescribeKey, errors typed."""

    def resolve(alias: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        client = get_client()
        try:
            response = client.describe_key(KeyId=alias)
        except ClientError as err:
            code = str(err.response.get("Error", {}).get("Code", "Unknown"))
            if code in ("AccessDeniedException", "AccessDenied"):
                hint = (
                    f"kms:DescribeKey on {alias} was denied: the execution role needs it to "
                    f"tell whether {alias} is the key that encrypts {uri}"
                )
            elif code == "NotFoundException":
                hint = f"KMS key {alias} does not exist (in this account and region)"
            else:
                hint = f"kms:DescribeKey {alias} failed"
            raise StorageError(f"{hint}. KMS said {code}") from err
        except BotoCoreError as err:
            raise StorageError(
                f"kms:DescribeKey {alias} failed before KMS answered ({type(err).__name__}: "
                f"{err}); check network access to KMS from the function"
            ) from err
        arn = response.get("KeyMetadata", {}).get("Arn")
        if not isinstance(arn, str):
            raise StorageError(f"kms:DescribeKey {alias} returned no key ARN")
        return arn

    return resolve
