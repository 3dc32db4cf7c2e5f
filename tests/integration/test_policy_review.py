# The policy review (rule P1) on SQLite and PostgreSQL: reminders walked day by day over fifteen
# months with a manual clock, sending for ratification, ELT's decision (who may, first one wins,
# cards updated in place), refusals that change nothing, and the desk's commands and buttons.
from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import text

from bot.errors import AlreadyDone, FormInvalid, NotAllowed, NotFound
from bot.front import Notice, OpenForm
from bot.policy import front, reviews
from bot.policy.forms import RETURN_FORM, REVIEW_FORM
from bot.policy.model import ReviewState
from tests.integration.policy_world import (
    ASHWORTH,
    BOARD,
    COMMS,
    HUGHES,
    IT,
    LONDON,
    OFFICE,
    SHARMA,
    STRANGER,
    WILLOW_DSL,
    WILLOW_HEAD,
    World,
    local,
    world_fixture,  # noqa: F401  (the `world` fixture)
)

RUNS = (time(6), time(8), time(12), time(20))


async def send(w: World, next_review: str = "2027-12-01", by: str = COMMS, **more: str) -> str:
    reply = await front.send_review(
        w.services, w.asked(by), {}, {"next_review": next_review, **more}
    )
    assert isinstance(reply, Notice) and reply.title == "Sent to ELT", reply
    return reply.text.split()[0]


async def latest_ref(w: World) -> str:
    _, waiting = await reviews.review_date(w.uow(), w.deps)
    assert waiting is not None
    return waiting.ref


# --- reminders ---


async def test_reminders_over_fifteen_months_each_once_at_a_working_moment(world: World) -> None:
    """The directory's date (Mon 30 Nov 2026): 60, 30 and 7 days before, then weekly while
    overdue; paused while a review waits for ELT; after ratification, the new date's own."""
    actions = {
        (date(2026, 12, 9), time(12)): "send",
        (date(2026, 12, 16), time(12)): "return",
        (date(2027, 1, 6), time(12)): "send",
        (date(2027, 1, 7), time(12)): "ratify",
    }
    counts: list[int] = []
    day = date(2026, 9, 1)
    while day <= date(2027, 12, 10):
        for moment in RUNS:
            world.at(day, moment)
            action = actions.get((day, moment))
            if action == "send":
                await reviews.send_for_ratification(
                    world.uow(),
                    world.deps,
                    by=COMMS,
                    values={"next_review": "2027-12-01"},
                    source_key=f"k:{day}",
                )
            elif action in ("return", "ratify"):
                ref = await latest_ref(world)
                await reviews.decide(
                    world.uow(),
                    world.deps,
                    ref=ref,
                    by=SHARMA if action == "return" else ASHWORTH,
                    ratify=action == "ratify",
                    reason="Section 7 needs legal advice." if action == "return" else None,
                )
            counts.append(await reviews.send_reminders(world.uow(), world.deps))
        day += timedelta(days=1)

    sent = await world.outbox("policy:review:")
    reminders = [row for row in sent if ":decided:" not in row.key]
    got = [
        (row.key.split(":", 2)[2], local(row.created_at).replace(tzinfo=None)) for row in reminders
    ]

    def at(y: int, m: int, d: int, hour: int = 8) -> datetime:
        return datetime(y, m, d, hour)

    old, new = "2026-11-30", "2027-12-01"
    who = f":{COMMS}"
    assert got == [
        (f"{old}:before-60{who}", at(2026, 10, 1)),  # a Thursday
        (f"{old}:before-30{who}", at(2026, 11, 2)),  # due Sat 31 Oct: the Monday after
        (f"{old}:before-7{who}", at(2026, 11, 23)),
        (f"{old}:overdue-2026-W49{who}", at(2026, 12, 1)),  # from the day after the date
        (f"{old}:overdue-2026-W50{who}", at(2026, 12, 7)),
        # sent to ELT on 9 Dec: nothing while it waits; returned on 16 Dec: at once again
        (f"{old}:overdue-2026-W51{who}", at(2026, 12, 16, 12)),
        (f"{old}:overdue-2026-W52{who}", at(2026, 12, 21)),
        (f"{old}:overdue-2026-W53{who}", at(2026, 12, 28)),
        (f"{old}:overdue-2027-W01{who}", at(2027, 1, 4)),
        # ratified on 7 Jan 2027 with 1 Dec 2027 (a Wednesday): the reminders start over
        (f"{new}:before-60{who}", at(2027, 10, 4)),  # due Sat 2 Oct: the Monday after
        (f"{new}:before-30{who}", at(2027, 11, 1)),
        (f"{new}:before-7{who}", at(2027, 11, 24)),
        (f"{new}:overdue-2027-W48{who}", at(2027, 12, 2)),
        (f"{new}:overdue-2027-W49{who}", at(2027, 12, 6)),
    ]
    assert sum(counts) == len(reminders), "each run counts what it queued, nothing twice"
    for row in reminders:
        assert row.recipient == COMMS and row.payload
        assert row.payload["actions"][0]["id"] == "policy_review_open"
    audited = [e for e in await world.audit() if e.action == "policy.review_reminded"]
    assert len(audited) == len(reminders)
    assert audited[-1].record_id == new and audited[-1].after == {
        "stage": "overdue-2027-W49",
        "recipients": 1,
        "review": "RV-2027-0001",
    }


