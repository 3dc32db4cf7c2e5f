# Policy changes (rule P1) on SQLite and PostgreSQL: the announcement to every member of staff,
# acknowledging once, weekly nudges walked over a term and a holiday until each person acks,
# and who sees whose acknowledgements, through the desk's commands, forms and buttons.
from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

import pytest

from bot.errors import FormInvalid, NotAllowed, NotFound
from bot.front import Notice, OpenForm, Pages
from bot.outbox import BULK
from bot.policy import changes, front, home
from bot.policy.forms import ANNOUNCE_FORM
from bot.policy.model import staff_of, week_of
from tests.integration.policy_world import (
    ASHWORTH,
    BOARD,
    CLARKE,
    COMMS,
    HUGHES,
    IT,
    OAKFIELD_HEAD,
    OFFICE,
    PATEL,
    SHARMA,
    STRANGER,
    WILLOW_DSL,
    WILLOW_HEAD,
    World,
    local,
    world_fixture,  # noqa: F401  (the `world` fixture)
)

RUNS = (time(6), time(8), time(9, 30), time(12), time(16, 59), time(17), time(20))
SUMMARY = "Section 7: pupils' first names only, never with a photo."
LINK = "https://trust.example/policies/social-media-2026.pdf"


async def announce(w: World, summary: str = SUMMARY, link: str = LINK) -> str:
    reply = await front.announce(w.services, w.asked(COMMS), {}, {"summary": summary, "link": link})
    assert isinstance(reply, Notice) and reply.title == "Announced", reply
    return reply.text.split()[0]


async def test_a_change_reaches_every_member_of_staff_once(world: World) -> None:
    world.at(date(2026, 11, 4), time(10))
    opened = await front.announce_command(world.services, world.asked(COMMS), "")
    assert isinstance(opened, OpenForm) and opened.form.id == ANNOUNCE_FORM
    before = await world.snapshot()
    for someone in (ASHWORTH, WILLOW_HEAD, HUGHES, STRANGER):
        with pytest.raises(NotAllowed) as refused:
            await front.announce_command(world.services, world.asked(someone), "")
        assert refused.value.message == (
            "Only the Head of Communications can announce a change to the policy."
        )
        with pytest.raises(NotAllowed):
            await front.announce(
                world.services, world.asked(someone), {}, {"summary": SUMMARY, "link": LINK}
            )
    with pytest.raises(FormInvalid) as caught:
        await front.announce(
            world.services, world.asked(COMMS), {}, {"summary": "", "link": "http://x.example"}
        )
    assert set(caught.value.errors) == {"summary", "link"}
    assert await world.snapshot() == before

    asked = world.asked(COMMS)
    reply = await front.announce(world.services, asked, {}, {"summary": SUMMARY, "link": LINK})
    staff = staff_of(world.directory)
    assert reply == Notice(
        "Announced",
        f"PC-2026-0001 is on its way to {len(staff)} members of staff. Anyone who has not "
        "acknowledged it is reminded weekly in term time; `acks` shows who has.",
    )
    again = await front.announce(world.services, asked, {}, {"summary": SUMMARY, "link": LINK})
    assert again == Notice("Already announced", "That was announced already as PC-2026-0001.")
    cards = await world.outbox("policy-change:")
    assert [c.key for c in cards] == [f"policy-change:PC-2026-0001:{e}:v1" for e in staff]
    assert all(c.priority == BULK and c.replace for c in cards)
    assert [c.recipient for c in cards].count(CLARKE) == 1, "at two sites, told once"
    payload = cards[0].payload or {}
    assert SUMMARY in json.dumps(payload) and LINK in json.dumps(payload)
    assert [a["id"] for a in payload["actions"]] == ["policy_ack"]
    [event] = await world.audit()
    assert event.action == "policy.change_announced" and event.record_id == "PC-2026-0001"
    assert event.after == {"staff": len(staff), "link": True}


async def test_acknowledging_is_idempotent_and_updates_the_card(world: World) -> None:
    world.at(date(2026, 11, 4), time(10))
    ref = await announce(world)
    world.at(date(2026, 11, 5), time(14, 5))
    reply = await front.acknowledge(world.services, world.asked(HUGHES), ref)
    assert reply == Notice(
        "Acknowledged", f"Thank you: you acknowledged {ref} on 5 November 2026 at 14:05."
    )
    [card] = await world.outbox(f"policy-change:{ref}:{HUGHES}:v2")
    assert card.replace and card.thread == f"policy-change:{ref}:{HUGHES}"
    assert card.payload and not card.payload["actions"]
    assert dict(card.payload["facts"])["Acknowledged"] == "by you, 5 November 2026 at 14:05"
    before = await world.snapshot()
    world.at(date(2026, 11, 6), time(9))
    again = await front.acknowledge(world.services, world.asked(HUGHES), ref)
    assert again == Notice(
        "Already acknowledged", f"You acknowledged {ref} on 5 November 2026 at 14:05."
    )
    with pytest.raises(NotAllowed):
        await front.acknowledge(world.services, world.asked(COMMS), ref)  # not at a site
    with pytest.raises(NotFound):
        await front.acknowledge(world.services, world.asked(HUGHES), "PC-2026-0099")
    assert await world.snapshot() == before
    [_, acked] = await world.audit()
    assert (acked.action, acked.actor, acked.record_id) == (
        "policy.change_acknowledged",
        HUGHES,
        ref,
    )
    assert acked.after == {"acknowledged": True}


