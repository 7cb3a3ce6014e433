"""``ContractNames``: the tuple of contract names ``list_contracts()`` returns, shown as a table."""

from __future__ import annotations

from pipeline_script_contracts.rendering import render_list_html, render_list_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from pipeline_script_contracts.contract import ScriptContract


class ContractNames(tuple[str, ...]):
    """Contract names: a plain tuple of str in every respect but how it is shown.

    ``repr()`` and a notebook show the contracts as a table (name, entry point,
    container, inputs, outputs); equality, hashing, iteration, indexing and JSON are
    the tuple's.
    """

    __slots__ = ()

    def contracts(self) -> list[ScriptContract]:
        """The contracts named, in order."""
        from pipeline_script_contracts.registry import get_contract

        return [get_contract(name) for name in self]

    def __repr__(self) -> str:
        return render_list_text(self.contracts())

    def __str__(self) -> str:
        return repr(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        return render_list_html(self.contracts())