async def test_two_runs_at_once_queue_one_reminder(world: World) -> None:
    world.at(date(2026, 10, 1), time(9))
    results = await asyncio.gather(
        reviews.send_reminders(world.uow(), world.deps),
        reviews.send_reminders(world.uow(), world.deps),
    )
    assert sorted(results) == [0, 1]
    assert len(await world.outbox("policy:review:")) == 1
    assert len(await world.audit("policy.review_reminded")) == 1


async def test_a_new_date_in_the_directory_starts_the_reminders_over(world: World) -> None:
    world.at(date(2026, 10, 1), time(9))
    assert await reviews.send_reminders(world.uow(), world.deps) == 1
    world.edit_directory("next_review: 2026-11-30", "next_review: 2026-12-02")
    assert await reviews.send_reminders(world.uow(), world.deps) == 0, "62 days ahead"
    world.at(date(2026, 10, 5), time(9))
    assert await reviews.send_reminders(world.uow(), world.deps) == 1
    keys = [row.key for row in await world.outbox("policy:review:")]
    assert keys[-1] == f"policy:review:2026-12-02:before-60:{COMMS}"


# --- sending for ratification ---


async def test_the_review_form_and_its_checks(world: World) -> None:
    world.at(date(2026, 10, 1))
    reply = await front.review_command(world.services, world.asked(COMMS), "")
    assert isinstance(reply, OpenForm) and reply.form.id == REVIEW_FORM
    assert reply.form.field("next_review").initial == "2027-11-30"
    assert "30 November 2026" in (reply.form.intro or "")
    for someone in (HUGHES, ASHWORTH):
        told = await front.review_command(world.services, world.asked(someone), "")
        assert told == Notice(
            "Policy review", "The policy's next review is due on 30 November 2026."
        )
    with pytest.raises(NotAllowed) as refused:
        await front.open_review(world.services, world.asked(ASHWORTH), "")
    assert (
        refused.value.message
        == "Only the Head of Communications can send the policy review for ratification."
    )

    before = await world.snapshot()
    with pytest.raises(FormInvalid) as caught:
        await front.send_review(
            world.services,
            world.asked(COMMS),
            {},
            {"next_review": "2030-01-01", "link": "http://trust.example/policy"},
        )
    assert caught.value.errors == {
        "next_review": "Please choose a date no more than 3 years ahead (by 1 October 2029).",
        "link": "Please paste the whole link, starting with https://, or leave this empty.",
    }
    with pytest.raises(NotAllowed):
        await front.send_review(
            world.services, world.asked(HUGHES), {}, {"next_review": "2027-12-01"}
        )
    assert await world.snapshot() == before

    asked = world.asked(COMMS)
    first = await front.send_review(world.services, asked, {}, {"next_review": "2027-12-01"})
    assert (
        isinstance(first, Notice)
        and "RV-2026-0001 is with Richard Ashworth, Priya Sharma" in first.text
    )
    again = await front.send_review(world.services, asked, {}, {"next_review": "2027-12-01"})
    assert again == Notice("Already sent", "That was sent already as RV-2026-0001.")
    with pytest.raises(AlreadyDone) as waiting:
        await front.send_review(
            world.services, world.asked(COMMS), {}, {"next_review": "2027-12-01"}
        )
    assert waiting.value.message == (
        "RV-2026-0001, sent by Hannah Whitfield, is already waiting for ELT to ratify it."
    )
    reply = await front.review_command(world.services, world.asked(COMMS), "")
    assert isinstance(reply, Notice) and "already waiting" in reply.text
    cards = await world.outbox("policy-review:")
    assert [(c.key, c.recipient, c.replace) for c in cards] == [
        (f"policy-review:RV-2026-0001:{ASHWORTH}:v1", ASHWORTH, True),
        (f"policy-review:RV-2026-0001:{SHARMA}:v1", SHARMA, True),
    ]
    actions = [a["id"] for a in cards[0].payload["actions"]]  # type: ignore[index]
    assert actions == ["policy_ratify", "policy_return_open"]