async def test_clicks_at_once_acknowledge_once(world: World) -> None:
    world.at(date(2026, 11, 4), time(10))
    ref = await announce(world)
    results = await asyncio.gather(
        *(changes.acknowledge(world.uow(), world.deps, ref=ref, by=PATEL) for _ in range(3))
    )
    assert sorted(r.created for r in results) == [False, False, True]
    assert len({r.at for r in results}) == 1
    assert len(await world.outbox(f"{PATEL}:v2")) == 1
    assert len(await world.audit("policy.change_acknowledged")) == 1


async def test_weekly_nudges_in_term_time_until_acknowledged(world: World) -> None:
    """Announced on Wed 4 Nov 2026 (its week counts as the first); Autumn 2 ends on Fri 18 Dec
    and Spring 1 starts on Tue 5 Jan 2027."""
    world.at(date(2026, 11, 4), time(10))
    ref = await announce(world)
    acks = {
        (date(2026, 11, 4), time(12)): HUGHES,
        (date(2026, 11, 18), time(12)): PATEL,  # after her W47 nudge on Monday
    }
    staff = staff_of(world.directory)
    everyone_else = [e for e in staff if e not in (HUGHES, PATEL)]
    runs: dict[date, list[int]] = defaultdict(list)
    day = date(2026, 11, 4)
    while day <= date(2027, 1, 22):
        for moment in RUNS:
            world.at(day, moment)
            if (who := acks.get((day, moment))) is not None:
                await changes.acknowledge(world.uow(), world.deps, ref=ref, by=who)
            if (day, moment) == (date(2027, 1, 13), time(12)):
                for email in everyone_else:  # all the others acknowledge in January
                    await changes.acknowledge(world.uow(), world.deps, ref=ref, by=email)
            runs[day].append(await changes.send_nudges(world.uow(), world.deps))
        day += timedelta(days=1)

    nudges = await world.outbox(f"policy:change:{ref}:nudge:")
    for row in nudges:
        moment = local(row.created_at)
        assert moment.weekday() < 5 and time(8) <= moment.time() < time(17), row.key
        assert world.directory.in_term(moment.date()), f"{row.key} sent in a holiday"
        assert row.key == f"policy:change:{ref}:nudge:{row.recipient}:{week_of(moment.date())}"
        assert row.priority == BULK
    per_week = Counter((row.recipient, week_of(local(row.created_at).date())) for row in nudges)
    assert max(per_week.values()) == 1, "once per person and week"

    def weeks(email: str) -> list[str]:
        return [week_of(local(r.created_at).date()) for r in nudges if r.recipient == email]

    term = ["2026-W46", "2026-W47", "2026-W48", "2026-W49", "2026-W50", "2026-W51"]
    assert weeks(HUGHES) == []
    assert weeks(PATEL) == ["2026-W46", "2026-W47"]
    for email in everyone_else:
        assert weeks(email) == [*term, "2027-W01", "2027-W02"], email
    firsts = sorted({local(r.created_at) for r in nudges})
    assert firsts[0] == datetime(2026, 11, 9, 8, tzinfo=firsts[0].tzinfo), "Monday 08:00"
    spring = [m for m in firsts if m.year == 2027]
    assert spring[0].date() == date(2027, 1, 5), "Monday 4 January is still a holiday"
    assert not any(sum(runs[date(2026, 12, 21) + timedelta(d)]) for d in range(14))
    assert sum(sum(r) for r in runs.values()) == len(nudges)
    audited = await world.audit("policy.change_nudged")
    assert sum(e.after["nudged"] for e in audited) == len(nudges)  # type: ignore[index]
    assert len(audited) == 8, "one entry per week with nudges"


async def test_two_runs_at_once_nudge_each_person_once(world: World) -> None:
    world.at(date(2026, 11, 4), time(10))
    ref = await announce(world)
    world.at(date(2026, 11, 9), time(8, 30))
    results = await asyncio.gather(
        changes.send_nudges(world.uow(), world.deps),
        changes.send_nudges(world.uow(), world.deps),
    )
    nudges = await world.outbox(f"policy:change:{ref}:nudge:")
    assert sum(results) == len(nudges) == len(staff_of(world.directory))
    assert len({r.recipient for r in nudges}) == len(nudges)


