# Tests for the Slack rate gate on a virtual clock: paces and bursts, a 429's hold shared by
# every caller, the pause between posts to one conversation, deadlines and kept turns.
from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from handlers.slack.rate_limits import Pace, RateGate, WaitTooLong, retry_after

START = 1000.0
PACED = "users.lookupByEmail"


class VirtualTime:
    """A clock and a sleeper for the gate: time jumps to the next waker once every task has
    gone to sleep, so a minute of waiting takes no time at all."""

    def __init__(self) -> None:
        self.now = START
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        await future

    async def run(self, *calls: Awaitable[Any]) -> list[Any]:
        """Run the calls together; returns their results or exceptions, in order."""
        tasks = [asyncio.ensure_future(call) for call in calls]
        while not all(task.done() for task in tasks):
            for _ in range(20):  # let every task run until it sleeps or ends
                await asyncio.sleep(0)
            if self._sleepers:
                wake_at, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake_at)
                future.set_result(None)
        return [task.exception() or task.result() for task in tasks]

    def gate(self, paces: dict[str, Pace] | None = None, gap: float = 1.0) -> RateGate:
        paces = {PACED: Pace(60, burst=3)} if paces is None else paces
        return RateGate(paces, conversation_gap=gap, clock=self.clock, sleep=self.sleep)


def ratelimited(seconds: str | None = "5") -> SlackApiError:
    headers = {"Retry-After": seconds} if seconds is not None else {}
    response = AsyncSlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/x",
        req_args={},
        data={"ok": False, "error": "ratelimited"},
        headers=headers,
        status_code=429,
    )
    return SlackApiError("ratelimited", response)


class Slack:
    """Records when each call reached it, `latency` seconds after it was sent; answers 429
    to the first `refuse` calls."""

    def __init__(
        self, time: VirtualTime, refuse: int = 0, retry_after: str = "5", latency: float = 0
    ) -> None:
        self.time, self.refuse, self.retry_after = time, refuse, retry_after
        self.latency = latency
        self.sent: list[tuple[str, float]] = []

    def send(self, name: str) -> Any:
        async def send() -> str:
            if self.latency:
                await self.time.sleep(self.latency)
            self.sent.append((name, self.time.now))
            if self.refuse:
                self.refuse -= 1
                raise ratelimited(self.retry_after)
            return name

        return send


async def test_a_paced_method_has_its_burst_then_one_call_per_interval() -> None:
    time = VirtualTime()
    gate = time.gate()
    slack = Slack(time)

    async def five() -> None:
        for n in range(5):
            await gate.call(PACED, slack.send(f"c{n}"), deadline=time.now + 60)

    await time.run(five())
    assert [at - START for _, at in slack.sent] == [0, 0, 0, 1, 2]


async def test_methods_are_paced_apart_and_an_unpaced_one_never_waits() -> None:
    time = VirtualTime()
    gate = time.gate({PACED: Pace(60, burst=1), "chat.update": Pace(30, burst=1)})
    slack = Slack(time)
    await time.run(
        *(gate.call(PACED, slack.send("lookup"), deadline=START + 60) for _ in range(3)),
        *(gate.call("chat.update", slack.send("update"), deadline=START + 60) for _ in range(2)),
        *(gate.call("auth.test", slack.send("auth"), deadline=START + 60) for _ in range(3)),
    )
    times = {name: [at - START for n, at in slack.sent if n == name] for name, _ in slack.sent}
    assert times == {"lookup": [0, 1, 2], "update": [0, 2], "auth": [0, 0, 0]}


