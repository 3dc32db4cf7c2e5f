# Slack's rate limits on the sending side: one gate, shared by every send of a process, that
# paces calls per method and per conversation and holds a method back after a 429.
from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Pace:
    """At most `per_minute` calls a minute, evenly spaced, after a first burst of `burst`."""

    per_minute: float
    burst: int = 1

    @property
    def interval(self) -> float:
        return 60.0 / self.per_minute


# Slack's published limits for the methods the sender calls, per method, app and workspace:
# Tier 3 is "50+ per minute ... sporadic bursts are welcome"; chat.postMessage's workspace-wide
# ceiling is "several hundred messages per minute", no number: 300 is our assumption. The sender
# paces a little under each (MARGIN): against a limit of 50 in any minute, a call that arrives a
# hair early against the call fifty before it is refused, and each refusal holds the method for
# Retry-After, whole seconds.
MARGIN = 0.96
TIER_3 = Pace(50 * MARGIN, burst=5)
SLACK_PACES: Mapping[str, Pace] = {
    "users.lookupByEmail": TIER_3,
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,
    "chat.update": TIER_3,
    "chat.postMessage": Pace(300 * MARGIN, burst=10),
}
CONVERSATION_GAP = 1.0  # seconds between two posts to one conversation ("about one a second")


class WaitTooLong(Exception):
    """A call's turn comes after the caller's deadline. `retry_after` is the time to it in
    seconds: the turn is kept for the same ticket, so coming back then costs no one a place."""

    def __init__(self, method: str, retry_after: float) -> None:
        super().__init__(f"{method}: next turn in {retry_after:.1f}s")
        self.method = method
        self.retry_after = retry_after


