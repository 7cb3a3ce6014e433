"""Notebook (Markdown, HTML) and terminal (str) views of a contract."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from pipeline_script_contracts import (
    CONTRACTS,
    MODEL_EVALUATION_CONTRACT,
    XGBOOST_TRAIN_CONTRACT,
    ScriptContract,
)

ALL_CONTRACTS = list(CONTRACTS.values())
VIEWS = {
    "markdown": ScriptContract._repr_markdown_,
    "html": ScriptContract._repr_html_,
    "str": ScriptContract.__str__,
}

NASTY = ScriptContract(
    name="nasty",
    entry_point="nasty.py",
    description='Reads <script>alert("x")</script> & *stars* | pipes `ticks` $x$',
    container_type="processing",
    expected_input_paths={"model_input": "/opt/ml/processing/input/model"},
    expected_output_paths={"eval_output": "/opt/ml/processing/output/eval"},
    optional_env_vars={"SEPARATOR": "a|b`c<d>\n"},
    framework_requirements={"pandas": ""},
)


def _text_of_html(fragment: str) -> str:
    """The text a browser would show for ``fragment``."""

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.tags: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.parts.append(data)

    parser = _Text()
    parser.feed(fragment)
    parser.close()
    assert "script" not in parser.tags
    return "".join(parser.parts)


@pytest.mark.parametrize("view", sorted(VIEWS))
@pytest.mark.parametrize("contract", ALL_CONTRACTS, ids=lambda c: c.name)
def test_every_view_shows_every_logical_name_and_path(contract: ScriptContract, view: str) -> None:
    """GIVEN a contract WHEN rendered THEN every logical name and path appears."""
    shown = VIEWS[view](contract)

    for name, path in {**contract.expected_input_paths, **contract.expected_output_paths}.items():
        assert name in shown
        assert path in shown
    assert contract.name in shown
    assert contract.entry_point in shown


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_views_show_channels_requiredness_env_vars_and_requirements(view: str) -> None:
    """GIVEN a training and a processing contract WHEN rendered THEN all sections appear."""
    training = VIEWS[view](XGBOOST_TRAIN_CONTRACT)
    processing = VIEWS[view](MODEL_EVALUATION_CONTRACT)

    for text in ("channel", "config", "validation", "xgboost", "1.7"):
        assert text in training
    for text in ("SM_MODEL_DIR", "SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"):
        assert text in training
    for text in ("ID_FIELD", "LABEL_FIELD", "xgboost", "1.7"):
        assert text in processing
    assert "channel" not in processing


def test_html_escapes_every_value() -> None:
    """GIVEN a description with markup WHEN rendered as HTML THEN it is escaped, not markup."""
    html = NASTY._repr_html_()

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; *stars*" in html
    text = _text_of_html(html)
    assert NASTY.description in text
    assert repr(NASTY.optional_env_vars["SEPARATOR"]) in text


def test_markdown_escapes_markup_and_keeps_tables_intact() -> None:
    """GIVEN markup, pipes and backticks in values WHEN rendered as Markdown THEN escaped."""
    markdown = NASTY._repr_markdown_()

    assert "<script>" not in markdown
    assert r"\<script\>" in markdown
    assert r"\*stars\*" in markdown
    assert r"\$x\$" in markdown
    for block in markdown.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            cells = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
            assert len(cells) == 1, block


def test_markdown_sections_are_gfm_tables() -> None:
    """GIVEN a training contract WHEN rendered as Markdown THEN inputs form a 4-column table."""
    markdown = XGBOOST_TRAIN_CONTRACT._repr_markdown_()

    assert "| logical name | path | channel | required |" in markdown
    assert "| --- | --- | --- | --- |" in markdown
    assert "| `validation_data` | `/opt/ml/input/data/validation` | `validation` | no |" in markdown


def test_str_is_a_readable_multi_line_summary() -> None:
    """GIVEN a contract WHEN str() is taken THEN the first line says what and where it runs."""
    lines = str(XGBOOST_TRAIN_CONTRACT).splitlines()

    assert lines[0] == "Script contract 'xgboost_train' (train_xgb.py, training container)"
    assert any(
        line.split()
        == ["validation_data", "/opt/ml/input/data/validation", "validation", "no", "-"]
        for line in lines
    )
    assert "  Inputs: none" in str(CONTRACTS["hyperparameter_prep"]).splitlines()
    assert all(line == line.rstrip() for line in lines)


def test_empty_sections_say_none() -> None:
    """GIVEN a contract without inputs WHEN rendered THEN the Inputs section says none."""
    contract = CONTRACTS["hyperparameter_prep"]

    assert "**Inputs**\n\n_none_" in contract._repr_markdown_()
    assert "<p><strong>Inputs</strong></p>\n<p><em>none</em></p>" in contract._repr_html_()
