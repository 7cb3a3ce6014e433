"""Mermaid rendering of a compiled definition's step graph."""

from __future__ import annotations

from pipeline_steps.tools.mermaid import pipeline_edges, pipeline_to_mermaid


def test_names_that_sanitise_alike_get_distinct_node_ids() -> None:
    """GIVEN steps 'Train-1' and 'Train_1' WHEN rendered THEN they stay two nodes."""
    definition = {
        "Steps": [
            {"Name": "Train-1", "Type": "Training", "Arguments": {}},
            {
                "Name": "Train_1",
                "Type": "Processing",
                "Arguments": {"Source": {"Get": "Steps.Train-1.ModelArtifacts.S3ModelArtifacts"}},
                "DependsOn": ["Train-1"],
            },
        ]
    }
    lines = pipeline_to_mermaid(definition).splitlines()
    assert lines == [
        "flowchart TD",
        '    Train_1["Train-1 (Training)"]',
        '    Train_1_2["Train_1 (Processing)"]',
        "    Train_1 -->|ModelArtifacts.S3ModelArtifacts| Train_1_2",
    ]


def test_depends_on_without_data_is_an_unlabelled_edge() -> None:
    """GIVEN an ordering-only dependency WHEN edges are listed THEN it has an empty label."""
    definition = {
        "Steps": [
            {"Name": "A", "Type": "Lambda"},
            {"Name": "B", "Type": "Lambda", "DependsOn": ["A"]},
        ]
    }
    assert pipeline_edges(definition) == [("A", "B", "")]
    assert pipeline_to_mermaid(definition).splitlines()[-1] == "    A --> B"
