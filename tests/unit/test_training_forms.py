# The training forms without a database: recording a completion and starting a refresher, their
# checks in plain words, and who gets which fields.
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from bot.directory import load_directory
from bot.errors import FormInvalid
from bot.training.forms import (
    PERSON_FIELD,
    RecordInput,
    campaign_form,
    is_https_link,
    parse_campaign,
    parse_record,
    record_form,
)
from bot.training.model import TRUST
from tests.e2e.harness import SAMPLE

DIRECTORY = load_directory(SAMPLE)
TODAY = date(2026, 11, 24)


def record(values: dict[str, object], *, for_others: bool = False) -> RecordInput:
    form = record_form(TODAY, for_others=for_others)
    return parse_record(form, values, today=TODAY, directory=DIRECTORY)


def errors_of(call: Callable[[], object]) -> dict[str, str]:
    with pytest.raises(FormInvalid) as caught:
        call()
    return caught.value.errors


def test_the_form_starts_on_today_and_asks_only_for_a_day_and_a_link() -> None:
    form = record_form(TODAY, for_others=False)
    assert [f.name for f in form.fields] == ["completed_on", "certificate_url"]
    assert form.field("completed_on").initial == "2026-11-24"
    assert not form.field("certificate_url").required
    assert [f.name for f in record_form(TODAY, for_others=True).fields][-1] == PERSON_FIELD


def test_a_completion_reads_back() -> None:
    data = record({"completed_on": "2026-11-20", "certificate_url": " https://lms.example/c/1 "})
    assert data.completed_on == date(2026, 11, 20)
    assert data.certificate_url == "https://lms.example/c/1"
    assert data.person is None
    today = record({"completed_on": "2026-11-24"})
    assert today.certificate_url is None


def test_errors_come_back_in_plain_words_for_every_field() -> None:
    errors = errors_of(
        lambda: record({"completed_on": "2026-11-25", "certificate_url": "www.lms.example/c/1"})
    )
    assert errors == {
        "completed_on": "Please choose a date that is not in the future.",
        "certificate_url": "Please paste the whole link, starting with https://, or leave "
        "this empty.",
    }
    assert errors_of(lambda: record({}))["completed_on"].startswith("Please fill in")
    assert "calendar" in errors_of(lambda: record({"completed_on": "yesterday"}))["completed_on"]


@pytest.mark.parametrize(
    ("link", "ok"),
    [
        ("https://lms.example/cert/42?x=1", True),
        ("http://lms.example/cert/42", False),
        ("https://", False),
        ("https://lms example/cert", False),
        ("javascript:alert(1)", False),
        ("https://localhost/cert", False),
        ("ftp://lms.example/cert", False),
    ],
)
def test_only_whole_https_links(link: str, ok: bool) -> None:
    assert is_https_link(link) is ok


def test_the_head_of_comms_may_name_someone_in_the_directory() -> None:
    data = record(
        {"completed_on": "2026-11-02", PERSON_FIELD: "D.Hughes@willow.example"}, for_others=True
    )
    assert data.person == "d.hughes@willow.example"
    errors = errors_of(
        lambda: record(
            {"completed_on": "2026-11-02", PERSON_FIELD: "nobody@else.example"}, for_others=True
        )
    )
    assert errors == {PERSON_FIELD: "Please pick the person from the list."}
    ignored = record({"completed_on": "2026-11-02", PERSON_FIELD: "d.hughes@willow.example"})
    assert ignored.person is None, "the field is not on a teacher's form"


def test_the_campaign_form_offers_the_trust_and_every_site() -> None:
    form = campaign_form(DIRECTORY, TODAY)
    scope = form.field("scope")
    assert [o.value for o in scope.options] == [TRUST, "willow", "oakfield", "riverside", "hub"]
    assert form.field("deadline").initial == "2026-12-22"
    data = parse_campaign(
        form, {"scope": "willow", "deadline": "2026-12-18", "reason": "A change."}, today=TODAY
    )
    assert (data.site_id, data.deadline, data.reason) == ("willow", date(2026, 12, 18), "A change.")


@pytest.mark.parametrize(
    ("deadline", "error"),
    [
        ("2026-11-24", "Please choose a day after today."),
        ("2026-01-01", "Please choose a day after today."),
        ("2027-12-01", "Please choose a day within the next year."),
    ],
)
def test_a_campaign_deadline_is_after_today_and_within_a_year(deadline: str, error: str) -> None:
    form = campaign_form(DIRECTORY, TODAY)
    values = {"scope": TRUST, "deadline": deadline, "reason": "Why"}
    assert errors_of(lambda: parse_campaign(form, values, today=TODAY)) == {"deadline": error}


def test_a_campaign_needs_a_scope_and_a_reason() -> None:
    form = campaign_form(DIRECTORY, TODAY)
    errors = errors_of(lambda: parse_campaign(form, {"deadline": "2026-12-01"}, today=TODAY))
    assert set(errors) == {"scope", "reason"}
    bad = {"scope": "narnia", "deadline": "2026-12-01", "reason": "x"}
    assert errors_of(lambda: parse_campaign(form, bad, today=TODAY)) == {
        "scope": "Please choose one of the options shown."
    }
