# What Teams does with a card, for tests: the inputs it holds and the data a button sends.
from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every element, column and action of a card, depth first."""
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in walk(card) if str(e["type"]).startswith("Input.")}


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in walk(card) if e["type"] == "Action.Execute"]


def button(card: dict[str, Any], verb: str, **data: str) -> dict[str, Any]:
    return next(
        b
        for b in buttons(card)
        if b["verb"] == verb and all(b["data"].get(k) == v for k, v in data.items())
    )


def press(card: dict[str, Any], action: dict[str, Any], **typed: str) -> dict[str, Any]:
    """The data Teams sends for `action`: its own data, then every input that holds a value
    (the card's, replaced by `typed`), as adaptivecards' SubmitActionBase does."""
    data = dict(action.get("data") or {})
    if action.get("associatedInputs") == "none":
        return data
    for name, element in inputs(card).items():
        value = typed.get(name, element.get("value"))
        if value:
            data[name] = value
    return data
