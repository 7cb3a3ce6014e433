"""Render a compiled pipeline definition's step graph as a Mermaid flowchart."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = ["flowchart", "pipeline_edges", "pipeline_to_mermaid"]

_STEP_REFERENCE = re.compile(r"^Steps\.([A-Za-z0-9\-_]+)\.(.+)$")


def _references(value: Any) -> Iterator[tuple[str, str]]:
    """Every ``(step name, property path)`` a ``{"Get": "Steps.<name>..."}`` inside value names."""
    if isinstance(value, Mapping):
        get = value.get("Get")
        if isinstance(get, str):
            match = _STEP_REFERENCE.match(get)
            if match:
                yield match.group(1), match.group(2)
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def pipeline_edges(definition: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(upstream, downstream, label)`` for each data reference and ``DependsOn`` entry."""
    edges: dict[tuple[str, str], list[str]] = {}
    for step in definition.get("Steps", []):
        name = step["Name"]
        for upstream, path in _references(step.get("Arguments", {})):
            label = path.removeprefix("OutputParameters['").removesuffix("']")
            edges.setdefault((upstream, name), []).append(label)
        for upstream in step.get("DependsOn", []) or []:
            edges.setdefault((upstream, name), [])
    return [
        (upstream, downstream, ", ".join(dict.fromkeys(labels)))
        for (upstream, downstream), labels in edges.items()
    ]


def _node_ids(names: list[str]) -> dict[str, str]:
    """Mermaid-safe ids, unique even when two names differ only in '-' versus '_'."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        if name in ids:
            continue
        base = re.sub(r"[^A-Za-z0-9_]", "_", name)
        candidate, suffix = base, 2
        while candidate in taken:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(candidate)
        ids[name] = candidate
    return ids


def flowchart(steps: Sequence[tuple[str, str]], edges: Sequence[tuple[str, str, str]]) -> str:
    """A ``flowchart TD`` of ``(name, type)`` steps and ``(upstream, downstream, label)`` edges."""
    names = [name for name, _ in steps] + [name for edge in edges for name in edge[:2]]
    ids = _node_ids(names)
    lines = ["flowchart TD"]
    for name, kind in steps:
        lines.append(f'    {ids[name]}["{_escape(name)} ({_escape(kind)})"]')
    for upstream, downstream, label in edges:
        arrow = f"-->|{_escape(label)}|" if label else "-->"
        lines.append(f"    {ids[upstream]} {arrow} {ids[downstream]}")
    return "\n".join(lines)


def pipeline_to_mermaid(definition: Mapping[str, Any]) -> str:
    """A ``flowchart TD`` of the definition's steps, edges labelled with what flows."""
    steps = [(step["Name"], step["Type"]) for step in definition.get("Steps", [])]
    return flowchart(steps, pipeline_edges(definition))


def _escape(label: str) -> str:
    return label.replace('"', "#quot;").replace("|", "#124;")
