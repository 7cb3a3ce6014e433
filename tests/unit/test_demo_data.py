"""The demo's generated data: deterministic, and in the layouts the reference scripts read."""

from __future__ import annotations

import csv
import io

from pipeline_steps.tools.demo_data import DEMO_SPLITS, demo_data


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_rows() -> None:
    """GIVEN the demo data generator
    WHEN it runs twice with the default seed, and once with another
    THEN the first two are identical and the third differs."""
    assert demo_data().files == demo_data().files
    assert demo_data(seed=1).files != demo_data().files


def test_training_files_are_label_first_without_header_and_eval_has_id_and_label() -> None:
    """GIVEN the three splits
    WHEN they are parsed as CSV
    THEN train and validation rows are a 0/1 label then four numbers (no header); the eval
    file has a header id,label,x1..x4 and ids 0..n-1; each split has its row count, and both
    classes are present in every split."""
    data = demo_data()
    assert data.rows == DEMO_SPLITS
    for split, count in DEMO_SPLITS.items():
        rows = list(csv.reader(io.StringIO(data.files[f"data/{split}/{split}.csv"])))
        if split == "eval":
            assert rows[0] == ["id", "label", "x1", "x2", "x3", "x4"]
            rows = rows[1:]
            assert [row[0] for row in rows] == [str(index) for index in range(count)]
            rows = [row[1:] for row in rows]
        assert len(rows) == count
        assert {row[0] for row in rows} == {"0", "1"}
        assert all(len(row) == 5 for row in rows)
        assert all(float(value) == float(value) for row in rows for value in row[1:])
    assert data.uris("b") == {
        "train": "s3://b/data/train/",
        "validation": "s3://b/data/validation/",
        "eval": "s3://b/data/eval/",
    }
