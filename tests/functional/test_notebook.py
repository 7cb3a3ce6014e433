"""examples/pipeline_steps_tour.ipynb runs top to bottom in a real kernel, silently."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOTEBOOK = EXAMPLES / "pipeline_steps_tour.ipynb"


def source_of(cell: Any) -> str:
    return "".join(cell["source"])


def data_of(cells: list[Any], fragment: str) -> dict[str, Any]:
    """The display data of the code cell whose source contains ``fragment``."""
    cell = next(c for c in cells if c["cell_type"] == "code" and fragment in source_of(c))
    results = [o for o in cell["outputs"] if o["output_type"] == "execute_result"]
    assert len(results) == 1, cell["outputs"]
    return dict(results[0]["data"])


@pytest.mark.slow
def test_tour_notebook_runs_without_errors_or_output_streams(child_env: dict[str, str]) -> None:
    """GIVEN the tour notebook, a kernel with the loopback guard and without the SDK's
    v2-warning switch (the notebook sets fake credentials and starts moto itself)
    WHEN nbclient executes it from examples/
    THEN no cell errs and no cell prints anything on stdout or stderr (no SDK notice);
    the contract list and the model render as HTML tables, describe() as Markdown with a
    Mermaid block, and the prep step's outputs name the stored file."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    env = dict(child_env)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute(env=env)

    cells = notebook.cells
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        kinds = [output["output_type"] for output in cell["outputs"]]
        assert "error" not in kinds, source_of(cell)
        streams = [o["text"] for o in cell["outputs"] if o["output_type"] == "stream"]
        assert streams == [], f"{source_of(cell)!r} printed {streams}"

    contracts = data_of(cells, "list_contracts()")
    assert "<th>entry point</th>" in contracts["text/html"]
    described = data_of(cells, "describe(pipeline)")
    assert "text/html" not in described
    assert "```mermaid\nflowchart TD" in described["text/markdown"]
    model = data_of(cells, "XGBoostHyperparameters(")
    assert "LearningRate (parameter, default 0.1)" in model["text/html"]
    assert "LearningRate (parameter, default 0.1)" in model["text/plain"]
    outputs = data_of(cells, "run_lambda_step(")
    assert "s3://pipeline-steps-tour/hyperparameters/" in outputs["text/plain"]