class RateGate:
    """Turns for Slack calls, shared by every concurrent send through one sender.

    A paced method gets turns `interval` apart once its burst is spent (a virtual schedule,
    as GCRA keeps); a post waits `conversation_gap` after the last post to the same
    conversation. When Slack answers 429, no call of that method goes before Retry-After has
    passed: the refused call goes first then, and every turn already given slips as far,
    keeping its order and spacing. A call whose turn is past its deadline is refused with
    WaitTooLong and the turn is kept for its ticket (an outbox item id), so that a requeued
    item comes back to its own place instead of joining a crowd. Methods missing from `paces`
    are only held after a 429. The gate is per process: with several replicas, give each a
    share of the paces (Slack's 429s catch the rest).

    slack_sdk's RateLimitErrorRetryHandler is not used: it sleeps Retry-After inside one
    request, however long, and tells no other request; leave it off the client given to the
    sender, or a 429 never reaches the gate."""

    def __init__(
        self,
        paces: Mapping[str, Pace] = SLACK_PACES,
        *,
        conversation_gap: float = CONVERSATION_GAP,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._paces = dict(paces)
        self._gap = conversation_gap
        self._clock = clock
        self._sleep = sleep
        self._due: dict[str, float] = {}  # method -> theoretical time of its next call (GCRA)
        self._held: dict[str, float] = {}  # method -> no call before this (after a 429)
        self._slipped: dict[str, float] = {}  # method -> how far its turns slipped for 429s
        self._tickets: dict[tuple[str, Hashable], float] = {}  # kept turns
        self._posted: dict[Hashable, float] = {}  # conversation -> turn of its last post
        self._urgent: dict[str, float] = {}  # method -> earliest next urgent turn
        self._sent: dict[str, float] = {}  # method -> when its last call went
        self.holds = 0  # 429s seen, for logs and the benchmark

    def now(self) -> float:
        return self._clock()

    async def call(
        self,
        method: str,
        send: Callable[[], Awaitable[T]],
        *,
        deadline: float,
        ticket: Hashable | None = None,
        conversation: Hashable | None = None,
        urgent: bool = False,
    ) -> T:
        """Send when it is this call's turn; after a 429, send again as soon as Retry-After
        has passed. Raises WaitTooLong when a turn would come after `deadline`. An `urgent`
        call takes the next free turn ahead of every turn already given out."""
        again: float | None = None
        while True:
            await self._wait(method, deadline, ticket, conversation, again, urgent)
            self._sent[method] = self._clock()
            try:
                return await send()
            except SlackApiError as error:
                if error.response.status_code != 429:
                    raise
                again = self.hold(method, retry_after(error))

    async def wait(
        self,
        method: str,
        *,
        deadline: float,
        ticket: Hashable | None = None,
        conversation: Hashable | None = None,
        urgent: bool = False,
    ) -> None:
        """Wait for this call's turn (WaitTooLong if it is after `deadline`)."""
        await self._wait(method, deadline, ticket, conversation, None, urgent)

    async def _wait(
        self,
        method: str,
        deadline: float,
        ticket: Hashable | None,
        conversation: Hashable | None,
        kept: float | None,
        urgent: bool = False,
    ) -> None:
        now = self._clock()
        turn = self._take_turn(method, now, deadline, ticket, conversation, kept, urgent)
        slipped = self._slipped.get(method, 0.0)
        while turn > now:
            await self._sleep(turn - now)
            now = self._clock()
            later = self._slipped.get(method, 0.0) - slipped
            if later > 0:  # Slack answered 429 to another call meanwhile: this one slips too
                slipped += later
                turn = max(turn + later, self._held.get(method, now))
                if turn > deadline:
                    if ticket is not None:
                        self._tickets[(method, ticket)] = turn
                    raise WaitTooLong(method, turn - now)

    def hold(self, method: str, seconds: float) -> float:
        """Slack answered 429: no call of `method` for `seconds`. Every turn already given
        (to a waiting call or a ticket) slips by as much as the hold grew, keeping its place
        and spacing; new turns follow them, evenly spaced, without a burst. Returns the end
        of the hold."""
        now = self._clock()
        until = now + max(seconds, 0.0)
        self.holds += 1
        log.info("slack answered 429 to %s: holding it for %.1fs", method, seconds)
        grown = until - max(self._held.get(method, now), now)
        if grown <= 0:  # another call's 429 already holds it as long
            return self._held[method]
        self._held[method] = until
        self._slipped[method] = self._slipped.get(method, 0.0) + grown
        for key, turn in self._tickets.items():
            if key[0] == method:
                self._tickets[key] = turn + grown
        pace = self._paces.get(method)
        if pace:
            slack = (pace.burst - 1) * pace.interval
            self._due[method] = max(self._due.get(method, now) + grown, until + slack)
            urgent = self._urgent.get(method, now) + grown
            self._urgent[method] = max(urgent, until + pace.interval)  # the refused call first
        return until

    def _take_turn(
        self,
        method: str,
        now: float,
        deadline: float,
        ticket: Hashable | None,
        conversation: Hashable | None,
        kept: float | None = None,
        urgent: bool = False,
    ) -> float:
        """The turn of a call: its kept one (a refused call's, or its ticket's), else the next
        of its method's schedule; never while held, nor within the gap after a post to the same
        conversation. Past the deadline: WaitTooLong, the turn kept for the ticket.

        An urgent call goes at the next free moment (urgent calls `interval` apart among
        themselves) instead of at the end of the schedule, and the schedule yields it a turn:
        every turn not yet taken and every kept turn from it on moves one `interval` later,
        so the pace holds. Calls already waiting keep their turns (the margin under Slack's
        limits absorbs the odd extra call)."""
        earliest = max(now, self._held.get(method, now))
        if conversation is not None and conversation in self._posted:
            earliest = max(earliest, self._posted[conversation] + self._gap)
        if kept is None and ticket is not None:
            kept = self._tickets.pop((method, ticket), None)
        pace = self._paces.get(method)
        if kept is not None:  # already counted in the schedule
            turn = max(earliest, kept)
        elif pace and urgent:
            last = self._sent.get(method)
            turn = max(earliest, self._urgent.get(method, earliest))
            if last is not None:
                turn = max(turn, last + pace.interval)
            self._urgent[method] = turn + pace.interval
            for key, kept_turn in self._tickets.items():
                if key[0] == method and kept_turn >= turn:
                    self._tickets[key] = kept_turn + pace.interval
        elif pace:
            due = self._due.get(method, now)
            turn = max(earliest, due - (pace.burst - 1) * pace.interval)
        else:
            turn = earliest
        if kept is None and pace and (turn <= deadline or ticket is not None):
            self._due[method] = max(self._due.get(method, turn), turn) + pace.interval
        if turn > deadline:
            if ticket is not None:
                self._tickets[(method, ticket)] = turn
            self._tidy(now)
            raise WaitTooLong(method, turn - now)
        if conversation is not None:
            self._posted[conversation] = turn
        self._tidy(now)
        return turn

    def _tidy(self, now: float) -> None:
        """Forget what can no longer matter: tickets an hour stale, posts past the gap."""
        if len(self._posted) > 1000:
            self._posted = {c: t for c, t in self._posted.items() if t + self._gap > now}
        if len(self._tickets) > 10000:
            self._tickets = {k: t for k, t in self._tickets.items() if t > now - 3600}


def retry_after(error: SlackApiError) -> float:
    """The Retry-After of a 429 in seconds: 1 when Slack gave none (as slack_sdk assumes), and
    never less, so that a 429 cannot start a tight loop."""
    headers = error.response.headers or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):  # slack_sdk's retry handlers see lists of header values
        value = value[0] if value else None
    try:
        seconds = float(value) if value is not None else 1.0
    except ValueError:
        return 1.0
    return max(seconds, 1.0) if math.isfinite(seconds) else 1.0
