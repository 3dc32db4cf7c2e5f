# The abuse log form as data, and its checks: https links, pictures or PDFs for screenshots, a
# time that is not in the future.
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.abuse.model import DONE_LABELS, KIND_LABELS, PLATFORMS, TRUST, Done, Kind
from bot.directory import Directory
from bot.errors import FormInvalid
from bot.files import EVIDENCE_EXTENSIONS, Upload
from bot.forms import Field, FieldKind, Form, Option, clean_partly

ABUSE_FORM = "abuse_log"
SCREENSHOT_FORM = "abuse_screenshot"
MAX_TEXT = 200
MAX_LINK = 500
MAX_NOTE = 1000
SKEW = timedelta(minutes=2)  # a clock a little ahead of ours is not "the future"
HTTPS = re.compile(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$", re.IGNORECASE)
MAX_FILES = 3

WHY = (
    "The policy asks the Head of Communications to keep a log of inappropriate comments or "
    "abuse about our schools and the Trust. The Head of Communications, the school's "
    "Headteacher and you will see this entry. Add a screenshot: comments are often deleted. "
    "The bot keeps the file with its SHA-256 fingerprint, so a later copy can be shown to be "
    "the same."
)
NOT_A_PICTURE = "Please add a picture (PNG, JPEG, GIF, WebP or HEIC) or a PDF."


@dataclass(frozen=True)
class EntryInput:
    """A checked entry, ready to record."""

    platform: str
    account: str
    link: str
    author: str
    seen_at: datetime
    kind: Kind
    site_id: str
    screenshot_url: str | None
    uploads: tuple[Upload, ...]
    done: tuple[Done, ...]
    note: str | None


def abuse_form(directory: Directory, email: str) -> Form:
    """The form for anyone in the directory; the school defaults to their own."""
    own = [s.id for s in directory.sites_of(email) if s.kind == "school"]
    sites = (*(Option(s.id, s.name) for s in directory.schools()), Option(TRUST, "The Trust"))
    return Form(
        id=ABUSE_FORM,
        title="Log an abusive comment",
        submit="Log it",
        intro=WHY,
        fields=(
            Field(
                "site",
                "Which school is it about?",
                FieldKind.SELECT,
                options=sites,
                initial=own[0] if own else TRUST,
            ),
            Field(
                "platform",
                "Platform",
                FieldKind.SELECT,
                options=tuple(Option(p, p) for p in PLATFORMS),
            ),
            Field(
                "account",
                "The account or page it was on",
                FieldKind.TEXT,
                max_length=MAX_TEXT,
                placeholder="@OakfieldPrimary, or the page's name",
            ),
            Field(
                "link",
                "Link to the comment",
                FieldKind.TEXT,
                max_length=MAX_LINK,
                placeholder="https://...",
            ),
            Field(
                "author",
                "The author's handle or name",
                FieldKind.TEXT,
                max_length=MAX_TEXT,
                hint="As it appears on the platform; write unknown if you cannot tell.",
            ),
            Field("seen_at", "When did you see it?", FieldKind.DATETIME),
            Field(
                "kind",
                "What kind of comment",
                FieldKind.SELECT,
                options=tuple(Option(k.value, label) for k, label in KIND_LABELS.items()),
            ),
            Field(
                "screenshot_file",
                "Screenshot",
                FieldKind.FILE,
                required=False,
                max_files=MAX_FILES,
                accept=EVIDENCE_EXTENSIONS,
                hint="A picture of the comment, or a PDF; up to 3 files.",
                elsewhere=(
                    "This form cannot take a file: once you have sent it, send the screenshot "
                    "to me in this chat (attach it, or paste the picture). It goes with the "
                    "entry you logged today."
                ),
            ),
            Field(
                "screenshot",
                "Or a link to a screenshot kept elsewhere",
                FieldKind.TEXT,
                required=False,
                max_length=MAX_LINK,
                placeholder="https://...",
            ),
            Field(
                "done",
                "What has been done already",
                FieldKind.CHECKBOXES,
                required=False,
                options=tuple(Option(d.value, label) for d, label in DONE_LABELS.items()),
            ),
            Field(
                "note",
                "Anything else (what it said, who else saw it)",
                FieldKind.LONG_TEXT,
                required=False,
                max_length=MAX_NOTE,
            ),
        ),
    )


def screenshot_form(ref: str) -> Form:
    """Screenshots for an entry already logged (one sent before could not be fetched, or
    another was found)."""
    return Form(
        id=SCREENSHOT_FORM,
        title="Add a screenshot",
        submit="Add it",
        intro=f"The bot keeps the file with {ref}, with its SHA-256 fingerprint.",
        fields=(
            Field(
                "screenshot_file",
                "Screenshot",
                FieldKind.FILE,
                max_files=MAX_FILES,
                accept=EVIDENCE_EXTENSIONS,
                hint="A picture of the comment, or a PDF; up to 3 files.",
                elsewhere=(
                    "This form cannot take a file: send it to me in this chat instead (attach "
                    f"it, or paste the picture) with {ref} in the message."
                ),
            ),
        ),
        context={"ref": ref},
    )


def parse_files(form: Form, raw: Mapping[str, object]) -> tuple[Upload, ...]:
    """The files of a screenshot form; FormInvalid in plain words."""
    values, errors = clean_partly(form, raw)
    uploads = values.get("screenshot_file") or ()
    assert isinstance(uploads, tuple)
    if not errors and any(not upload.evidence for upload in uploads):
        errors["screenshot_file"] = NOT_A_PICTURE
    if errors:
        raise FormInvalid(errors)
    return uploads


def parse_entry(form: Form, raw: Mapping[str, object], now: datetime) -> EntryInput:
    """Check the answers; FormInvalid names every field to put right, in plain words."""
    values, errors = clean_partly(form, raw)
    for name in ("link", "screenshot"):
        value = values.get(name)
        if isinstance(value, str) and not HTTPS.match(value):
            errors[name] = "Please give a web address starting with https://"
    uploads = values.get("screenshot_file") or ()
    assert isinstance(uploads, tuple)
    if any(not upload.evidence for upload in uploads):
        errors["screenshot_file"] = NOT_A_PICTURE
    seen_at = values.get("seen_at")
    if isinstance(seen_at, datetime) and seen_at > now + SKEW:
        errors["seen_at"] = "Please choose a time that is not in the future."
    if errors:
        raise FormInvalid(errors)
    assert isinstance(seen_at, datetime)
    done = values.get("done") or []
    assert isinstance(done, list)
    return EntryInput(
        platform=str(values["platform"]),
        account=str(values["account"]),
        link=str(values["link"]),
        author=str(values["author"]),
        seen_at=seen_at,
        kind=Kind(str(values["kind"])),
        site_id=str(values["site"]),
        screenshot_url=_text(values.get("screenshot")),
        uploads=uploads,
        done=tuple(Done(d) for d in done),
        note=_text(values.get("note")),
    )


def _text(value: object) -> str | None:
    return str(value) if value else None