# --- ELT's decision ---


async def test_ratified_by_the_first_member_of_elt_every_card_updated(world: World) -> None:
    world.at(date(2026, 11, 10), time(11))
    ref = await send(world, summary="Section 7 rewritten.", link="https://trust.example/p.pdf")
    world.at(date(2026, 11, 11), time(9, 30))
    reply = await front.ratify(world.services, world.asked(ASHWORTH), ref)
    assert reply == Notice(
        "Ratified",
        f"You ratified {ref}. The next review is due on 1 December 2027; the Head of "
        "Communications has been told.",
    )
    before = await world.snapshot()
    with pytest.raises(AlreadyDone) as late:
        await front.ratify(world.services, world.asked(SHARMA), ref)
    assert late.value.message == f"{ref} was already ratified by Richard Ashworth."
    with pytest.raises(AlreadyDone):
        await front.open_return(world.services, world.asked(SHARMA), ref)
    assert await world.snapshot() == before

    cards = await world.outbox("policy-review:")
    assert [c.key for c in cards] == [
        f"policy-review:{ref}:{ASHWORTH}:v1",
        f"policy-review:{ref}:{SHARMA}:v1",
        f"policy-review:{ref}:{ASHWORTH}:v2",
        f"policy-review:{ref}:{SHARMA}:v2",
    ]
    for card in cards[2:]:
        assert card.replace and card.thread == card.key.rsplit(":", 1)[0]
        assert card.payload and not card.payload["actions"]
        decision = dict(card.payload["facts"])["Decision"]
        assert decision == "Ratified by Richard Ashworth, 11 November 2026 at 09:30"
    [told] = await world.outbox(f"policy:review:{ref}:decided:")
    assert told.recipient == COMMS and "1 December 2027" in json.dumps(told.payload)
    due, waiting = await reviews.review_date(world.uow(), world.deps)
    assert waiting is None and due is not None and due.due == date(2027, 12, 1)
    [sent, ratified] = await world.audit()
    assert (sent.action, ratified.action) == ("policy.review_sent", "policy.review_ratified")
    assert ratified.actor == ASHWORTH and ratified.record_id == ref
    assert ratified.before and ratified.before["state"] == "waiting"
    assert ratified.after == {
        "state": "ratified",
        "next_review": "2027-12-01",
        "summary": True,
        "link": True,
        "reason": False,
        "decided_by": ASHWORTH,
        "revision": 2,
    }
    assert "rewritten" not in json.dumps([sent.after, ratified.after])


async def test_returned_with_a_reason_and_sent_again(world: World) -> None:
    world.at(date(2026, 11, 10), time(11))
    ref = await send(world)
    reply = await front.open_return(world.services, world.asked(SHARMA), ref)
    assert isinstance(reply, OpenForm) and reply.form.id == RETURN_FORM
    assert reply.form.context == {"ref": ref}
    with pytest.raises(FormInvalid):
        await front.return_review(world.services, world.asked(SHARMA), {"ref": ref}, {"reason": ""})
    reason = "Section 7 needs the lawyers' view."
    done = await front.return_review(
        world.services, world.asked(SHARMA), {"ref": ref}, {"reason": reason}
    )
    assert isinstance(done, Notice) and done.title == "Returned"
    [told] = await world.outbox(f"policy:review:{ref}:decided:")
    assert reason in json.dumps(told.payload)
    assert told.payload and told.payload["actions"][0]["id"] == "policy_review_open"
    v2 = await world.outbox(":v2")
    assert {c.recipient for c in v2} == {ASHWORTH, SHARMA}
    assert all(reason in json.dumps(c.payload) for c in v2)
    events = await world.audit("policy.review_returned")
    assert len(events) == 1 and reason not in json.dumps([e.after for e in events])
    due, waiting = await reviews.review_date(world.uow(), world.deps)
    assert waiting is None and due is not None and due.due == date(2026, 11, 30), "unchanged"
    second = await send(world, next_review="2027-11-30")
    assert second == "RV-2026-0002"


