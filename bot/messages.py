# Messages as data: a discreet notification line, a title, facts and buttons, rendered per channel.
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Style(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class Action:
    """A button: `id` says what it does, `value` which record it is for."""

    id: str
    label: str
    value: str
    style: Style = Style.DEFAULT


@dataclass(frozen=True)
class Section:
    """A titled block of free text (for example what happened, or the notes so far)."""

    title: str
    text: str


@dataclass(frozen=True)
class Message:
    """What a person receives. `notification` is all a phone's lock screen may show:
    it never names a pupil nor quotes a report."""

    notification: str
    title: str
    body: str | None = None
    facts: tuple[tuple[str, str], ...] = ()
    sections: tuple[Section, ...] = ()
    actions: tuple[Action, ...] = ()
    footer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            notification=data["notification"],
            title=data["title"],
            body=data.get("body"),
            facts=tuple((k, v) for k, v in data.get("facts", ())),
            sections=tuple(Section(**s) for s in data.get("sections", ())),
            actions=tuple(
                Action(a["id"], a["label"], a["value"], Style(a.get("style", "default")))
                for a in data.get("actions", ())
            ),
            footer=data.get("footer"),
        )
