# Tests for the post request form's own checks (rules A2-A5), before the register is consulted.
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.directory import load_directory
from bot.errors import FormInvalid
from bot.posts.form import parse_request, request_form
from bot.posts.model import Confirmation, Shows

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "directory.yml"
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
TOMORROW = str(int(datetime(2026, 11, 25, 9, tzinfo=UTC).timestamp()))


@pytest.fixture(scope="module")
def form():  # type: ignore[no-untyped-def]
    directory = load_directory(SAMPLE)
    return request_form(directory.accounts, directory, default_time=NOW)


def answers(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "account": "willow-x",
        "objective": "event",
        "text": "Sports day is on Friday. Come and cheer!",
        "publish_at": TOMORROW,
        "media_links": "https://drive.example/sports-day",
        "shows": "images",
        "pupils": ["12", "13"],
        "blurred": ["13"],
        "confirmations": [c.value for c in Confirmation],
    }
    base.update(changes)
    return base


def parse(form, **changes: object):  # type: ignore[no-untyped-def]
    return parse_request(form, answers(**changes), allowed_accounts=["willow-x"], now=NOW)


def test_a_complete_request_reads_back(form) -> None:  # type: ignore[no-untyped-def]
    data = parse(form)
    assert data.account_id == "willow-x" and data.shows is Shows.IMAGES
    assert data.pupil_ids == (12, 13) and data.blurred_ids == {13}
    assert data.publish_at == datetime(2026, 11, 25, 9, tzinfo=UTC)
    assert data.media_links == ("https://drive.example/sports-day",)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"account": "oakfield-x"}, "account", "your school's or the Trust's"),
        ({"publish_at": str(int(NOW.timestamp()) - 60)}, "publish_at", "in the future"),
        ({"publish_at": "soon"}, "publish_at", "date and a time"),
        ({"media_links": "drive/folder"}, "media_links", "https://"),
        ({"shows": "none"}, "shows", "photos or videos"),
        ({"pupils": []}, "pupils", "every pupil shown"),
        ({"blurred": ["99"]}, "blurred", "Only pupils chosen above"),
        ({"pupils": ["12", "x"]}, "pupils", "from the list"),
        ({"confirmations": ["content"]}, "confirmations", "all three"),
        ({"confirmations": []}, "confirmations", "tick at least one"),
        ({"text": "x" * 3001}, "text", "3000 characters"),
        ({"objective": "gossip"}, "objective", "options shown"),
    ],
)
def test_each_mistake_comes_back_on_its_field(form, changes, field, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FormInvalid) as caught:
        parse(form, **changes)
    assert words in caught.value.errors[field]


def test_a_post_without_pupils_needs_no_pupils(form) -> None:  # type: ignore[no-untyped-def]
    data = parse(form, shows="none", pupils=[], blurred=[], media_links="")
    assert data.pupil_ids == () and data.media_links == ()
