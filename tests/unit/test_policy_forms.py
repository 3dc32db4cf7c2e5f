# The policy forms' checks (rule P1), each error in plain words on its own field.
from __future__ import annotations

from datetime import date

import pytest

from bot.errors import FormInvalid
from bot.policy.forms import (
    announce_form,
    parse_change,
    parse_return,
    parse_review,
    return_form,
    review_form,
)

TODAY = date(2026, 10, 1)
FORM = review_form(date(2027, 11, 30), date(2026, 11, 30))


def review_errors(**values: object) -> dict[str, str]:
    with pytest.raises(FormInvalid) as caught:
        parse_review(FORM, values, today=TODAY)
    return caught.value.errors


def test_a_review_needs_only_a_date_in_the_next_three_years() -> None:
    done = parse_review(FORM, {"next_review": "2029-10-01"}, today=TODAY)
    assert (done.next_review, done.summary, done.link) == (date(2029, 10, 1), None, None)
    full = parse_review(
        FORM,
        {
            "next_review": "2027-11-30",
            "summary": " New section 13. ",
            "link": "https://x.example/p",
        },
        today=TODAY,
    )
    assert (full.summary, full.link) == ("New section 13.", "https://x.example/p")


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({}, {"next_review": "Please fill in “Next review date”."}),
        ({"next_review": "2026-10-01"}, {"next_review": "Please choose a date in the future."}),
        ({"next_review": "2025-01-01"}, {"next_review": "Please choose a date in the future."}),
        (
            {"next_review": "2029-10-02"},
            {"next_review": "Please choose a date no more than 3 years ahead (by 1 October 2029)."},
        ),
        ({"next_review": "30/11/2027"}, {"next_review": "Please pick a date from the calendar."}),
        (
            {"next_review": "2027-11-30", "link": "http://x.example/p"},
            {"link": "Please paste the whole link, starting with https://, or leave this empty."},
        ),
        (
            {"next_review": "2027-11-30", "summary": "x" * 2001, "link": "javascript:alert(1)"},
            {
                "summary": "Please keep this to 2000 characters or fewer (it is 2001).",
                "link": "Please paste the whole link, starting with https://, or leave this empty.",
            },
        ),
    ],
)
def test_review_errors_in_plain_words(values: dict[str, object], errors: dict[str, str]) -> None:
    assert review_errors(**values) == errors


def test_a_change_needs_a_summary_and_an_https_link() -> None:
    form = announce_form()
    done = parse_change(form, {"summary": "Section 7 now...", "link": "https://trust.example/p"})
    assert (done.summary, done.link) == ("Section 7 now...", "https://trust.example/p")
    with pytest.raises(FormInvalid) as caught:
        parse_change(form, {"summary": "x" * 1001, "link": "ftp://trust.example/p"})
    assert caught.value.errors == {
        "summary": "Please keep this to 1000 characters or fewer (it is 1001).",
        "link": "Please paste the whole link, starting with https://.",
    }
    with pytest.raises(FormInvalid) as caught:
        parse_change(form, {"summary": "  ", "link": ""})
    assert set(caught.value.errors) == {"summary", "link"}


def test_returning_needs_a_reason_and_carries_the_ref() -> None:
    form = return_form("RV-2026-0001")
    assert form.context == {"ref": "RV-2026-0001"}
    assert parse_return(form, {"reason": "Section 7 needs legal advice."}) == (
        "Section 7 needs legal advice."
    )
    with pytest.raises(FormInvalid) as caught:
        parse_return(form, {"reason": ""})
    assert caught.value.errors == {"reason": "Please fill in “What needs another look?”."}
