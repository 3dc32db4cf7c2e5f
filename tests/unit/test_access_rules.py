# Unit tests of the posting-access rules: two sign-offs, who may give them, refusal, revocation,
# new-account ids, and what the forms and messages show.
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.access import forms
from bot.access.messages import (
    AccessAction,
    RegisterEntry,
    grant_card,
    grant_refused,
    register_messages,
)
from bot.access.model import (
    GrantStatus,
    PosterGrant,
    SignContext,
    approve,
    may_revoke,
    new_account_id,
    refuse,
    revoke,
    same_account,
)
from bot.approvals import Delegation, Slot
from bot.directory import Account, Directory, load_directory
from bot.errors import AlreadyDone, FormInvalid, NotAllowed

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "directory.yml"
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
TODAY = date(2026, 11, 23)
ZONE = ZoneInfo("Europe/London")
COMMS = "h.whitfield@trust.example"
WILLOW_HEAD = "s.thompson@willow.example"
OAK_HEAD = "m.obrien@oakfield.example"
ELT = ("r.ashworth@trust.example", "p.sharma@trust.example")
TEACHER = "d.hughes@willow.example"
WILLOW_X = Account("willow-x", "willow", "X", "@WillowPrimary")
TRUST_IG = Account("trust-instagram", "trust", "Instagram", "@communityinclusivetrust")


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory(SAMPLE)


@pytest.fixture
def ctx(directory: Directory) -> SignContext:
    return SignContext(directory, (), TODAY)


def grant(account: Account = WILLOW_X, email: str = TEACHER) -> PosterGrant:
    return PosterGrant(
        ref="PA-2026-0001",
        account_id=account.id,
        email=email,
        requested_by=email,
        reason="I run the sports news.",
        status=GrantStatus.REQUESTED,
        created_at=NOW,
    )


def test_both_sign_offs_make_the_grant_active(ctx: SignContext) -> None:
    g = grant()
    first = approve(ctx, g, "willow", WILLOW_HEAD, NOW)
    assert (first.slot, first.now_active, g.status) == (Slot.HEAD, False, GrantStatus.REQUESTED)
    second = approve(ctx, g, "willow", COMMS, NOW)
    assert (second.slot, second.now_active, g.status) == (Slot.COMMS, True, GrantStatus.ACTIVE)
    assert (g.comms_by, g.head_by) == (COMMS, WILLOW_HEAD)


def test_a_second_click_changes_nothing_and_says_who(ctx: SignContext) -> None:
    g = grant()
    approve(ctx, g, "willow", COMMS, NOW)
    with pytest.raises(AlreadyDone, match="already approved"):
        approve(ctx, g, "willow", COMMS, NOW)
    assert g.head_by is None and g.status is GrantStatus.REQUESTED
    approve(ctx, g, "willow", WILLOW_HEAD, NOW)
    with pytest.raises(AlreadyDone, match="Sarah Thompson"):
        approve(ctx, g, "willow", WILLOW_HEAD, NOW)


def test_the_same_slot_filled_by_another_holder_says_who(ctx: SignContext) -> None:
    g = grant(TRUST_IG)
    approve(ctx, g, "trust", ELT[0], NOW)
    with pytest.raises(AlreadyDone, match="Executive Leadership Team by"):
        approve(ctx, g, "trust", ELT[1], NOW)
    assert g.head_by == ELT[0]


def test_a_teacher_or_another_schools_head_cannot_sign(ctx: SignContext) -> None:
    for outsider in ("a.patel@willow.example", OAK_HEAD):
        with pytest.raises(NotAllowed, match="doesn't list you"):
            approve(ctx, grant(), "willow", outsider, NOW)


def test_nobody_signs_their_own_request(ctx: SignContext) -> None:
    own = grant(email=WILLOW_HEAD)
    with pytest.raises(NotAllowed, match="your own request"):
        approve(ctx, own, "willow", WILLOW_HEAD, NOW)
    # the Headteacher's own slot goes to the ELT instead
    done = approve(ctx, own, "willow", ELT[0], NOW)
    assert done.slot is Slot.HEAD and own.head_by == ELT[0]


def test_a_delegate_signs_in_the_place_of_an_approver_away(directory: Directory) -> None:
    away = Delegation(WILLOW_HEAD, OAK_HEAD, "headteacher", TODAY, NOW)
    ctx = SignContext(directory, (away,), TODAY)
    done = approve(ctx, grant(), "willow", OAK_HEAD, NOW)
    assert done.slot is Slot.HEAD and done.signer.on_behalf_of == WILLOW_HEAD
    late = SignContext(directory, (away,), date(2026, 11, 24))
    with pytest.raises(NotAllowed):
        approve(late, grant(), "willow", OAK_HEAD, NOW)


def test_a_signer_who_lost_the_role_is_refused_politely(directory: Directory) -> None:
    g = grant()
    moved = Directory(
        trust=directory.trust,
        sites=tuple(
            s if s.id != "willow" else type(s)(**{**s.__dict__, "headteacher": (OAK_HEAD,)})
            for s in directory.sites
        ),
        accounts=directory.accounts,
        people=directory.people,
    )
    with pytest.raises(NotAllowed, match="Headteacher of Willow Primary School"):
        approve(SignContext(moved, (), TODAY), g, "willow", WILLOW_HEAD, NOW)
    assert g.head_by is None