async def test_a_429_holds_the_method_for_every_caller_then_paces_without_a_burst() -> None:
    time = VirtualTime()
    gate = time.gate({PACED: Pace(60, burst=3)})
    slack = Slack(time, refuse=1, retry_after="5", latency=0.5)
    results = await time.run(
        *(gate.call(PACED, slack.send(f"c{n}"), deadline=START + 60) for n in range(3)),
        gate.call("chat.postMessage", slack.send("post"), deadline=START + 60),
    )
    assert results == ["c0", "c1", "c2", "post"]
    assert gate.holds == 1
    # All three went at once (the burst); c0 was refused when it arrived (at 0.5), c1 and c2
    # got through. c0 is sent again as soon as Retry-After has passed (5.5); the turns after
    # it are a second apart: no burst after a hold.
    lookups = [(name, at - START) for name, at in slack.sent if name != "post"]
    assert lookups == [("c0", 0.5), ("c1", 0.5), ("c2", 0.5), ("c0", 6.0)]

    async def three() -> None:
        for n in range(3):
            await gate.call(PACED, slack.send(f"later{n}"), deadline=START + 60)

    await time.run(three())
    assert [at - START for _, at in slack.sent[-3:]] == [6.5, 7.5, 8.5]
    assert ("post", START + 0.5) in slack.sent  # other methods are not held


async def test_a_call_already_waiting_for_its_turn_also_waits_for_a_429s_hold() -> None:
    time = VirtualTime()
    gate = time.gate({PACED: Pace(60, burst=1)})
    slack = Slack(time, refuse=1, retry_after="10", latency=0.5)
    await time.run(
        gate.call(PACED, slack.send("first"), deadline=START + 60),
        gate.call(PACED, slack.send("second"), deadline=START + 60),  # its turn: at 1
    )
    assert [(name, at - START) for name, at in slack.sent] == [
        ("first", 0.5),  # refused: no call before 10.5, when it goes again
        ("first", 11.0),
        ("second", 11.5),  # its turn (1) slipped by the hold (10), keeping its place
    ]


async def test_posts_to_one_conversation_are_a_second_apart_and_others_do_not_wait() -> None:
    time = VirtualTime()
    gate = time.gate({}, gap=1.0)
    slack = Slack(time)

    def post(who: str, n: int) -> Awaitable[str]:
        return gate.call(
            "chat.postMessage", slack.send(f"{who}{n}"), deadline=START + 60, conversation=who
        )

    await time.run(post("U1", 1), post("U2", 1), post("U1", 2), post("U1", 3), post("U3", 1))
    assert sorted((name, at - START) for name, at in slack.sent) == [
        ("U11", 0),
        ("U12", 1),
        ("U13", 2),
        ("U21", 0),
        ("U31", 0),
    ]


async def test_a_turn_after_the_deadline_is_refused_and_kept_for_its_ticket() -> None:
    time = VirtualTime()
    gate = time.gate({PACED: Pace(60, burst=1)})
    slack = Slack(time)
    results = await time.run(
        *(
            gate.call(PACED, slack.send(f"item{n}"), deadline=START + 2.5, ticket=n)
            for n in range(6)
        )
    )
    assert results[:3] == ["item0", "item1", "item2"]
    refused = results[3:]
    assert all(isinstance(r, WaitTooLong) for r in refused)
    assert [r.retry_after for r in refused] == [3, 4, 5]  # their kept turns, a second apart
    # A newcomer queues behind the kept turns; item 4 comes back at its turn and goes at once.
    time.now = START + 4
    await time.run(
        gate.call(PACED, slack.send("newcomer"), deadline=time.now + 10, ticket=99),
        gate.call(PACED, slack.send("item4"), deadline=time.now + 10, ticket=4),
    )
    assert ("item4", START + 4) in slack.sent
    assert ("newcomer", START + 6) in slack.sent


async def test_a_hold_longer_than_the_deadline_is_refused_with_its_length() -> None:
    time = VirtualTime()
    gate = time.gate()
    slack = Slack(time, refuse=1, retry_after="30")
    [refused] = await time.run(gate.call(PACED, slack.send("x"), deadline=START + 10, ticket=1))
    assert isinstance(refused, WaitTooLong)
    assert refused.method == PACED
    assert refused.retry_after == pytest.approx(30)
    assert len(slack.sent) == 1


