"""Writing the document to S3, or proving that the object already there is the same.

``PutObject`` with ``IfNoneMatch="*"`` writes the object once. A 412 means an object
is at the content-addressed key already; it is reused only when

* its bytes are proven equal to the canonical document: by the full-object SHA-256
  checksum S3 itself computed (a composite checksum proves nothing about the whole),
  or else by reading the object (at most 5 MiB, the ETag pinned with ``IfMatch``) and
  comparing bytes. User metadata is never evidence: anyone can write it.
* its encryption is the one asked for: the same KMS key with ``kms_key_id`` (however the
  key is named, see the kms module), SSE-S3 (AES256) without it.

Otherwise ObjectMismatchError says what differs, and the object is left as it is.
Failures become StorageError saying what to fix (see :func:`storage_error`).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from .client import AwsClient, get_kms_client
from .errors import ObjectMismatchError, StorageError
from .event import SHA256_RE
from .kms import alias_resolver, same_kms_key
from .limits import CONFLICT_ATTEMPTS, OBJECT_NAME

if TYPE_CHECKING:
    from botocore.exceptions import BotoCoreError, ClientError

_NOT_FOUND: Final = ("404", "NoSuchKey", "NotFound")
_GONE: Final = "gone: HeadObject or GetObject found no object"
_CHANGED: Final = "changed: the object was replaced while it was read (GetObject 412)"


def _partition(client: AwsClient) -> str:
    region = client.meta.region_name or ""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _resource_for(key: str) -> str:
    """The key pattern the role must be allowed to write: ``<prefix>/*``."""
    parts = key.split("/")
    if len(parts) >= 3 and parts[-1] == OBJECT_NAME and SHA256_RE.fullmatch(parts[-2]):
        return "/".join(parts[:-2]) + "/*"
    return "/".join(parts[:-1]) + "/*" if len(parts) > 1 else key


def error_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def storage_error(
    err: ClientError | BotoCoreError | OSError,
    *,
    client: AwsClient,
    operation: str,
    bucket: str,
    key: str,
    kms_key_id: str | None,
    expected_bucket_owner: str | None,
) -> StorageError:
    """Turn an S3/botocore failure into a StorageError that says what to fix."""
    from botocore.exceptions import ClientError

    uri = f"s3://{bucket}/{key}"
    arn = f"arn:{_partition(client)}:s3:::{bucket}/{_resource_for(key)}"
    if not isinstance(err, ClientError):
        return StorageError(
            f"{operation} {uri} failed before S3 answered ({type(err).__name__}: {err}); check "
            "network access to S3 from the function (VPC endpoint or NAT), the endpoint "
            "and the credentials of the execution role"
        )
    error = err.response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    message = str(error.get("Message", "")).strip()
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    said = f"S3 said {code}" + (f": {message}" if message else "") + f" (HTTP {status})"
    kms_said = "kms" in message.lower() or code.upper().startswith("KMS")
    action = "s3:PutObject" if operation == "PutObject" else "s3:GetObject"
    if code.upper().startswith("KMS") or (kms_said and code in ("AccessDenied", "403")):
        key_name = kms_key_id or "the bucket's default KMS key"
        hint = (
            f"the KMS key {key_name} cannot be used for {uri}: check that it exists, is "
            "enabled, is in the bucket's region, and that the execution role is allowed "
            "kms:GenerateDataKey (and kms:Decrypt for readers) by its key policy"
        )
    elif code in ("AccessDenied", "403", "Forbidden", "AllAccessDisabled"):
        hint = f"access denied to {uri}: the execution role needs {action} on {arn}"
        if operation != "PutObject":
            hint += " (an object already at the key is checked with HeadObject and GetObject)"
        if kms_key_id:
            hint += f", and kms:GenerateDataKey on KMS key {kms_key_id}"
        if expected_bucket_owner:
            hint += (
                f"; or bucket {bucket} is not owned by account {expected_bucket_owner} "
                "(expected_bucket_owner)"
            )
    elif code == "NoSuchBucket":
        hint = f"bucket {bucket} does not exist: create it or fix the bucket argument"
    elif code in ("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraint"):
        hint = (
            f"bucket {bucket} is in another region than the client "
            f"({client.meta.region_name}); use a bucket in the pipeline's region"
        )
    elif code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "TokenRefresh"):
        hint = "the execution role's credentials were refused; check the function's role"
    elif code == "NotImplemented" or status == 501:
        hint = (
            f"the S3 endpoint does not implement {operation} as this step sends it "
            "(conditional writes with If-None-Match, SHA-256 checksums, server-side "
            f"encryption) for {uri}; this is not transient: use Amazon S3, or an "
            "S3-compatible endpoint that supports them"
        )
    elif code in ("SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout") or (
        isinstance(status, int) and status >= 500
    ):
        hint = (
            f"S3 kept failing for {uri} after the client's retries; this is transient: "
            "retry the pipeline execution"
        )
    elif code == "ConditionalRequestConflict":
        hint = f"concurrent writers kept conflicting on {uri}; retry the pipeline execution"
    elif code in ("InvalidArgument", "InvalidRequest") and kms_key_id:
        hint = f"S3 refused the request for {uri}; check kms_key_id {kms_key_id}"
    else:
        hint = f"{operation} {uri} failed"
    return StorageError(f"{hint}. {said}")


class _Target:
    """One put-or-reuse: where, with what options, and how failures are reported."""

    def __init__(
        self,
        client: AwsClient,
        bucket: str,
        key: str,
        kms_key_id: str | None,
        expected_bucket_owner: str | None,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.key = key
        self.uri = f"s3://{bucket}/{key}"
        self.kms_key_id = kms_key_id
        self.owner = expected_bucket_owner

    def params(self, **extra: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key, **extra}
        if self.owner:
            params["ExpectedBucketOwner"] = self.owner
        return params

    def failure(self, err: ClientError | BotoCoreError | OSError, operation: str) -> StorageError:
        return storage_error(
            err,
            client=self.client,
            operation=operation,
            bucket=self.bucket,
            key=self.key,
            kms_key_id=self.kms_key_id,
            expected_bucket_owner=self.owner,
        )


def _full_object_checksum(head: Mapping[str, Any]) -> str | None:
    """S3's SHA-256 of the whole object, or None (absent, or composite: per part)."""
    value = head.get("ChecksumSHA256")
    if not isinstance(value, str) or not value:
        return None
    checksum_type = head.get("ChecksumType")
    if checksum_type == "COMPOSITE" or (checksum_type is None and "-" in value):
        return None
    return value


def _encryption_problem(
    head: Mapping[str, Any], kms_key_id: str | None, resolve: Callable[[str], str]
) -> str | None:
    sse = head.get("ServerSideEncryption")
    stored_key = head.get("SSEKMSKeyId")
    if sse is None:
        used = "it has no server-side encryption"
    elif stored_key:
        used = f"it is encrypted with {sse} (KMS key {stored_key})"
    else:
        used = f"it is encrypted with {sse}"
    if kms_key_id is None:
        if sse == "AES256":
            return None
        return f"{used}, but without kms_key_id the step requires AES256 (SSE-S3)"
    if sse != "aws:kms":
        return f"{used}, not aws:kms as requested"
    if not isinstance(stored_key, str) or not stored_key:
        return f"S3 does not say which KMS key encrypts it, so it may not be {kms_key_id}"
    if not same_kms_key(kms_key_id, stored_key, resolve):
        return f"it is encrypted with KMS key {stored_key}, not {kms_key_id} as requested"
    return None


def _first_difference(first: bytes, second: bytes) -> int:
    """Offset of the first differing byte (binary search over slice comparisons)."""
    low, high = 0, min(len(first), len(second))
    while low < high:
        middle = (low + high) // 2
        if first[low : middle + 1] == second[low : middle + 1]:
            low = middle + 1
        else:
            high = middle
    return low


def _read_and_compare(target: _Target, head: Mapping[str, Any], body: bytes) -> str | None:
    """None when the stored bytes equal ``body``; else _GONE, _CHANGED or what differs."""
    from botocore.exceptions import BotoCoreError, ClientError

    extra = {"IfMatch": head["ETag"]} if head.get("ETag") else {}
    try:
        response = target.client.get_object(**target.params(**extra))
    except ClientError as err:
        code = error_code(err)
        if code in _NOT_FOUND:
            return _GONE
        if code in ("PreconditionFailed", "412"):
            return _CHANGED
        raise target.failure(err, "GetObject") from err
    except BotoCoreError as err:
        raise target.failure(err, "GetObject") from err
    stream = response["Body"]
    try:
        stored = stream.read(len(body) + 1)
    except (BotoCoreError, OSError) as err:
        raise target.failure(err, "GetObject") from err
    finally:
        stream.close()
    if stored == body:
        return None
    if len(stored) != len(body):
        return f"it holds {'more' if len(stored) > len(body) else 'fewer'} bytes than HEAD said"
    offset = _first_difference(stored, body)
    return f"its bytes differ from the canonical document from byte {offset} on"


def _check_existing(
    target: _Target, body: bytes, checksum: str, resolve: Callable[[str], str]
) -> str | None:
    """After a 412: None when the object is the document (reuse), _GONE or _CHANGED when
    it vanished or changed meanwhile (write again); raises when it is something else."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        head = target.client.head_object(**target.params(ChecksumMode="ENABLED"))
    except ClientError as err:
        if error_code(err) in _NOT_FOUND:
            return _GONE
        raise target.failure(err, "HeadObject") from err
    except BotoCoreError as err:
        raise target.failure(err, "HeadObject") from err
    problems = []
    size = head.get("ContentLength")
    if size != len(body):
        problems.append(f"its size is {size} bytes, not {len(body)}")
    stored_checksum = _full_object_checksum(head)
    if stored_checksum is not None and stored_checksum != checksum:
        problems.append("its SHA-256 checksum (computed by S3) is different")
    encryption = _encryption_problem(head, target.kms_key_id, resolve)
    if not problems and encryption is None and stored_checksum is None:
        found = _read_and_compare(target, head, body)
        if found in (_GONE, _CHANGED):
            return found
        if found is not None:
            problems.append(found)
    if problems:
        also = f", and {encryption}" if encryption else ""
        raise ObjectMismatchError(
            f"{target.uri} already exists but is not the expected content "
            f"({'; '.join(problems)}){also}: the object was tampered with or written by "
            "something else; it was left as it is: investigate, delete it and rerun"
        )
    if encryption is not None:
        raise ObjectMismatchError(
            f"{target.uri} already exists but {encryption}; it was left as it is: "
            "re-encrypt it as requested (or delete it) and rerun"
        )
    return None


def put_or_reuse(
    body: bytes,
    sha256_hex: str,
    *,
    client: AwsClient,
    bucket: str,
    key: str,
    kms_key_id: str | None = None,
    expected_bucket_owner: str | None = None,
    metadata: Mapping[str, str] | None = None,
    kms_client: AwsClient | None = None,
) -> bool:
    """PutObject if absent; on 412 prove the existing object equal. Returns ``reused``."""
    from botocore.exceptions import BotoCoreError, ClientError

    target = _Target(client, bucket, key, kms_key_id, expected_bucket_owner)
    checksum = base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")
    encryption: dict[str, str] = {"ServerSideEncryption": "AES256"}
    if kms_key_id:
        encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id}
    params = target.params(
        Body=body,
        ContentType="application/json",
        ChecksumAlgorithm="SHA256",
        ChecksumSHA256=checksum,
        IfNoneMatch="*",
        Metadata={**(metadata or {}), "sha256": sha256_hex},
        **encryption,
    )
    resolve = alias_resolver(
        (lambda: kms_client) if kms_client is not None else get_kms_client, target.uri
    )
    rounds: list[str] = []
    last_conflict: ClientError | None = None
    for attempt in range(CONFLICT_ATTEMPTS):
        if attempt:
            import random  # lazily: rarely needed, and not free at cold start

            time.sleep(random.uniform(0.05, 0.2) * 2**attempt)  # jittered, bounded
        try:
            client.put_object(**params)
        except ClientError as err:
            code = error_code(err)
            if code == "ConditionalRequestConflict":
                last_conflict = err
                rounds.append("409 ConditionalRequestConflict")
                continue
            if code != "PreconditionFailed":
                raise target.failure(err, "PutObject") from err
        except BotoCoreError as err:
            raise target.failure(err, "PutObject") from err
        else:
            return False
        # 412: something is at the key already; it must be this very content.
        outcome = _check_existing(target, body, checksum, resolve)
        if outcome is None:
            return True
        rounds.append(f"412 Precondition Failed, then {outcome}")
    if last_conflict is not None and len(set(rounds)) == 1:
        raise target.failure(last_conflict, "PutObject") from last_conflict
    raise StorageError(
        f"{target.uri}: gave up after {len(rounds)} attempts to write or verify it "
        f"({'; '.join(rounds)}). S3 says an object is at the key but it is gone (or "
        "replaced) by the time it is read: something deletes or rewrites objects under "
        "this prefix as they are written (a lifecycle rule, a cleanup job, another "
        "writer); stop it and retry the pipeline execution"
    )
