# The post request form and the short forms of sign-off, publication and delegation, as data.
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.directory import Account, Directory
from bot.errors import FormInvalid
from bot.forms import Field, FieldKind, Form, Option, clean_partly, clean_values
from bot.posts.model import (
    CONFIRMATION_LABELS,
    OBJECTIVE_LABELS,
    SHOWS_LABELS,
    Confirmation,
    Objective,
    PostVersion,
    Shows,
)

REQUEST_FORM = "post_request"
CHANGES_FORM = "post_changes"
REJECT_FORM = "post_reject"
PUBLISH_FORM = "post_publish"
DELEGATE_FORM = "post_delegate"
PUPIL_FIELDS = ("pupils", "blurred")  # searched over the consent register
MAX_TEXT = 3000
MAX_LINKS = 10
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class PostInput:
    """A checked request, before the consent register and the screening are consulted."""

    account_id: str
    objective: Objective
    text: str
    publish_at: datetime
    media_links: tuple[str, ...]
    shows: Shows
    pupil_ids: tuple[int, ...]
    blurred_ids: frozenset[int]
    confirmations: tuple[str, ...]


def account_label(account: Account, directory: Directory) -> str:
    site = directory.site(account.site)
    where = site.name if site else "Trust-wide"
    return f"{account.platform} {account.handle} · {where}"


def request_form(
    accounts: Sequence[Account],
    directory: Directory,
    *,
    default_time: datetime,
    ref: str | None = None,
    account_id: str | None = None,
    objective: Objective | None = None,
    earlier: PostVersion | None = None,
    pupil_options: Sequence[Option] = (),
) -> Form:
    """The request form; with `earlier`, filled in for an edit that becomes a new version."""
    shown = {p.pupil_id for p in earlier.pupils} if earlier else set()
    blurred = {p.pupil_id for p in earlier.pupils if p.blurred} if earlier else set()
    return Form(
        id=REQUEST_FORM,
        title="Request a post" if ref is None else f"Edit {ref}",
        submit="Send for approval",
        context={"ref": ref} if ref else {},
        intro="The Head of Communications and your Headteacher (an ELT member for Trust "
        "accounts) sign off every post. I check the text and the pupils' photo consent first."
        if ref is None
        else f"Your changes become a new version of {ref}; earlier sign-offs no longer count, "
        "and the history is kept.",
        fields=(
            Field(
                "account",
                "Which account?",
                FieldKind.SELECT,
                options=tuple(Option(a.id, account_label(a, directory)) for a in accounts),
                initial=account_id,
            ),
            Field(
                "objective",
                "What is it for?",
                FieldKind.SELECT,
                options=tuple(Option(o.value, label) for o, label in OBJECTIVE_LABELS.items()),
                initial=objective.value if objective else None,
            ),
            Field(
                "text",
                "The text of the post",
                FieldKind.LONG_TEXT,
                max_length=MAX_TEXT,
                placeholder="Exactly as it will appear",
                initial=earlier.text if earlier else None,
            ),
            Field(
                "publish_at",
                "When should it go out?",
                FieldKind.DATETIME,
                initial=str(int((earlier.publish_at if earlier else default_time).timestamp())),
            ),
            Field(
                "media_links",
                "Links to the photos or videos",
                FieldKind.LONG_TEXT,
                required=False,
                max_length=2000,
                placeholder="One link per line (for example a shared drive folder)",
                initial="\n".join(earlier.media_links) if earlier else None,
            ),
            Field(
                "shows",
                "Does it show pupils?",
                FieldKind.SELECT,
                options=tuple(Option(s.value, label) for s, label in SHOWS_LABELS.items()),
                initial=earlier.shows.value if earlier else Shows.NONE.value,
            ),
            Field(
                "pupils",
                "Which pupils are shown?",
                FieldKind.SEARCH_MANY,
                required=False,
                hint="Type a name: I look them up in the consent register.",
                initial_options=tuple(o for o in pupil_options if int(o.value) in shown),
            ),
            Field(
                "blurred",
                "Pupils who will be blurred or cropped out",
                FieldKind.SEARCH_MANY,
                required=False,
                hint="Needed for any pupil without consent for this use.",
                initial_options=tuple(o for o in pupil_options if int(o.value) in blurred),
            ),
            Field(
                "confirmations",
                "I confirm",
                FieldKind.CHECKBOXES,
                options=tuple(Option(c.value, label) for c, label in CONFIRMATION_LABELS.items()),
            ),
        ),
    )


