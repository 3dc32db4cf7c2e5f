# The abuse log form: its fields, and its checks in plain words.
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.abuse.forms import abuse_form, parse_entry, parse_files, screenshot_form
from bot.abuse.model import Done, Kind
from bot.directory import load_directory
from bot.errors import FormInvalid
from bot.files import Upload
from tests.e2e.harness import SAMPLE

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
DIRECTORY = load_directory(SAMPLE)
FORM = abuse_form(DIRECTORY, "d.hughes@willow.example")
GOOD = {
    "site": "willow",
    "platform": "Facebook",
    "account": "Willow PTA",
    "link": "https://facebook.com/p/1",
    "author": "@someone",
    "seen_at": str(int((NOW - timedelta(hours=2)).timestamp())),
    "kind": "threatening",
    "screenshot": "https://trust.sharepoint.com/1.png",
    "done": ["hidden", "reported"],
}


def errors(**changes: object) -> dict[str, str]:
    with pytest.raises(FormInvalid) as raised:
        parse_entry(FORM, {k: v for k, v in (GOOD | changes).items() if v is not None}, NOW)
    return raised.value.errors


PNG = Upload("slack", "F1", "comment.png", "image/png", 2048)
PDF = Upload("teams", "a1", "Comment.PDF", "application/octet-stream")
ZIP = Upload("slack", "F2", "evidence.zip", "application/zip")
HUGE = Upload("slack", "F3", "recording.png", "image/png", 10 * 1024 * 1024 + 1)


def test_a_good_entry_is_read() -> None:
    entry = parse_entry(FORM, GOOD | {"screenshot_file": (PNG,)}, NOW)
    assert entry.kind is Kind.THREATENING and entry.done == (Done.HIDDEN, Done.REPORTED)
    assert entry.seen_at == NOW - timedelta(hours=2) and entry.uploads == (PNG,)
    assert entry.screenshot_url == "https://trust.sharepoint.com/1.png"


def test_the_form_offers_every_school_and_the_trust_and_defaults_to_ones_own() -> None:
    site = FORM.field("site")
    assert site.initial == "willow" and site.options[-1].value == "trust"
    assert abuse_form(DIRECTORY, "h.whitfield@trust.example").field("site").initial == "trust"
    kinds = [o.value for o in FORM.field("kind").options]
    assert kinds == ["abuse_of_staff", "about_pupils", "defamatory", "threatening", "spam", "other"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"link": "http://facebook.com/p/1"}, "link", "starting with https://"),
        ({"link": "javascript:alert(1)"}, "link", "starting with https://"),
        ({"screenshot": "ftp://x/1.png"}, "screenshot", "starting with https://"),
        ({"screenshot_file": (ZIP,)}, "screenshot_file", "picture (PNG, JPEG"),
        ({"screenshot_file": (PNG, PNG, PNG, PNG)}, "screenshot_file", "at most 3"),
        ({"screenshot_file": ("F1",)}, "screenshot_file", "could not be read"),
        ({"screenshot_file": (PNG, HUGE)}, "screenshot_file", "“recording.png” is bigger than 10"),
        ({"seen_at": str(int((NOW + timedelta(hours=1)).timestamp()))}, "seen_at", "future"),
        ({"author": None}, "author", "Please fill in"),
        ({"kind": "rude"}, "kind", "options shown"),
        ({"account": "x" * 201}, "account", "200 characters or fewer"),
    ],
)
def test_mistakes_are_named_in_plain_words(changes: dict[str, object], field: str, words: str):
    assert words in errors(**changes)[field]


def test_a_screenshot_may_follow_later() -> None:
    """Teams forms cannot take a file: an entry without one is still logged."""
    entry = parse_entry(FORM, GOOD | {"screenshot": ""}, NOW)
    assert entry.screenshot_url is None and entry.uploads == ()


def test_the_screenshot_form_wants_a_picture_or_a_pdf() -> None:
    form = screenshot_form("AL-2026-0001")
    assert form.context == {"ref": "AL-2026-0001"}
    assert parse_files(form, {"screenshot_file": (PDF,)}) == (PDF,)  # by its extension
    for raw, words in (((), "Please add a file"), ((ZIP,), "picture (PNG")):
        with pytest.raises(FormInvalid) as raised:
            parse_files(form, {"screenshot_file": raw})
        assert words in raised.value.errors["screenshot_file"]
