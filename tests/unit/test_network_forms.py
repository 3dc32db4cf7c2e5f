# The network forms' checks (rule I1): the schools offered, the dates, the https address and the
# reason for declining, each error in plain words on its own field; and the rules of who acts.
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.directory import load_directory
from bot.errors import AlreadyDone, FormInvalid, NotAllowed
from bot.network.forms import (
    decline_form,
    is_https_address,
    parse_platform,
    parse_reason,
    parse_unblock,
    platform_form,
    unblock_form,
)
from bot.network.model import Kind, NetworkRequest, Status, approve, complete, decline
from tests.e2e.harness import SAMPLE

DIRECTORY = load_directory(SAMPLE)
TODAY = date(2026, 11, 23)
TEACHER = "e.clarke@willow.example"  # at Willow and Oakfield
GOOD = {
    "site_id": "willow",
    "class_name": "Year 6 Maple",
    "platform": "Instagram",
    "starts_on": "2026-11-23",
    "ends_on": "2026-12-12",
    "reason": "Media studies.",
}


def platform_errors(**changes: object) -> dict[str, str]:
    with pytest.raises(FormInvalid) as caught:
        parse_platform(platform_form(DIRECTORY, TEACHER), GOOD | changes, today=TODAY)
    return caught.value.errors


def test_the_platform_form_offers_the_persons_schools_only() -> None:
    form = platform_form(DIRECTORY, TEACHER)
    assert [o.value for o in form.field("site_id").options] == ["willow", "oakfield"]
    hub = platform_form(DIRECTORY, "m.jennings@trust.example")
    assert hub.field("site_id").options == ()


def test_a_good_platform_request_is_read() -> None:
    done = parse_platform(platform_form(DIRECTORY, TEACHER), GOOD, today=TODAY)
    assert (done.site_id, done.platform, done.starts_on, done.ends_on) == (
        "willow",
        "Instagram",
        TODAY,
        date(2026, 12, 12),
    )


def test_dates_must_not_be_past_nor_out_of_order() -> None:
    assert "today or a later day" in platform_errors(starts_on="2026-11-22")["starts_on"]
    assert "on or after the first day" in platform_errors(ends_on="2026-11-20")["ends_on"]
    assert "calendar" in platform_errors(starts_on="soon")["starts_on"]


def test_every_missing_answer_is_named() -> None:
    errors = platform_errors(class_name="", platform="", reason="")
    assert set(errors) == {"class_name", "platform", "reason"}
    assert "Myspace" not in str(platform_form(DIRECTORY, TEACHER).field("platform").options)
    assert "choose one" in platform_errors(platform="Myspace")["platform"]


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("https://www.nasa.gov/learning", True),
        ("https://example.org", True),
        ("http://example.org", False),
        ("example.org", False),
        ("https://", False),
        ("https://localhost", False),
        ("https://exa mple.org", False),
        ("javascript:alert(1)", False),
    ],
)
def test_only_a_whole_https_address_is_taken(address: str, ok: bool) -> None:
    assert is_https_address(address) is ok
    raw = {"site_id": "willow", "address": address, "reason": "A lesson."}
    form = unblock_form(DIRECTORY, TEACHER)
    if ok:
        assert parse_unblock(form, raw).address == address
    else:
        with pytest.raises(FormInvalid) as caught:
            parse_unblock(form, raw)
        assert "https://" in caught.value.errors["address"]


def test_unblock_is_offered_at_every_site_of_the_person() -> None:
    form = unblock_form(DIRECTORY, "m.jennings@trust.example")
    assert [o.value for o in form.field("site_id").options] == ["hub"]


def test_declining_needs_a_reason() -> None:
    assert decline_form("NW-2026-0001").context == {"ref": "NW-2026-0001"}
    with pytest.raises(FormInvalid) as caught:
        parse_reason("NW-2026-0001", {"reason": "  "})
    assert "reason" in caught.value.errors
    assert parse_reason("NW-2026-0001", {"reason": "Not this term."}) == "Not this term."


def _request(kind: Kind) -> NetworkRequest:
    return NetworkRequest(
        ref="NW-2026-0001",
        kind=kind,
        requester=TEACHER,
        site_id="willow",
        reason="Media studies.",
        status=Status.REQUESTED,
        created_at=datetime(2026, 11, 23, tzinfo=UTC),
        platform="Instagram",
    )


def test_the_rules_of_who_acts_and_when() -> None:
    at = datetime(2026, 11, 23, 12, tzinfo=UTC)
    request = _request(Kind.PLATFORM)
    with pytest.raises(NotAllowed):
        approve(DIRECTORY, request, "m.obrien@oakfield.example", at)
    with pytest.raises(AlreadyDone, match="still waiting"):
        complete(DIRECTORY, request, "helpdesk@itpartner.example", at)
    approve(DIRECTORY, request, "s.thompson@willow.example", at)
    assert request.status is Status.APPROVED and request.revision == 2
    complete(DIRECTORY, request, "helpdesk@itpartner.example", at)
    assert request.status is Status.DONE and request.revision == 3
    unblock = _request(Kind.UNBLOCK)
    with pytest.raises(NotAllowed, match="unblock request"):
        approve(DIRECTORY, unblock, "helpdesk@itpartner.example", at)
    decline(DIRECTORY, unblock, "helpdesk@itpartner.example", at, "Malware.")
    assert unblock.state()["declined_by"] == "helpdesk@itpartner.example"
    assert "Malware." not in str(unblock.state())
