# The policy forms as data (rule P1): sending a review for ratification, returning it, and
# announcing a change to every member of staff; each with its checks in plain words.
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.errors import FormInvalid
from bot.forms import Field, FieldKind, Form, clean_partly
from bot.policy.model import LONGEST_REVIEW_GAP_YEARS, add_years, day_words
from bot.training.forms import is_https_link

REVIEW_FORM = "policy_review"
RETURN_FORM = "policy_return"
ANNOUNCE_FORM = "policy_announce"
MAX_LINK = 500
MAX_WHAT_CHANGED = 2000
MAX_REASON = 1000
MAX_SUMMARY = 1000
HTTPS_ONLY = "Please paste the whole link, starting with https://"


@dataclass(frozen=True)
class ReviewInput:
    next_review: date
    summary: str | None
    link: str | None


@dataclass(frozen=True)
class ChangeInput:
    summary: str
    link: str


def review_form(suggested: date, current: date | None) -> Form:
    """The Head of Comms sends a review to ELT: the next review date, what changed, a link."""
    due = f" The current review date is {day_words(current)}." if current else ""
    return Form(
        id=REVIEW_FORM,
        title="Send for ratification",
        submit="Send to ELT",
        intro="The policy is reviewed every year by the Head of Communications and ratified by "
        f"ELT (section 12).{due} Each member of ELT gets a card to ratify or return it.",
        fields=(
            Field(
                "next_review",
                "Next review date",
                FieldKind.DATE,
                initial=suggested.isoformat(),
                hint=f"In the future, and at most {LONGEST_REVIEW_GAP_YEARS} years ahead.",
            ),
            Field(
                "summary",
                "What changed (optional)",
                FieldKind.LONG_TEXT,
                required=False,
                max_length=MAX_WHAT_CHANGED,
                hint="Leave it empty when the review changed nothing.",
            ),
            Field(
                "link",
                "Link to the reviewed policy (optional)",
                FieldKind.TEXT,
                required=False,
                max_length=MAX_LINK,
                placeholder="https://",
            ),
        ),
    )


def parse_review(form: Form, raw: Mapping[str, object], *, today: date) -> ReviewInput:
    """Check the answers; FormInvalid names every field to put right."""
    values, errors = clean_partly(form, raw)
    day = values.get("next_review")
    latest = add_years(today, LONGEST_REVIEW_GAP_YEARS)
    if isinstance(day, date) and day <= today:
        errors["next_review"] = "Please choose a date in the future."
    elif isinstance(day, date) and day > latest:
        errors["next_review"] = (
            f"Please choose a date no more than {LONGEST_REVIEW_GAP_YEARS} years ahead "
            f"(by {day_words(latest)})."
        )
    link = values.get("link")
    if isinstance(link, str) and not is_https_link(link):
        errors["link"] = HTTPS_ONLY + ", or leave this empty."
    if errors:
        raise FormInvalid(errors)
    assert isinstance(day, date)
    summary = values.get("summary")
    return ReviewInput(day, str(summary) if summary else None, str(link) if link else None)


def return_form(ref: str) -> Form:
    """An ELT member returns a review to the Head of Comms, saying why."""
    return Form(
        id=RETURN_FORM,
        title=f"Return {ref}",
        submit="Return it",
        intro="The Head of Communications will see your reason and can send it again.",
        fields=(
            Field(
                "reason",
                "What needs another look?",
                FieldKind.LONG_TEXT,
                max_length=MAX_REASON,
            ),
        ),
        context={"ref": ref},
    )


def parse_return(form: Form, raw: Mapping[str, object]) -> str:
    values, errors = clean_partly(form, raw)
    if errors:
        raise FormInvalid(errors)
    return str(values["reason"])


def announce_form() -> Form:
    """The Head of Comms announces a change of the policy to every member of staff."""
    return Form(
        id=ANNOUNCE_FORM,
        title="Announce a policy change",
        submit="Announce",
        intro="Any change to the policy is communicated to all staff (section 12). Everyone at "
        "every site gets it with an Acknowledge button and is reminded weekly in term time "
        "until they acknowledge it.",
        fields=(
            Field(
                "summary",
                "What changed, in a few lines",
                FieldKind.LONG_TEXT,
                max_length=MAX_SUMMARY,
            ),
            Field(
                "link",
                "Link to the policy",
                FieldKind.TEXT,
                max_length=MAX_LINK,
                placeholder="https://",
            ),
        ),
    )


def parse_change(form: Form, raw: Mapping[str, object]) -> ChangeInput:
    values, errors = clean_partly(form, raw)
    link = values.get("link")
    if isinstance(link, str) and not is_https_link(link):
        errors["link"] = HTTPS_ONLY + "."
    if errors:
        raise FormInvalid(errors)
    return ChangeInput(str(values["summary"]), str(link))
