"""Plain-text, Markdown and HTML views of a ``ScriptContract`` for terminals and notebooks.

All three views show the same tables: inputs (with the training channel where there is
one, and whether the input is required), outputs, environment variables and framework
requirements. Markdown and HTML escape every value that is not validated to be safe.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from pipeline_script_contracts.contract import ScriptContract

_MARKDOWN_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>|&~$])")
_BACKTICK_RUN = re.compile(r"`+")


class _Code(str):
    """A cell shown as code: an identifier, a path or a literal value."""

    __slots__ = ()


class _Table:
    """One titled section: a header row and body rows of cells."""

    __slots__ = ("header", "rows", "title")

    def __init__(self, title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        self.title = title
        self.header = header
        self.rows = rows


def _tables(contract: ScriptContract) -> list[_Table]:
    training = contract.container_type.value == "training"
    input_rows: list[tuple[str, ...]] = []
    for name, path in contract.expected_input_paths.items():
        channel = (_Code(contract.channel_name(name)),) if training else ()
        required = "no" if name in contract.optional_input_names else "yes"
        accepts = _Code(", ".join(contract.accepted_outputs.get(name, ()))) or "-"
        input_rows.append((_Code(name), _Code(path), *channel, required, accepts))
    env_rows: list[tuple[str, ...]] = [(_Code(n), "yes", "") for n in contract.required_env_vars]
    env_rows += [(_Code(n), "no", _Code(repr(d))) for n, d in contract.optional_env_vars.items()]
    return [
        _Table(
            "Inputs",
            (
                "logical name",
                "path",
                *(("channel",) if training else ()),
                "required",
                "also accepts",
            ),
            input_rows,
        ),
        _Table(
            "Outputs",
            ("logical name", "path", "type"),
            [
                (_Code(n), _Code(p), contract.output_types[n].value)
                for n, p in contract.expected_output_paths.items()
            ],
        ),
        _Table("Environment variables", ("name", "required", "default"), env_rows),
        _Table(
            "Framework requirements",
            ("package", "version"),
            [
                (_Code(p), _Code(s) if s else "any")
                for p, s in contract.framework_requirements.items()
            ],
        ),
    ]


def _heading(contract: ScriptContract) -> tuple[str, str, str]:
    return contract.name, contract.entry_point, f"{contract.container_type.value} container"


def render_text(contract: ScriptContract) -> str:
    """A multi-line plain-text summary of ``contract``."""
    import textwrap

    name, entry_point, container = _heading(contract)
    lines = [f"Script contract {name!r} ({entry_point}, {container})"]
    lines += textwrap.wrap(
        contract.description, width=88, initial_indent="  ", subsequent_indent="  "
    )
    for table in _tables(contract):
        if not table.rows:
            lines.append(f"  {table.title}: none")
            continue
        lines.append(f"  {table.title}:")
        widths = [
            max(len(cell) for cell in column)
            for column in zip(table.header, *table.rows, strict=True)
        ]
        for row in (table.header, *table.rows):
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            lines.append(("    " + "  ".join(cells)).rstrip())
    return "\n".join(lines)


def _md_text(text: str) -> str:
    return _MARKDOWN_INLINE_SPECIALS.sub(r"\\\1", " ".join(text.split()))


def _md_code(text: str) -> str:
    fence = "`" * (1 + max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0))
    padding = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _md_cell(cell: str) -> str:
    # _md_text already escapes "|"; inside a code span a table needs it escaped too.
    return _md_code(cell).replace("|", "\\|") if isinstance(cell, _Code) else _md_text(cell)


def render_markdown(contract: ScriptContract) -> str:
    """``contract`` as Markdown: a heading line, the description and one table per section."""
    name, entry_point, container = _heading(contract)
    parts = [
        f"**Script contract {_md_code(name)}** ({_md_code(entry_point)}, {container})",
        f"**Description:** {_md_text(contract.description)}",
    ]
    for table in _tables(contract):
        parts.append(f"**{table.title}**")
        if not table.rows:
            parts.append("_none_")
            continue
        lines = [
            "| " + " | ".join(table.header) + " |",
            "|" + "|".join(" --- " for _ in table.header) + "|",
        ]
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def render_html(contract: ScriptContract) -> str:
    """``contract`` as an HTML fragment with every value escaped."""
    from html import escape

    def cell(value: str) -> str:
        return f"<code>{escape(value)}</code>" if isinstance(value, _Code) else escape(value)

    name, entry_point, container = _heading(contract)
    parts = [
        '<div class="script-contract">',
        f"<p><strong>Script contract <code>{escape(name)}</code></strong> "
        f"(<code>{escape(entry_point)}</code>, {escape(container)})</p>",
        f"<p><strong>Description:</strong> {escape(contract.description)}</p>",
    ]
    for table in _tables(contract):
        parts.append(f"<p><strong>{escape(table.title)}</strong></p>")
        if not table.rows:
            parts.append("<p><em>none</em></p>")
            continue
        parts.append("<table>")
        parts.append(
            "<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in table.header) + "</tr></thead>"
        )
        parts.append("<tbody>")
        parts += [
            "<tr>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>" for row in table.rows
        ]
        parts.append("</tbody>")
        parts.append("</table>")
    parts.append("</div>")
    return "\n".join(parts) + "\n"


_LIST_HEADER = ("NAME", "ENTRY POINT", "CONTAINER")


def render_list_text(contracts: Iterable[ScriptContract], width: int = 100) -> str:
    """A table of contracts that fits ``width`` columns.

    Name, entry point and container are columns; each row's inputs and outputs follow
    on indented lines, wrapped between names (a logical name is never split).
    """
    import textwrap

    contracts = list(contracts)
    rows = [_LIST_HEADER] + [(c.name, c.entry_point, c.container_type.value) for c in contracts]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_LIST_HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(rows[0], widths, strict=True)).rstrip()]
    for contract, row in zip(contracts, rows[1:], strict=True):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        for label, names in (("inputs", contract.input_names), ("outputs", contract.output_names)):
            lines += textwrap.wrap(
                ", ".join(names) or "none",
                width=width,
                initial_indent=f"    {label + ':':<9}",
                subsequent_indent=" " * 13,
                break_long_words=False,
                break_on_hyphens=False,
            )
    return "\n".join(lines)


def render_list_html(contracts: Iterable[ScriptContract]) -> str:
    """A table of contracts: name, entry point, container, inputs, outputs; all escaped."""
    from html import escape

    def names(values: tuple[str, ...]) -> str:
        return ", ".join(f"<code>{escape(v)}</code>" for v in values) or "<em>none</em>"

    header = ("name", "entry point", "container", "inputs", "outputs")
    parts = [
        '<table class="script-contracts">',
        "<thead><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr></thead>",
        "<tbody>",
    ]
    for c in contracts:
        cells = (
            f"<code>{escape(c.name)}</code>",
            f"<code>{escape(c.entry_point)}</code>",
            escape(c.container_type.value),
            names(c.input_names),
            names(c.output_names),
        )
        parts.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    parts.append("</tbody>")
    parts.append("</table>")
    return "\n".join(parts) + "\n"
