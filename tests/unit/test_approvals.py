# Tests for sign-off slots and delegation (rules A1, A3): who may sign a request, and when.
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.approvals import (
    Delegation,
    Slot,
    authorise_signer,
    check_delegation,
    delegate_candidates,
    may_see_request,
    signers,
    sites_to_see,
    slot_role,
    slots_for,
)
from bot.directory import load_directory
from bot.errors import NotAllowed

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "directory.yml"
COMMS = "h.whitfield@trust.example"
WILLOW_HEAD = "s.thompson@willow.example"
OAKFIELD_HEAD = "m.obrien@oakfield.example"
TEACHER = "d.hughes@willow.example"
ELT = ("r.ashworth@trust.example", "p.sharma@trust.example")
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def directory():  # type: ignore[no-untyped-def]
    return load_directory(SAMPLE)


def test_a_school_account_needs_comms_and_its_headteacher(directory) -> None:  # type: ignore[no-untyped-def]
    assert slots_for(directory, "willow") == (Slot.COMMS, Slot.HEAD)
    assert [s.email for s in signers(directory, Slot.HEAD, "willow", TEACHER, [], TODAY)] == [
        WILLOW_HEAD
    ]


def test_trust_and_hub_accounts_need_comms_and_an_elt_member(directory) -> None:  # type: ignore[no-untyped-def]
    assert slots_for(directory, "trust") == (Slot.COMMS, Slot.ELT)
    assert slots_for(directory, "hub") == (Slot.COMMS, Slot.ELT)
    found = signers(directory, Slot.ELT, "trust", TEACHER, [], TODAY)
    assert sorted(s.email for s in found) == sorted(ELT)


def test_nobody_signs_their_own_request(directory) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed, match="your own request"):
        authorise_signer(
            directory,
            Slot.COMMS,
            "willow",
            requester=COMMS,
            actor=COMMS,
            delegations=[],
            today=TODAY,
        )
    # The only Head of Comms asked: the ELT fills the Head of Comms slot.
    assert slot_role(directory, Slot.COMMS, "willow", COMMS) == ("elt", None)
    assert COMMS not in {
        s.email for s in signers(directory, Slot.COMMS, "willow", COMMS, [], TODAY)
    }


def test_another_schools_head_cannot_sign_for_willow(directory) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed, match="Headteacher"):
        authorise_signer(
            directory,
            Slot.HEAD,
            "willow",
            requester=TEACHER,
            actor=OAKFIELD_HEAD,
            delegations=[],
            today=TODAY,
        )


def test_a_delegate_signs_for_the_approver_until_the_end_date(directory) -> None:  # type: ignore[no-untyped-def]
    away = Delegation(WILLOW_HEAD, OAKFIELD_HEAD, "headteacher", date(2026, 11, 30), NOW)
    signer = authorise_signer(
        directory,
        Slot.HEAD,
        "willow",
        requester=TEACHER,
        actor=OAKFIELD_HEAD,
        delegations=[away],
        today=TODAY,
    )
    assert signer.on_behalf_of == WILLOW_HEAD
    with pytest.raises(NotAllowed):
        authorise_signer(
            directory,
            Slot.HEAD,
            "willow",
            requester=TEACHER,
            actor=OAKFIELD_HEAD,
            delegations=[away],
            today=date(2026, 12, 1),
        )
    ended = Delegation(WILLOW_HEAD, OAKFIELD_HEAD, "headteacher", date(2026, 11, 30), NOW, NOW)
    assert not ended.active_on(TODAY)


def test_delegation_only_to_a_colleague_in_the_same_role(directory) -> None:  # type: ignore[no-untyped-def]
    assert OAKFIELD_HEAD in delegate_candidates(directory, WILLOW_HEAD, "headteacher")
    assert delegate_candidates(directory, TEACHER, "headteacher") == []
    with pytest.raises(NotAllowed, match="same role"):
        check_delegation(
            directory,
            from_email=WILLOW_HEAD,
            to_email=TEACHER,
            role="headteacher",
            until=TODAY,
            today=TODAY,
        )
    with pytest.raises(NotAllowed, match="from today"):
        check_delegation(
            directory,
            from_email=WILLOW_HEAD,
            to_email=OAKFIELD_HEAD,
            role="headteacher",
            until=date(2026, 11, 1),
            today=TODAY,
        )


# --- who may see a request: delegates (exports) ---


def _away(until: date = TODAY, *, ended: bool = False) -> Delegation:
    """Oakfield's Headteacher away: Willow's signs for them (made at 08:00 on 2026-11-20)."""
    made = datetime(2026, 11, 20, 8, tzinfo=UTC)
    return Delegation(
        OAKFIELD_HEAD, WILLOW_HEAD, "headteacher", until, made, NOW if ended else None
    )


def _sees(directory, site: str, *, today: date = TODAY, **changes) -> bool:  # type: ignore[no-untyped-def]
    values = {"delegations": [_away()], "today": today, "waited_until": None} | changes
    return may_see_request(directory, site_id=site, requester=TEACHER, email=WILLOW_HEAD, **values)


def test_a_delegate_sees_the_delegated_sites_requests_only(directory) -> None:  # type: ignore[no-untyped-def]
    assert _sees(directory, "oakfield")  # still waiting: they could sign it
    assert _sees(directory, "willow")  # their own school, by their own role
    assert not _sees(directory, "riverside")  # not delegated to them
    assert sites_to_see(directory, WILLOW_HEAD, [_away()], TODAY) == {"willow", "oakfield"}
    assert sites_to_see(directory, COMMS, [], TODAY) is None  # the Head of Comms: every site


def test_a_delegate_sees_what_waited_on_a_day_the_delegation_covers(directory) -> None:  # type: ignore[no-untyped-def]
    made = datetime(2026, 11, 20, 8, tzinfo=UTC)
    assert _sees(directory, "oakfield", waited_until=made)  # decided as the delegation began
    assert not _sees(directory, "oakfield", waited_until=datetime(2026, 11, 20, 7, tzinfo=UTC))


def test_a_former_delegate_sees_nothing_more(directory) -> None:  # type: ignore[no-untyped-def]
    tomorrow = date(2026, 11, 25)
    assert not _sees(directory, "oakfield", today=tomorrow)  # expired at the end of `until`
    assert not _sees(directory, "oakfield", delegations=[_away(ended=True)])  # ended early
    assert not _sees(directory, "oakfield", delegations=[])
    assert _sees(directory, "willow", today=tomorrow)  # what their own role shows stays
    assert sites_to_see(directory, WILLOW_HEAD, [_away()], tomorrow) == {"willow"}
    assert may_see_request(  # their own request, anywhere
        directory, site_id="riverside", requester=WILLOW_HEAD, email=WILLOW_HEAD
    )
