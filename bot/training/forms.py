# The training forms as data: recording a completion, and starting a refresher campaign.
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from bot.directory import Directory
from bot.errors import FormInvalid
from bot.forms import Field, FieldKind, Form, Option, clean_partly
from bot.training.model import COURSE, TRUST

RECORD_FORM = "training_record"
CAMPAIGN_FORM = "training_campaign"
PERSON_FIELD = "training_person"
MAX_LINK = 500
MAX_REASON = 500
LONGEST_CAMPAIGN = timedelta(days=366)
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class RecordInput:
    """A checked completion: the day, an optional certificate link, and (for the Head of
    Comms) the person it is for."""

    completed_on: date
    certificate_url: str | None
    person: str | None


@dataclass(frozen=True)
class CampaignInput:
    site_id: str  # a site id, or TRUST
    deadline: date
    reason: str


def record_form(today: date, *, for_others: bool) -> Form:
    """The completion form; the Head of Comms may also confirm someone else's training."""
    fields = [
        Field("completed_on", "When did you complete it?", FieldKind.DATE, initial=str(today)),
        Field(
            "certificate_url",
            "Link to the certificate (optional)",
            FieldKind.TEXT,
            required=False,
            max_length=MAX_LINK,
            placeholder="https://",
        ),
    ]
    if for_others:
        fields.append(
            Field(
                PERSON_FIELD,
                "Confirming it for someone else?",
                FieldKind.PERSON,
                required=False,
                hint="As Head of Communications you can confirm a colleague's training. "
                "Leave it empty to record your own.",
            )
        )
    return Form(
        id=RECORD_FORM,
        title="Record training",
        submit="Record it",
        intro=f"The Trust's course: {COURSE} (policy section 2). It stays valid for a set "
        "number of months, then you will be reminded to refresh it.",
        fields=tuple(fields),
    )


def parse_record(
    form: Form, raw: Mapping[str, object], *, today: date, directory: Directory
) -> RecordInput:
    """Check the answers; FormInvalid names every field to put right, in plain words."""
    values, errors = clean_partly(form, raw)
    done = values.get("completed_on")
    if isinstance(done, date) and done > today:
        errors["completed_on"] = "Please choose a date that is not in the future."
    link = values.get("certificate_url")
    if isinstance(link, str) and not is_https_link(link):
        errors["certificate_url"] = (
            "Please paste the whole link, starting with https://, or leave this empty."
        )
    person = values.get(PERSON_FIELD)
    if isinstance(person, str) and directory.person(person) is None:
        errors[PERSON_FIELD] = "Please pick the person from the list."
    if errors:
        raise FormInvalid(errors)
    assert isinstance(done, date)
    return RecordInput(
        completed_on=done,
        certificate_url=str(link) if link else None,
        person=str(person).lower() if person else None,
    )


def is_https_link(text: str) -> bool:
    """An https:// address with a host and no spaces."""
    if _SPACE.search(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and "." in (parts.hostname or "")


def campaign_form(directory: Directory, today: date) -> Form:
    """The Head of Comms' form: which site (or the whole Trust), by when, and why."""
    scopes = [Option(TRUST, "The whole Trust (every site)")]
    scopes += [Option(site.id, site.name) for site in directory.sites]
    return Form(
        id=CAMPAIGN_FORM,
        title="Refresher training",
        submit="Start it",
        intro="After an incident or a change to the policy (section 11): everyone in scope "
        "must complete the training again, even if they did recently. They are told now and "
        "reminded weekly in term time until they have done it.",
        fields=(
            Field(
                "scope", "Who must refresh their training?", FieldKind.SELECT, options=tuple(scopes)
            ),
            Field(
                "deadline",
                "Complete by",
                FieldKind.DATE,
                initial=str(today + timedelta(days=28)),
            ),
            Field(
                "reason",
                "Why (staff see this)",
                FieldKind.LONG_TEXT,
                max_length=MAX_REASON,
                hint="For example: a change to the policy, or lessons from an incident. "
                "Please name nobody.",
            ),
        ),
    )


def parse_campaign(form: Form, raw: Mapping[str, object], *, today: date) -> CampaignInput:
    values, errors = clean_partly(form, raw)
    deadline = values.get("deadline")
    if isinstance(deadline, date) and deadline <= today:
        errors["deadline"] = "Please choose a day after today."
    elif isinstance(deadline, date) and deadline > today + LONGEST_CAMPAIGN:
        errors["deadline"] = "Please choose a day within the next year."
    if errors:
        raise FormInvalid(errors)
    assert isinstance(deadline, date)
    return CampaignInput(str(values["scope"]), deadline, str(values["reason"]))