async def test_other_errors_pass_through_without_a_hold() -> None:
    time = VirtualTime()
    gate = time.gate()

    async def broken() -> None:
        response = AsyncSlackResponse(
            client=None,
            http_verb="POST",
            api_url="https://slack.test/api/x",
            req_args={},
            data={"ok": False, "error": "internal_error"},
            headers={},
            status_code=500,
        )
        raise SlackApiError("internal_error", response)

    [error] = await time.run(gate.call(PACED, broken, deadline=START + 10))
    assert isinstance(error, SlackApiError)
    assert gate.holds == 0


@pytest.mark.parametrize(
    ("header", "seconds"), [("7", 7.0), (None, 1.0), ("0", 1.0), ("soon", 1.0), ("2.5", 2.5)]
)
def test_retry_after_is_read_from_the_header_and_never_below_a_second(
    header: str | None, seconds: float
) -> None:
    assert retry_after(ratelimited(header)) == seconds


async def test_kept_turns_slip_with_a_hold_and_keep_their_order() -> None:
    time = VirtualTime()
    gate = time.gate({PACED: Pace(60, burst=1)})
    slack = Slack(time)
    refused = await time.run(
        *(gate.call(PACED, slack.send(f"i{n}"), deadline=START, ticket=n) for n in range(4))
    )
    assert [r.retry_after for r in refused[1:]] == [1, 2, 3]  # i0 went at once
    gate.hold(PACED, 10)  # Slack said 429 to someone else: every kept turn slips by 10
    time.now = START + 3
    returned = await time.run(
        *(gate.call(PACED, slack.send(f"i{n}"), deadline=time.now, ticket=n) for n in (3, 1, 2))
    )
    assert [r.retry_after for r in returned] == [10, 8, 9]  # the same order, 10 s later


async def test_an_urgent_call_goes_at_once_and_the_kept_turns_yield_it_one() -> None:
    time = VirtualTime()
    gate = time.gate({PACED: Pace(60, burst=1)})
    slack = Slack(time)
    # A campaign has booked turns far ahead: items 0-2 go, the others keep turns 3..9 s on.
    results = await time.run(
        *(
            gate.call(PACED, slack.send(f"bulk{n}"), deadline=START + 2.5, ticket=n)
            for n in range(10)
        )
    )
    assert [r.retry_after for r in results[3:] if isinstance(r, WaitTooLong)] == list(range(3, 10))
    await time.run(gate.call(PACED, slack.send("alert"), deadline=START + 10, urgent=True))
    assert slack.sent[-1] == ("alert", START + 3)  # the next free moment, not after 9 s
    # Every kept turn from the alert's on moved one interval later: the pace holds.
    early = await time.run(gate.call(PACED, slack.send("bulk3"), deadline=START + 3.5, ticket=3))
    assert isinstance(early[0], WaitTooLong) and early[0].retry_after == 1.0  # was 3 s, now 4
    time.now = START + 4
    assert await time.run(
        gate.call(PACED, slack.send("bulk3"), deadline=START + 4.5, ticket=3),
        gate.call(PACED, slack.send("bulk4"), deadline=START + 6, ticket=4),
    ) == ["bulk3", "bulk4"]
    assert slack.sent[-2:] == [("bulk3", START + 4), ("bulk4", START + 5)]


async def test_urgent_calls_are_paced_among_themselves_and_wait_out_a_hold() -> None:
    time = VirtualTime()
    gate = time.gate({PACED: Pace(60, burst=1)})
    slack = Slack(time, refuse=1, retry_after="5")
    results = await time.run(
        *(
            gate.call(PACED, slack.send(f"alert{n}"), deadline=START + 30, urgent=True)
            for n in range(3)
        )
    )
    assert results == ["alert0", "alert1", "alert2"]
    times = [at for _, at in slack.sent]
    assert times[0] == START  # refused with 429 and Retry-After 5
    assert all(at >= START + 5 for at in times[1:])  # no call of the method during the hold
    assert times == [START, START + 5, START + 6, START + 7]  # then a second apart
