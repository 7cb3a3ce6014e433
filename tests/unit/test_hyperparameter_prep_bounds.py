"""Runtime bounds: what the issue found by fuzzing is typed, and costs stay linear.

Costs are asserted by counting work (container copies, values visited), never by time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from lambda_code import hyperparameter_prep as hp


class CountingDict(dict[str, Any]):
    """A dict that counts how often it is iterated (copying it iterates it once)."""

    iterations = 0

    def __iter__(self) -> Iterator[str]:
        CountingDict.iterations += 1
        return super().__iter__()

    def keys(self) -> Any:
        CountingDict.iterations += 1
        return super().keys()


class CountingList(list[Any]):
    """A list that counts the items handed out while it is iterated."""

    visited = 0

    def __iter__(self) -> Iterator[Any]:
        for item in super().__iter__():
            CountingList.visited += 1
            yield item


@pytest.fixture
def stub() -> Iterator[Stubber]:
    """A Stubber with no responses queued: any S3 request the test did not queue fails."""
    client = boto3.client(
        "s3", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


# --------------------------------------------------------------------------- linear costs


def test_many_overrides_under_one_wide_object_copy_it_once() -> None:
    # GIVEN one object with 2,000 keys and an override for each of them
    wide = CountingDict({f"k{i}": i for i in range(2000)})
    overrides = {f"wide.k{i}": str(-i) for i in range(2000)}
    CountingDict.iterations = 0
    # WHEN they are applied
    result = hp.apply_overrides({"wide": wide}, overrides)
    # THEN the wide object was copied once (not 2,000 times), and every value landed
    assert CountingDict.iterations == 1
    assert result["wide"] == {f"k{i}": -i for i in range(2000)}
    assert dict(wide) == {f"k{i}": i for i in range(2000)}  # the input is untouched


def test_many_overrides_under_one_long_array_copy_it_once() -> None:
    items = CountingList(range(3000))
    overrides = {f"items.{i}": "7" for i in range(0, 3000, 3)}
    CountingList.visited = 0
    result = hp.apply_overrides({"items": items}, overrides)
    assert CountingList.visited == 3000  # one copy: each item handed out once
    assert result["items"][::3] == [7] * 1000
    assert items[0] == 0


def shared_dag(levels: int) -> CountingList:
    """``node = [node, node]``, ``levels`` deep: 2**levels leaves, ``levels`` + 1 lists."""
    node = CountingList([0])
    for _ in range(levels):
        node = CountingList([node, node])
    return node


@pytest.mark.parametrize(
    "call",
    [hp.validate_hyperparameters, hp.serialize_hyperparameters, hp.canonical_bytes],
)
def test_shared_reference_dag_is_refused_after_bounded_work(call: Any) -> None:
    # GIVEN a caller's structure of 2**30 leaves built from 31 shared lists
    doc = {"node": shared_dag(30)}
    CountingList.visited = 0
    # WHEN validated THEN the size rule refuses it ...
    with pytest.raises(hp.InvalidHyperparametersError) as caught:
        call(doc)
    assert caught.value.path == "hyperparameters"
    assert "(rule: document at most 5 MiB)" in str(caught.value)
    # ... after visiting fewer values than a 5 MiB document holds, not 2**30
    assert CountingList.visited < hp.MAX_DOCUMENT_BYTES // 4


def test_shared_reference_dag_in_an_event_writes_nothing(stub: Stubber) -> None:
    event = {"hyperparameters": {"node": shared_dag(30)}, "bucket": "unit-test-bucket"}
    with pytest.raises(hp.InvalidHyperparametersError, match="document at most 5 MiB"):
        hp.lambda_handler(event, None, s3_client=stub.client)


def test_long_array_is_refused_by_its_length_before_it_is_walked() -> None:
    # GIVEN an array whose items alone (newline, indentation) pass 5 MiB
    items = CountingList([0] * 1_000_000)
    CountingList.visited = 0
    # WHEN validated THEN it is refused without visiting its items
    with pytest.raises(hp.InvalidHyperparametersError, match="document at most 5 MiB"):
        hp.validate_hyperparameters({"a": {"b": items}})
    assert CountingList.visited == 0


# --------------------------------------------------------------------------- fuzzed inputs


@pytest.mark.parametrize("digits", [4301, 5000, 20])
def test_huge_list_index_is_a_typed_out_of_range_error(digits: int) -> None:
    # GIVEN an override path whose list index has thousands of digits (int() would raise)
    index = "9" * digits
    # WHEN applied THEN it is an override-path error naming the array's length
    with pytest.raises(hp.InvalidHyperparametersError) as caught:
        hp.apply_overrides({"betas": [0.9, 0.99]}, {f"betas.{index}": "1"})
    assert "has 2 items; index" in str(caught.value)
    assert "(rule: override paths)" in str(caught.value)
    assert len(str(caught.value)) < 400  # the path is cut, not echoed in full


@pytest.mark.parametrize("old", [3, 0.5, "text", None])
def test_override_value_with_too_many_digits_is_typed(old: object) -> None:
    # GIVEN a pipeline parameter value of 5,000 digits (json.dumps would fail on it)
    # WHEN applied over any type THEN the integer-size rule names the override
    with pytest.raises(hp.InvalidHyperparametersError) as caught:
        hp.apply_overrides({"depth": old}, {"depth": 10**5000})
    assert str(caught.value).startswith("override.depth (hyperparameters.depth)")
    assert "(rule: integer size)" in str(caught.value)


def test_override_of_huge_integer_through_the_handler_writes_nothing(stub: Stubber) -> None:
    event: dict[str, Any] = {"hyperparameters": {"depth": 3}, "bucket": "unit-test-bucket"}
    event["override.depth"] = 10**5000
    with pytest.raises(hp.InvalidHyperparametersError, match="integer size"):
        hp.lambda_handler(event, None, s3_client=stub.client)


@pytest.mark.parametrize(
    ("name", "execution_id", "refused"),
    [
        ("p" * 1024, "e" * 1024, True),  # the case: over 2 KB with the keys
        ("p" * 1024, "e" * 900, True),
        ("p" * 1024, "e" * 12, False),
        ("p" * 256, "e" * 256, False),
    ],
)
def test_user_metadata_over_2_kb_is_refused_before_the_write(
    stub: Stubber, name: str, execution_id: str, refused: bool
) -> None:
    # GIVEN pipeline_name and pipeline_execution_id (recorded as S3 user metadata)
    event = {
        "hyperparameters": json.dumps({"lr": 0.1}),
        "bucket": "unit-test-bucket",
        "pipeline_name": name,
        "pipeline_execution_id": execution_id,
    }
    if not refused:
        # THEN under the limit the one write goes out with the metadata in full
        stub.add_response("put_object", {})
        hp.lambda_handler(event, None, s3_client=stub.client)
        return
    # THEN over S3's 2 KB (keys with x-amz-meta- counted) it refuses before any request
    # rather than cut the audit trail
    with pytest.raises(hp.InvalidEventError) as caught:
        hp.lambda_handler(event, None, s3_client=stub.client)
    assert "S3 user metadata is limited to 2048 bytes" in str(caught.value)
    assert "(rule: S3 user metadata)" in str(caught.value)