@pytest.mark.parametrize(
    "who", [COMMS, WILLOW_HEAD, WILLOW_DSL, HUGHES, OFFICE, IT, BOARD, STRANGER]
)
async def test_only_elt_may_decide_and_a_refusal_changes_nothing(world: World, who: str) -> None:
    world.at(date(2026, 11, 10), time(11))
    ref = await send(world)
    before = await world.snapshot()
    for attempt in (
        front.ratify(world.services, world.asked(who), ref),
        front.open_return(world.services, world.asked(who), ref),
        front.return_review(world.services, world.asked(who), {"ref": ref}, {"reason": "No."}),
    ):
        with pytest.raises(NotAllowed) as refused:
            await attempt
        assert refused.value.message == reviews.ELT_ONLY
    assert await world.snapshot() == before


async def test_elt_as_it_is_at_the_click_and_never_the_sender(world: World) -> None:
    world.edit_directory(
        "elt: [r.ashworth@trust.example, p.sharma@trust.example]",
        "elt: [r.ashworth@trust.example, p.sharma@trust.example, h.whitfield@trust.example]",
    )
    world.at(date(2026, 11, 10), time(11))
    ref = await send(world)
    cards = await world.outbox("policy-review:")
    assert {c.recipient for c in cards} == {ASHWORTH, SHARMA}, "no card for the sender"
    before = await world.snapshot()
    with pytest.raises(NotAllowed) as own:
        await front.ratify(world.services, world.asked(COMMS), ref)
    assert own.value.message == reviews.NOT_OWN
    with pytest.raises(NotAllowed):
        await front.open_return(world.services, world.asked(COMMS), ref)
    # Priya Sharma leaves ELT after her card was sent: her button no longer decides anything
    world.edit_directory(
        "p.sharma@trust.example, h.whitfield@trust.example]", "h.whitfield@trust.example]"
    )
    with pytest.raises(NotAllowed) as gone:
        await front.ratify(world.services, world.asked(SHARMA), ref)
    assert gone.value.message == reviews.ELT_ONLY
    with pytest.raises(NotFound):
        await front.ratify(world.services, world.asked(ASHWORTH), "RV-2026-0099")
    assert await world.snapshot() == before
    await front.ratify(world.services, world.asked(ASHWORTH), ref)
    assert len(await world.outbox(":v2")) == 2, "both cards that were sent say who decided"


async def test_the_first_of_two_decisions_at_once_wins(world: World, database_url: str) -> None:
    """Both clicks wait on a lock held elsewhere, then race: one decides, the other is told."""
    world.at(date(2026, 11, 10), time(11))
    ref = await send(world)
    postgres = database_url.startswith("postgresql")
    async with world.engine.connect() as holder:
        if postgres:
            await holder.execute(
                text("SELECT id FROM policy_review WHERE ref = :ref FOR UPDATE"), {"ref": ref}
            )
        clicks = [
            asyncio.create_task(
                reviews.decide(world.uow(), world.deps, ref=ref, by=ASHWORTH, ratify=True)
            ),
            asyncio.create_task(
                reviews.decide(
                    world.uow(), world.deps, ref=ref, by=SHARMA, ratify=False, reason="Not yet."
                )
            ),
        ]
        await asyncio.sleep(0.3)
        assert not any(c.done() for c in clicks) or not postgres, "both wait for the lock"
        await holder.rollback()
    results = await asyncio.gather(*clicks, return_exceptions=True)
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], AlreadyDone), results
    decided = won[0].status  # type: ignore[union-attr]
    assert decided in (ReviewState.RATIFIED, ReviewState.RETURNED)
    assert len(await world.outbox(":v2")) == 2 and not await world.outbox(":v3")
    assert len(await world.outbox(f"policy:review:{ref}:decided:")) == 1
    events = [e for e in await world.audit() if e.action != "policy.review_sent"]
    assert len(events) == 1 and events[0].after["state"] == decided.value  # type: ignore[index]
    _ = LONDON