def parse_request(
    form: Form, raw: Mapping[str, object], *, allowed_accounts: Sequence[str], now: datetime
) -> PostInput:
    """Check the answers that need no register; raise FormInvalid with every field error."""
    values, errors = clean_partly(form, raw)
    if values.get("account") and values["account"] not in allowed_accounts:
        errors["account"] = "Please choose one of your school's or the Trust's accounts."
    publish_at = values.get("publish_at")
    if isinstance(publish_at, datetime) and publish_at <= now:
        errors["publish_at"] = "Please choose a time in the future."
    links = str(values.get("media_links") or "").split()
    if any(not _URL.match(link) for link in links):
        errors["media_links"] = "Each link should start with https:// (one per line)."
    elif len(links) > MAX_LINKS:
        errors["media_links"] = f"Please give at most {MAX_LINKS} links (a folder link is fine)."
    shows = Shows(str(values["shows"])) if values.get("shows") else Shows.NONE
    pupils = _ids(values.get("pupils"))
    blurred = _ids(values.get("blurred"))
    if pupils is None or blurred is None:
        errors["pupils"] = "Please choose the pupils from the list."
    elif shows is Shows.NONE and pupils:
        errors["shows"] = "You chose pupils: please say whether they are in photos or videos."
    elif shows is not Shows.NONE and not pupils:
        errors["pupils"] = "Please choose every pupil shown, or choose “No pupils” above."
    elif not set(blurred) <= set(pupils):
        errors["blurred"] = "Only pupils chosen above can be blurred or cropped out."
    ticked = values.get("confirmations")
    if isinstance(ticked, list) and len(set(ticked)) < len(Confirmation):
        errors["confirmations"] = "Please tick all three: each is part of the policy."
    if errors:
        raise FormInvalid(errors)
    assert isinstance(publish_at, datetime) and pupils is not None and blurred is not None
    return PostInput(
        account_id=str(values["account"]),
        objective=Objective(str(values["objective"])),
        text=str(values["text"]),
        publish_at=publish_at,
        media_links=tuple(links),
        shows=shows,
        pupil_ids=pupils,
        blurred_ids=frozenset(blurred),
        confirmations=tuple(sorted(set(ticked or []))),
    )


def _ids(raw: object) -> tuple[int, ...] | None:
    """Pupil ids chosen in a search field, in order and once each; None when unreadable."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) and v.isdigit() for v in raw):
        return None
    return tuple(dict.fromkeys(int(v) for v in raw))


def default_publish_time(now: datetime, zone: object) -> datetime:
    """Tomorrow at 09:00 in the Trust's time zone."""
    local = now.astimezone(zone)  # type: ignore[arg-type]
    return (local + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)


def comment_form(form_id: str, ref: str, version: int) -> Form:
    """Request changes (a comment) or reject (a reason) on one version."""
    changes = form_id == CHANGES_FORM
    return Form(
        id=form_id,
        title="Request changes" if changes else "Reject the post",
        submit="Send" if changes else "Reject",
        context={"ref": ref, "version": str(version)},
        fields=(
            Field(
                "comment",
                "What should change?" if changes else "Why is it rejected?",
                FieldKind.LONG_TEXT,
                max_length=1000,
                placeholder="The requester sees this"
                if changes
                else "The requester sees this reason",
            ),
        ),
    )


def publish_form(ref: str) -> Form:
    return Form(
        id=PUBLISH_FORM,
        title="Mark as published",
        submit="Save",
        context={"ref": ref},
        intro="The link is kept with the request, so that if a parent withdraws consent later "
        "the post can be found and taken down.",
        fields=(
            Field(
                "url",
                "Link to the published post",
                FieldKind.TEXT,
                max_length=500,
                placeholder="https://…",
            ),
        ),
    )


def parse_url(raw: Mapping[str, object]) -> str:
    url = str(clean_values(publish_form(""), raw)["url"])
    if not _URL.match(url):
        raise FormInvalid({"url": "Please paste the post's full link, starting with https://"})
    return url


def delegate_form(
    roles: Sequence[tuple[str, str]], colleagues: Sequence[Option], today: date
) -> Form:
    return Form(
        id=DELEGATE_FORM,
        title="Delegate sign-offs",
        submit="Delegate",
        intro="While you are away, the colleague you choose signs off in your place. It is "
        "recorded and shown on every request they sign.",
        fields=(
            Field(
                "role",
                "Which sign-offs?",
                FieldKind.SELECT,
                options=tuple(Option(value, label) for value, label in roles),
                initial=roles[0][0] if len(roles) == 1 else None,
            ),
            Field("to", "Colleague", FieldKind.SELECT, options=tuple(colleagues[:100])),
            Field(
                "until",
                "Until (inclusive)",
                FieldKind.DATE,
                initial=(today + timedelta(days=7)).isoformat(),
            ),
        ),
    )


def parse_delegation(raw: Mapping[str, object]) -> tuple[str, str, date]:
    """Role, colleague and end date as chosen; whether they are allowed is the flow's to say."""
    errors = {}
    role, to, until = raw.get("role"), raw.get("to"), raw.get("until")
    if not isinstance(role, str) or not role:
        errors["role"] = "Please choose which sign-offs."
    if not isinstance(to, str) or not to:
        errors["to"] = "Please choose a colleague."
    try:
        day = date.fromisoformat(str(until))
    except ValueError:
        errors["until"] = "Please pick a date from the calendar."
    if errors:
        raise FormInvalid(errors)
    return str(role), str(to), day
