# Who receives a misuse report, decided from the directory alone (rules M1–M6).
from __future__ import annotations

from dataclasses import dataclass

from bot.directory import Directory, Site
from bot.errors import PolicyError
from bot.reports.model import PROCEDURES, SAFEGUARDING_PROCEDURE, Category, Recipient, RecipientRole

LEVELS = ("headteacher", "elt", "board")


@dataclass(frozen=True)
class Route:
    """The decision: recipients, whether the report is restricted, and which procedure applies."""

    recipients: tuple[Recipient, ...]
    lead_level: str
    restricted: bool
    procedure: str | None
    notes: tuple[str, ...] = ()


def leads_at(directory: Directory, site: Site, level: str, excluded: set[str]) -> tuple[str, ...]:
    """Holders of a lead level for a site, less anyone excluded."""
    holders = site.headteacher if level == "headteacher" else directory.holders(level)
    return tuple(email for email in holders if email not in excluded)


def next_level(directory: Directory, site: Site, level: str, excluded: set[str]) -> str | None:
    """The first level above `level` with somebody left to receive the report."""
    for higher in LEVELS[LEVELS.index(level) + 1 :]:
        if leads_at(directory, site, higher, excluded):
            return higher
    return None


def route_report(
    directory: Directory,
    *,
    reporter: str,
    site_id: str,
    category: Category,
    subject_staff: str | None,
    safeguarding: bool,
    on_school_device: bool,
) -> Route:
    """Decide who receives a report. The reporter never chooses, and neither the reporter
    nor the member of staff it is about ever receives it."""
    site = directory.site(site_id)
    if site is None:
        raise PolicyError("That site is not in the Trust's directory.")
    excluded = {reporter.lower()} | ({subject_staff.lower()} if subject_staff else set())
    notes: list[str] = []

    first = "headteacher" if site.kind == "school" else "elt"
    level = first if leads_at(directory, site, first, excluded) else None
    level = level or next_level(directory, site, first, excluded)
    if level is None:
        raise PolicyError(
            "Nobody in the directory can receive this report without it reaching the person "
            "it is about. Please speak to your Safeguarding Lead in person."
        )
    if level != first:
        notes.append(
            f"Sent to {level.upper() if level == 'elt' else level} instead: "
            "the usual recipient is involved."
        )
    as_role, scope = (level, None) if level != "headteacher" else ("headteacher", site.id)
    recipients = [
        Recipient(email, RecipientRole.LEAD, as_role, scope)
        for email in leads_at(directory, site, level, excluded)
    ]

    if safeguarding:
        recipients += _safeguarding_leads(directory, site, excluded, taken=_emails(recipients))
    if category is Category.ABUSIVE_COMMENT and not safeguarding:
        recipients += [
            Recipient(email, RecipientRole.COMMS, "head_of_comms", None)
            for email in directory.holders("head_of_comms")
            if email not in excluded | _emails(recipients)
        ]
    if category is Category.INAPPROPRIATE_CONTENT and on_school_device:
        recipients += [
            Recipient(email, RecipientRole.IT, "it_provider", None)
            for email in directory.holders("it_provider")
            if email not in excluded
        ]
    procedure = SAFEGUARDING_PROCEDURE if safeguarding else PROCEDURES.get(category)
    return Route(tuple(recipients), level, safeguarding, procedure, tuple(notes))


def _safeguarding_leads(
    directory: Directory, site: Site, excluded: set[str], *, taken: set[str]
) -> list[Recipient]:
    """The site's Safeguarding Leads (unless already leads); the hub's (Trust-wide) ones
    when every one of the site's is excluded."""
    for candidate in (site, directory.hub()):
        if candidate is None:
            continue
        emails = [e for e in candidate.safeguarding_leads if e not in excluded]
        if emails:
            return [
                Recipient(e, RecipientRole.SAFEGUARDING, "safeguarding_lead", candidate.id)
                for e in emails
                if e not in taken
            ]
    return []


def _emails(recipients: list[Recipient]) -> set[str]:
    return {r.email for r in recipients}