async def test_someone_who_left_is_no_longer_nudged(world: World) -> None:
    world.at(date(2026, 11, 4), time(10))
    ref = await announce(world)
    world.edit_directory("      - d.hughes@willow.example\n", "")
    world.at(date(2026, 11, 9), time(9))
    await changes.send_nudges(world.uow(), world.deps)
    nudged = {r.recipient for r in await world.outbox(f"policy:change:{ref}:nudge:")}
    assert HUGHES not in nudged and PATEL in nudged


# --- who has acknowledged ---


def facts(reply: object) -> dict[str, str]:
    assert isinstance(reply, Pages)
    return dict(reply.pages[0].facts)


def not_yet(reply: object) -> dict[str, str]:
    assert isinstance(reply, Pages)
    return {s.title: s.text for s in reply.pages[0].sections}


async def test_who_sees_which_sites_acknowledgements(world: World) -> None:
    with pytest.raises(NotFound) as none:
        await front.acks_command(world.services, world.asked(COMMS), "")
    assert none.value.message == "No change has been announced yet."
    world.at(date(2026, 11, 4), time(10))
    first = await announce(world)
    for email in (HUGHES, PATEL, CLARKE, WILLOW_HEAD, "o.davies@oakfield.example"):
        await changes.acknowledge(world.uow(), world.deps, ref=first, by=email)

    everywhere = {
        "Willow Primary School": "4 of 7",
        "Oakfield Primary School": "2 of 8",
        "Riverside Academy": "0 of 9",
        "Support Hub": "0 of 4",
    }
    for who in (COMMS, ASHWORTH, SHARMA):
        assert facts(await front.acks_command(world.services, world.asked(who), "")) == everywhere
    willow = await front.acks_command(world.services, world.asked(WILLOW_HEAD), "")
    assert facts(willow) == {"Willow Primary School": "4 of 7"}
    assert not_yet(willow) == {
        "Not yet at Willow Primary School": "James Whitaker, Karen Holt, Lucy Barnes"
    }
    oakfield = await front.acks_command(world.services, world.asked(OAKFIELD_HEAD), "")
    assert facts(oakfield) == {"Oakfield Primary School": "2 of 8"}
    for who in (WILLOW_DSL, HUGHES, OFFICE, IT, BOARD, STRANGER):
        with pytest.raises(NotAllowed) as refused:
            await front.acks_command(world.services, world.asked(who), "")
        assert refused.value.message == changes.VIEW_REFUSAL

    world.at(date(2026, 11, 20), time(10))
    second = await announce(world, summary="Section 9: new filtering rules.")
    latest = await front.acks_command(world.services, world.asked(COMMS), "")
    assert isinstance(latest, Pages) and second in latest.pages[0].title
    assert facts(latest)["Willow Primary School"] == "0 of 7"
    older = await front.acks_command(world.services, world.asked(COMMS), first.lower())
    assert isinstance(older, Pages) and first in older.pages[0].title
    assert facts(older) == everywhere
    with pytest.raises(NotFound):
        await front.acks_command(world.services, world.asked(COMMS), "PC-2026-0099")


# --- home pages ---


async def test_home_pages_show_what_waits_for_each_person(world: World) -> None:
    world.at(date(2026, 11, 4), time(10))
    [comms_page] = await home.home_pages(world.services, COMMS)
    assert comms_page.body == "The policy's next review is due on 30 November 2026."
    assert [a.id for a in comms_page.actions] == ["policy_review_open"]
    first = await announce(world)
    second = await announce(world, summary="Section 9: new filtering rules.")
    pages = await home.home_pages(world.services, HUGHES)
    assert [p.title for p in pages] == [
        f"The social media policy has changed ({second})",
        f"The social media policy has changed ({first})",
    ]
    await changes.acknowledge(world.uow(), world.deps, ref=second, by=HUGHES)
    [left] = await home.home_pages(world.services, HUGHES)
    assert first in left.title and [a.value for a in left.actions] == [first]
    assert await home.home_pages(world.services, ASHWORTH) == [], "not at a site, nothing waits"
    await front.send_review(world.services, world.asked(COMMS), {}, {"next_review": "2027-12-01"})
    [card] = await home.home_pages(world.services, ASHWORTH)
    assert [a.id for a in card.actions] == ["policy_ratify", "policy_return_open"]
    [comms_page] = await home.home_pages(world.services, COMMS)
    assert "waiting for ELT" in (comms_page.body or "") and not comms_page.actions