def test_refusal_ends_a_waiting_request_once(ctx: SignContext) -> None:
    g = grant()
    with pytest.raises(NotAllowed):
        refuse(ctx, g, "willow", "a.patel@willow.example", NOW, "no")
    refuse(ctx, g, "willow", WILLOW_HEAD, NOW, "Not in your role.")
    assert (g.status, g.closed_by) == (GrantStatus.REFUSED, WILLOW_HEAD)
    with pytest.raises(AlreadyDone, match="refused by Sarah Thompson"):
        approve(ctx, g, "willow", COMMS, NOW)


def test_revocation_by_comms_or_the_sites_head_or_elt_for_trust(ctx: SignContext) -> None:
    g = grant()
    with pytest.raises(AlreadyDone):
        revoke(ctx, g, "willow", COMMS, NOW, "not active yet")
    g.status = GrantStatus.ACTIVE
    assert may_revoke(ctx, g, "willow", COMMS) and may_revoke(ctx, g, "willow", WILLOW_HEAD)
    assert not may_revoke(ctx, g, "willow", OAK_HEAD)
    assert not may_revoke(ctx, g, "willow", ELT[0])
    with pytest.raises(NotAllowed):
        revoke(ctx, g, "willow", OAK_HEAD, NOW, "no")
    revoke(ctx, g, "willow", WILLOW_HEAD, NOW, "Left the sports team.")
    assert g.status is GrantStatus.REVOKED
    trust = grant(TRUST_IG)
    trust.status = GrantStatus.ACTIVE
    assert may_revoke(ctx, trust, "trust", ELT[1]) and not may_revoke(
        ctx, trust, "trust", WILLOW_HEAD
    )


def test_new_account_ids_are_unique() -> None:
    assert new_account_id("willow", "TikTok", ["willow-x"]) == "willow-tiktok"
    taken = ["willow-x", "willow-x-2"]
    assert new_account_id("willow", "X", taken) == "willow-x-3"
    assert same_account(WILLOW_X, "x", "willowprimary")
    assert not same_account(WILLOW_X, "Facebook", "@WillowPrimary")


def test_account_form_refuses_a_registered_account_and_unknown_runners(
    directory: Directory,
) -> None:
    form = forms.account_form(directory, TEACHER)
    site = form.field("site_id")
    assert [o.value for o in site.options] == ["willow", "trust"] and site.initial == "willow"
    answers = {
        "site_id": "willow",
        "platform": "X",
        "handle": "@willowprimary",
        "purpose": "Sports",
        "audience": "Parents",
        "runners": ["nobody@nowhere.example"],
    }
    with pytest.raises(FormInvalid) as error:
        forms.parse_account(form, answers, directory=directory, accounts=directory.accounts)
    assert set(error.value.errors) == {"handle", "runners"}
    ok = forms.parse_account(
        form,
        answers | {"platform": "TikTok", "runners": ["D.Hughes@willow.example", TEACHER]},
        directory=directory,
        accounts=directory.accounts,
    )
    assert ok.runners == (TEACHER,) and ok.platform == "TikTok"


def test_access_form_lists_own_school_accounts_first(directory: Directory) -> None:
    form = forms.access_form(directory, "o.davies@oakfield.example", directory.accounts)
    values = [o.value for o in form.field("account_id").options]
    assert values[:2] == ["oakfield-x", "oakfield-facebook"]
    assert values[2:4] == ["trust-linkedin", "trust-instagram"]
    with pytest.raises(FormInvalid):
        forms.parse_access(form, {"account_id": "willow-x", "reason": ""})


def test_cards_offer_buttons_only_while_waiting_and_keep_reasons_off_lock_screens(
    directory: Directory,
) -> None:
    g = grant()
    card = grant_card(g, WILLOW_X, directory, ZONE)
    assert [a.id for a in card.actions] == [AccessAction.APPROVE, AccessAction.REFUSE]
    assert "sports" not in card.notification
    g.status = GrantStatus.REFUSED
    g.closed_by, g.closed_reason = WILLOW_HEAD, "Private reason"
    assert grant_card(g, WILLOW_X, directory, ZONE).actions == ()
    told = grant_refused(g, WILLOW_X, directory)
    assert "Private reason" not in told.notification
    assert "Private reason" in str(told.sections)


def test_register_offers_revoke_only_where_the_viewer_may(directory: Directory) -> None:
    active = grant()
    active.status = GrantStatus.ACTIVE
    pages = register_messages(
        [
            RegisterEntry(WILLOW_X, (active,), (), frozenset({active.ref})),
            RegisterEntry(TRUST_IG, (), (), frozenset()),
        ],
        directory,
        comms=(COMMS,),
    )
    assert "Hannah Whitfield" in (pages[0].body or "")
    assert [a.label for a in pages[1].actions] == ["Revoke Daniel Hughes"]
    assert pages[2].actions == ()
