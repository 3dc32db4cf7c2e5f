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
    signers,
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
