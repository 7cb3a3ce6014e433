"""How builders and hyperparameter models show themselves in a terminal and a notebook.

A pipeline parameter reads as ``LearningRate (parameter, default 0.1)``; a model or
config shows the fields that differ from their defaults; HTML tables escape every
value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from html import escape
from typing import Any

from pydantic import BaseModel

from pipeline_steps.sdk import Parameter, PipelineVariable

__all__ = [
    "KEY_SETTINGS",
    "Label",
    "builder_html",
    "builder_repr",
    "changed_fields",
    "html_table",
    "model_table_html",
    "value_label",
]

KEY_SETTINGS = (
    "bucket",
    "function_name",
    "runtime",
    "framework_version",
    "instance_type",
    "instance_count",
    "entry_point",
)
"""Config fields a builder always shows (when its config has them), default or not."""


class Label(str):
    """Text that reprs as itself: a value shown in a repr without quotes."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def value_label(value: Any) -> str:
    """``value`` as a reader wants to see it: a parameter by name and default, else repr."""
    if isinstance(value, Parameter):
        default = value.default_value
        if default is None:
            return f"{value.name} (parameter)"
        return f"{value.name} (parameter, default {default!r})"
    if isinstance(value, PipelineVariable):
        return f"{json.dumps(value.expr, sort_keys=True)} (pipeline variable)"
    return repr(value)


def _default_of(model: type[BaseModel], name: str) -> tuple[bool, Any]:
    field = model.model_fields[name]
    if field.is_required():
        return False, None
    return True, field.get_default(call_default_factory=True)


def changed_fields(model: BaseModel, always: Iterable[str] = ()) -> Iterator[tuple[str, Any]]:
    """``(name, value)`` of the fields in ``always``, then of those not at their default."""
    fields = type(model).model_fields
    shown = [name for name in always if name in fields]
    for name in shown:
        yield name, getattr(model, name)
    for name in fields:
        if name in shown:
            continue
        value = getattr(model, name)
        has_default, default = _default_of(type(model), name)
        if not has_default or type(value) is not type(default) or value != default:
            yield name, value


def html_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, caption: str | None = None
) -> str:
    """An HTML table; every cell is escaped, cells of the first column shown as code."""
    parts = ["<table>"]
    if caption:
        parts.append(f"<caption style='text-align:left'>{escape(caption)}</caption>")
    parts.append("<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        first, *rest = row
        cells = [f"<td><code>{escape(first)}</code></td>"]
        cells += [f"<td>{escape(cell)}</td>" for cell in rest]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def model_table_html(model: BaseModel, *, title: str, always: Iterable[str] = ()) -> str:
    """``model``'s shown fields as a table (field, value, default, description)."""
    model_class = type(model)
    rows = []
    shown = set()
    for name, value in changed_fields(model, always):
        shown.add(name)
        has_default, default = _default_of(model_class, name)
        description = model_class.model_fields[name].description or ""
        default_text = value_label(default) if has_default else "required"
        rows.append((name, value_label(value), default_text, description))
    rest = [name for name in model_class.model_fields if name not in shown]
    html = html_table(("field", "value", "default", "description"), rows, caption=title)
    if rest:
        html += f"\n<p>At their defaults: {escape(', '.join(rest))}</p>"
    return f"<div>\n{html}\n</div>"


def builder_repr(builder: Any) -> str:
    """``Builder(step_name=..., framework=..., <key settings>, <settings not at default>)``."""
    shown: list[tuple[str, object]] = [("step_name", builder.step_name)]
    if builder.framework is not None:
        shown.append(("framework", builder.framework))
    shown += [
        (name, Label(value_label(value)))
        for name, value in changed_fields(builder.config, KEY_SETTINGS)
    ]
    settings = ", ".join(f"{name}={value!r}" for name, value in shown)
    return f"{type(builder).__name__}({settings})"


def builder_html(builder: Any) -> str:
    """The builder's step, framework and contract over a table of its settings."""
    framework = f", framework {builder.framework}" if builder.framework else ""
    contract = builder.contract
    title = (
        f"{type(builder).__name__}: step {builder.step_name}{framework}, "
        f"contract {contract.name} ({contract.entry_point})"
    )
    return model_table_html(builder.config, title=title, always=KEY_SETTINGS)
