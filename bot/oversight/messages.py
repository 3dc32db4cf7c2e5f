# What oversight says: a digest of one scope's figures, with the change since last week.
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from bot.declarations.messages import day
from bot.directory import Directory
from bot.messages import Message, Section
from bot.oversight.model import (
    ACKED,
    APPROVALS,
    DECLARATIONS,
    DUE,
    NOT_ACKED,
    TRAINED,
    TRUST,
    Figures,
    report_key,
)
from bot.reports.model import CATEGORY_LABELS, Category, Status

if TYPE_CHECKING:
    from bot.oversight.service import Digest

STATES = ((Status.OPEN, "open"), (Status.ACKNOWLEDGED, "acknowledged"), (Status.CLOSED, "closed"))


def scope_name(directory: Directory, scope: str) -> str:
    if scope == TRUST:
        return "the Trust"
    site = directory.site(scope)
    return site.name if site else scope


def change(changed: Mapping[str, int], *keys: str) -> str:
    """ " (+2 since last week)" for the keys' total change, or nothing."""
    total = sum(changed.get(k, 0) for k in keys)
    return f" ({total:+d} since last week)" if total else ""


def digest_message(directory: Directory, digest: Digest, *, week: date | None = None) -> Message:
    """A weekly digest (with `week`) or the summary on demand (without)."""
    figures, changed = digest.figures, digest.changed
    name = scope_name(directory, figures.scope)
    title = f"Weekly summary for {name}" if week else f"Summary for {name}"
    when = f"Week beginning {day(week)}. " if week else ""
    since = (
        "Changes since your last weekly summary are in brackets."
        if digest.before is not None
        else "From next week, the changes since the last summary will show here."
    )
    sections = [Section("Misuse reports in the last 12 months", report_lines(figures, changed))]
    if figures.sites:
        lines = "\n".join(site_line(directory, site) for site in figures.sites)
        sections.append(Section("By site", lines))
    return Message(
        notification=f"{title}: reports, approvals, declarations, training and policy",
        title=title,
        body=when + since,
        facts=(
            ("Posts waiting for sign-off", f"{figures.get(APPROVALS)}{change(changed, APPROVALS)}"),
            (
                "Declarations waiting for a Safeguarding Lead",
                f"{figures.get(DECLARATIONS)}{change(changed, DECLARATIONS)}",
            ),
            ("Training in date", training_line(figures) + change(changed, TRAINED)),
            *(
                (
                    (
                        f"Policy change {figures.change} acknowledged",
                        share(figures.get(ACKED), figures.get(NOT_ACKED)) + change(changed, ACKED),
                    ),
                )
                if figures.change
                else ()
            ),
        ),
        sections=tuple(sections),
        footer="Counts only: open a record from App Home to see it, where you may.",
    )


def report_lines(figures: Figures, changed: Mapping[str, int]) -> str:
    lines = []
    for category in Category:
        keys = [report_key(category, state) for state, _ in STATES]
        if not any(figures.get(k) or changed.get(k) for k in keys):
            continue
        parts = [
            f"{figures.get(report_key(category, state))} {label}"
            + change(changed, report_key(category, state)).replace(" since last week", "")
            for state, label in STATES
        ]
        lines.append(f"{CATEGORY_LABELS[category]}: {', '.join(parts)}")
    return "\n".join(lines) or "None."


def training_line(figures: Figures) -> str:
    return share(figures.get(TRAINED), figures.get(DUE))


def share(done: int, not_done: int) -> str:
    """ "18 of 20 (90%)", or "no staff"."""
    everyone = done + not_done
    if not everyone:
        return "no staff"
    return f"{done} of {everyone} ({round(100 * done / everyone)}%)"


def site_line(directory: Directory, figures: Figures) -> str:
    open_reports = sum(
        figures.get(report_key(c, s)) for c in Category for s in (Status.OPEN, Status.ACKNOWLEDGED)
    )
    acks = f", policy change {share(figures.get(ACKED), figures.get(NOT_ACKED))}"
    return (
        f"{scope_name(directory, figures.scope)}: {open_reports} report(s) not closed, "
        f"{figures.get(APPROVALS)} post(s) waiting, {figures.get(DECLARATIONS)} declaration(s) "
        f"waiting, training {training_line(figures)}" + (acks if figures.change else "")
    )
