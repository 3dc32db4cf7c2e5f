# Times a campaign to 5,000 staff through the real outbox worker and Slack sender, against a
# fake Slack Web API that enforces Slack's rate limits with 429s.
"""Delivers one message to each of 5,000 staff within Slack's rate limits, exactly once each.

    .venv/bin/python bench/campaign.py                # 5000 staff, Slack ids unknown, clock x20
    .venv/bin/python bench/campaign.py --known-ids    # Slack ids in the directory: no look-ups
    .venv/bin/python bench/campaign.py --quick        # 300 staff: a smoke run of ~30 s
    .venv/bin/python bench/campaign.py --help         # limits, speed, PostgreSQL, JSON

Everything runs in this one process: the fake Slack Web API (tests/fakes, on 127.0.0.1, in a
thread) in its rate-limit mode, and the real OutboxWorker, OutboxQueue (SQLite, or PostgreSQL)
and SlackSender with its RateGate, as `policybot serve` wires them. A directory of N staff is
made up, each a Slack user of the fake; the Head of Comms starts a refresher training campaign
for the whole Trust (bot.training.campaigns.start_campaign, as /training campaign does), which
queues one announcement to each in one transaction; the worker then delivers them.

Time is simulated: one clock, `--speed` times faster than the wall, drives the fake's limits
and Retry-After, the gate's paces and waits, and the worker's backoff and lease, so every limit
is Slack's own (per minute) and a 100-minute campaign takes 5 minutes. Only the machine's own
work (HTTP, SQL, Python) is not sped up: it weighs `--speed` times more in simulated time, so
the figures can only flatter the limits, never us.

It prints the simulated time the campaign took, the floor that the fake's limits allow any
client (from the calls each message needs), their ratio, the 429s, and the messages sent
twice and lost (both must be 0). Exit status: 0 when none was sent twice or lost, 1 otherwise,
2 when the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/campaign.py` puts bench/, not the root, first
    sys.path.insert(0, str(ROOT))

from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from sqlmodel import col, func, select  # noqa: E402

from bot.directory import Directory, load_directory  # noqa: E402
from bot.messages import Message  # noqa: E402
from bot.outbox import URGENT, OutboxItem, RetryPolicy  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.training.campaigns import start_campaign  # noqa: E402
from bot.training.model import TRUST  # noqa: E402
from bot.training.service import TrainingDeps  # noqa: E402
from bot.working_time import WorkingHours  # noqa: E402
from handlers.slack.people import SlackPeople  # noqa: E402
from handlers.slack.rate_limits import SLACK_PACES, Pace, RateGate  # noqa: E402
from handlers.slack.sender import MAX_WAIT_SECONDS, SlackSender  # noqa: E402
from scheduler.outbox_worker import OutboxWorker  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402
from storage.identities import SqlIdentities  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.outbox import OutboxQueue  # noqa: E402
from storage.tables import OutboxRow  # noqa: E402
from storage.uow import SqlUnitOfWork  # noqa: E402
from tests.fakes.slack_api import PER_CONVERSATION, SLACK_LIMITS, FakeSlack, RateLimit  # noqa: E402

TOKEN = "xoxb-bench"
START = datetime(2026, 11, 23, 9, tzinfo=UTC)
LOOKUP, POST = "users.lookupByEmail", "chat.postMessage"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"  # as tests/integration use
SITE_SIZE = 250  # staff per made-up school
HOURS = WorkingHours(ZoneInfo("Europe/London"), dtime(8), dtime(17), frozenset(range(5)))


class SimulatedTime:
    """A clock `speed` times faster than the wall: seconds for the fake and the gate, a
    datetime for the worker, and a sleep for the gate."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._origin = time.monotonic()

    def seconds(self) -> float:
        return (time.monotonic() - self._origin) * self.speed

    def now(self) -> datetime:
        return START + timedelta(seconds=self.seconds())

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speed)


@dataclass
class Outcome:
    staff: int
    known_ids: bool
    seconds: float = 0.0  # simulated, from the first claim to the last message marked sent
    wall_seconds: float = 0.0
    floor_seconds: float = 0.0
    floor_method: str = ""
    calls_needed: dict[str, int] = field(default_factory=dict)
    calls_made: dict[str, int] = field(default_factory=dict)
    refusals: dict[str, int] = field(default_factory=dict)  # 429s by method and limit
    holds_seen: int = 0
    sent_twice: int = 0
    lost: int = 0
    outbox: dict[str, int] = field(default_factory=dict)
    attempts: dict[int, int] = field(default_factory=dict)
    alert_seconds: list[float] = field(default_factory=list)  # simulated, queued to sent

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_seconds if self.floor_seconds else math.inf

    @property
    def refused(self) -> int:
        return sum(self.refusals.values())


def made_up_directory(path: Path, staff: int, *, known_ids: bool) -> Directory:
    """A Trust of `staff` people in schools of 250 (head, safeguarding lead, office, staff)."""
    people = [
        {"email": f"staff{n:05d}@school{n // SITE_SIZE:02d}.example", "name": f"Staff {n}"}
        for n in range(staff)
    ]
    if known_ids:
        for n, person in enumerate(people):
            person["slack_id"] = slack_user_id(n)
    emails = [person["email"] for person in people]
    sites = []
    for start in range(0, staff, SITE_SIZE):
        group = emails[start : start + SITE_SIZE]
        site: dict[str, Any] = {"id": f"school{start // SITE_SIZE:02d}", "kind": "school"}
        site |= {"name": f"School {start // SITE_SIZE:02d}", "headteacher": group[:1]}
        site |= {"safeguarding_leads": group[1:2] or group[:1], "office": group[2:3]}
        sites.append(site | {"staff": group[3:]})
    trust = {"name": "Benchmark Trust", "head_of_comms": emails[:1], "elt": emails[:1]}
    data = {
        "trust": trust | {"it_provider": emails[:1]},
        "sites": sites,
        "accounts": [],
        "policy": {"next_review": "2027-11-30", "training_valid_months": 12},
        "people": people,
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_directory(path)


def slack_user_id(n: int) -> str:
    return f"U5{n:08d}"


def floor_seconds(needed: Mapping[str, int], limits: Mapping[str, RateLimit]) -> tuple[float, str]:
    """The least time any client needs for these calls under the fake's sliding windows: the
    k-th call of a method (from 0) can come no sooner than floor(k / calls) windows in. The
    per-conversation limit adds nothing here: each DM gets one message."""
    best, which = 0.0, ""
    for method, count in needed.items():
        limit = limits.get(method)
        if limit and count:
            seconds = ((count - 1) // limit.calls) * limit.seconds
            if seconds > best:
                best, which = seconds, method
    return best, which


async def start_refresher(sessions: Any, directory: Directory, clock: SimulatedTime) -> int:
    """The Head of Comms starts a refresher campaign for the whole Trust, as /training campaign
    does: one announcement to everyone, queued in one transaction. Returns how many."""
    deps = TrainingDeps(directory, clock, HOURS)
    deadline = (deps.today() + timedelta(days=28)).isoformat()
    answers = {"scope": TRUST, "deadline": deadline, "reason": "A change to the policy."}
    started = await start_campaign(
        SqlUnitOfWork(sessions, clock),
        deps,
        by=directory.holders("head_of_comms")[0],
        values=answers,
        source_key="bench:campaign",
    )
    return started.told


async def raise_alerts(
    sessions: Any, sim: SimulatedTime, worker: OutboxWorker, emails: list[str], args: Any
) -> dict[str, datetime]:
    """Misuse-report alerts (URGENT) queued while the campaign runs, each to someone whose
    campaign message is still waiting; returns when each was queued."""
    queued: dict[str, datetime] = {}
    for n in range(args.alerts):
        await sim.sleep(args.alert_every)
        key = f"bench:alert:{n}"
        to = emails[-1 - n * 97 % len(emails)]  # from the end: their messages go last
        message = Message("A misuse report needs you", f"Alert {n}")
        async with SqlUnitOfWork(sessions, sim) as uow:
            await uow.outbox.add(OutboxItem(key, to, message, priority=URGENT))
            await uow.commit()
        queued[key] = sim.now()
        worker.wake()
    return queued


async def until_done(sessions: Any, total: int, deadline: float) -> None:
    queue = OutboxQueue(sessions)
    while time.monotonic() < deadline:
        counts = await queue.counts()
        if counts.get("sent", 0) + counts.get("dead", 0) >= total:
            return
        await asyncio.sleep(0.25)
    raise TimeoutError("the campaign did not finish before --deadline")


async def deliver(args: argparse.Namespace, fake: FakeSlack, database_url: str) -> Outcome:
    workdir = Path(args.workdir)
    directory = made_up_directory(workdir / "directory.yml", args.staff, known_ids=args.known_ids)
    emails = [person.email for person in directory.people]
    for n, email in enumerate(emails):
        fake.add_user(email, slack_user_id(n), f"Staff {n}")
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    sim = SimulatedTime(args.speed)
    limits = fake_limits(args)
    fake.set_rate_limits(limits, per_conversation=args.per_conversation, clock=sim.seconds)
    queued = await start_refresher(sessions, directory, sim)
    assert queued == len(emails), f"the campaign told {queued} of {len(emails)}"

    client = AsyncWebClient(token=TOKEN, base_url=fake.api_url)
    people = SlackPeople(client, SqlIdentities(sessions), lambda: directory, sim)
    gate = RateGate(sender_paces(args), clock=sim.seconds, sleep=sim.sleep)
    sender = SlackSender(client, people, gate=gate, max_wait=args.max_wait)
    defaults = Settings.model_fields
    worker = OutboxWorker(
        OutboxQueue(sessions),
        {"chat": sender},
        clock=sim,
        policy=RetryPolicy(
            defaults["outbox_max_attempts"].default,
            defaults["outbox_retry_base_seconds"].default,
            defaults["outbox_retry_max_seconds"].default,
        ),
        poll_seconds=defaults["outbox_poll_seconds"].default / args.speed,
        lease_seconds=defaults["outbox_lease_seconds"].default,
        batch=args.batch,
    )
    outcome = Outcome(staff=len(emails), known_ids=args.known_ids)
    started_wall, started = time.monotonic(), sim.now()
    running = asyncio.create_task(worker.run())
    alerts = asyncio.create_task(raise_alerts(sessions, sim, worker, emails, args))
    try:
        await until_done(sessions, len(emails) + args.alerts, started_wall + args.deadline)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    outcome.wall_seconds = time.monotonic() - started_wall
    await measure(outcome, sessions, fake, limits, started)
    outcome.alert_seconds = await alert_latencies(sessions, await alerts)
    outcome.holds_seen = gate.holds
    await engine.dispose()
    return outcome


async def measure(
    outcome: Outcome,
    sessions: Any,
    fake: FakeSlack,
    limits: Mapping[str, RateLimit],
    started: datetime,
) -> None:
    async with sessions() as session:
        ids = set((await session.exec(select(OutboxRow.id))).all())
        last = (await session.exec(select(func.max(OutboxRow.sent_at)))).one()
        attempts = (await session.exec(select(OutboxRow.attempts))).all()
    outcome.outbox = await OutboxQueue(sessions).counts()
    outcome.attempts = dict(sorted(Counter(attempts).items()))
    if last is not None:
        last = last if last.tzinfo else last.replace(tzinfo=UTC)
        outcome.seconds = (last - started).total_seconds()
    posts = fake.posts_per_item()
    outcome.sent_twice = sum(count - 1 for item, count in posts.items() if count > 1)
    outcome.lost = len(ids - set(posts))
    outcome.calls_made = dict(Counter(call["method"] for call in fake.calls()))
    outcome.refusals = dict(Counter(f"{r['method']} ({r['limit']})" for r in fake.refusals()))
    outcome.calls_needed = {POST: outcome.staff} | (
        {} if outcome.known_ids else {LOOKUP: outcome.staff}
    )
    outcome.floor_seconds, outcome.floor_method = floor_seconds(outcome.calls_needed, limits)


async def alert_latencies(sessions: Any, queued: Mapping[str, datetime]) -> list[float]:
    async with sessions() as session:
        rows = (
            await session.exec(
                select(OutboxRow.key, OutboxRow.sent_at).where(col(OutboxRow.key).in_(list(queued)))
            )
        ).all()
    return sorted(
        ((sent if sent.tzinfo else sent.replace(tzinfo=UTC)) - queued[key]).total_seconds()
        for key, sent in rows
        if sent is not None
    )


def sender_paces(args: argparse.Namespace) -> dict[str, Pace]:
    """The sender's paces: Slack's tiers as the server ships them, unless told otherwise."""
    if args.reactive:
        return {}
    paces = dict(SLACK_PACES)
    if args.sender_tier3:
        paces |= {
            m: replace(p, per_minute=args.sender_tier3) for m, p in paces.items() if m != POST
        }
    if args.sender_post_per_minute:
        paces[POST] = replace(paces[POST], per_minute=args.sender_post_per_minute)
    return paces


def fake_limits(args: argparse.Namespace) -> dict[str, RateLimit]:
    tier_3 = RateLimit(args.tier3)
    limits = {method: tier_3 for method, limit in SLACK_LIMITS.items() if limit.calls == 50}
    return dict(SLACK_LIMITS) | limits | {POST: RateLimit(args.post_per_minute)}


def print_outcome(outcome: Outcome, args: argparse.Namespace, database: str) -> None:
    ids = "known (in the directory)" if outcome.known_ids else "unknown (looked up by e-mail)"
    paces = sender_paces(args)
    mode = (
        f"paced at {paces[LOOKUP].per_minute:g}/min (Tier 3), {paces[POST].per_minute:g}/min "
        "(posts)"
        if paces
        else "reactive only (429s)"
    )
    limits = fake_limits(args)
    print(
        f"\ncampaign to {outcome.staff} staff, Slack ids {ids}; {database}; sender {mode}, "
        f"max wait {args.max_wait:g} s; worker batch {args.batch}; clock x{args.speed:g}; "
        f"{os.cpu_count()} CPUs"
    )
    print(
        "fake Slack's limits: "
        + ", ".join(f"{m} {limits[m].calls}/{limits[m].seconds:g}s" for m in (LOOKUP, POST))
        + f", chat.postMessage per conversation {args.per_conversation.calls}/"
        f"{args.per_conversation.seconds:g}s"
    )
    needed = ", ".join(f"{m} x{n}" for m, n in outcome.calls_needed.items())
    rows = [
        ("total time (simulated)", f"{outcome.seconds:,.0f} s ({outcome.seconds / 60:.1f} min)"),
        ("floor the limits allow", f"{outcome.floor_seconds:,.0f} s ({outcome.floor_method})"),
        ("ratio", f"{outcome.ratio:.3f}"),
        ("calls needed", needed),
        ("calls Slack accepted", ", ".join(f"{m} x{n}" for m, n in outcome.calls_made.items())),
        ("429s received", f"{outcome.refused} {dict(outcome.refusals) or ''}".rstrip()),
        ("messages sent twice", f"{outcome.sent_twice} (must be 0)"),
        ("messages lost", f"{outcome.lost} (must be 0)"),
        ("outbox at the end", str(outcome.outbox)),
        ("attempts per message", str(outcome.attempts)),
        ("urgent alerts meanwhile", alert_line(outcome.alert_seconds)),
        ("wall time", f"{outcome.wall_seconds:.0f} s"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")


def alert_line(seconds: list[float]) -> str:
    if not seconds:
        return "none"
    middle = seconds[len(seconds) // 2]
    return f"{len(seconds)}, queued to sent: median {middle:.1f} s, longest {seconds[-1]:.1f} s"


def write_json(path: Path, outcome: Outcome, args: argparse.Namespace, database: str) -> None:
    data = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "settings": {
            "staff": args.staff,
            "speed": args.speed,
            "database": database,
            "reactive": args.reactive,
            "sender_paces": {m: asdict(p) for m, p in sender_paces(args).items()},
            "max_wait": args.max_wait,
            "batch": args.batch,
            "limits": {m: asdict(limit) for m, limit in fake_limits(args).items()},
            "per_conversation": asdict(args.per_conversation),
        },
        "results": asdict(outcome) | {"ratio": outcome.ratio},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def database_for(args: argparse.Namespace) -> tuple[str, Any]:
    """A fresh, migrated database and a function that drops it (None for SQLite)."""
    if not args.postgres:
        url = f"sqlite:///{Path(args.workdir) / 'campaign.db'}"
        upgrade(url)
        return url, None
    from tests.integration.conftest import fresh_postgres

    url, drop = fresh_postgres(args.postgres)
    try:
        upgrade(url)
    except BaseException:
        drop()  # type: ignore[operator]
        raise
    return url, drop


def per_conversation(text: str) -> RateLimit:
    calls, _, seconds = text.partition("/")
    return RateLimit(int(calls), float(seconds or 1))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add = parser.add_argument
    add("--staff", type=int, default=5000, help="people in the campaign (default 5000)")
    add("--quick", action="store_true", help="a smoke run: 300 staff")
    add("--known-ids", action="store_true", help="Slack ids in the directory: no look-ups")
    add(
        "--speed",
        type=float,
        default=20.0,
        help="how much faster than the wall the simulated clock runs (default 20)",
    )
    add(
        "--tier3",
        type=int,
        default=SLACK_LIMITS[LOOKUP].calls,
        help="the fake's Tier 3 limit a minute: users.lookupByEmail, conversations.open, "
        "conversations.history, chat.update (default 50, Slack's)",
    )
    add(
        "--post-per-minute",
        type=int,
        default=SLACK_LIMITS[POST].calls,
        help="the fake's workspace-wide chat.postMessage limit a minute (default 300: Slack says "
        "'several hundred')",
    )
    add(
        "--per-conversation",
        type=per_conversation,
        default=PER_CONVERSATION,
        metavar="CALLS/SECONDS",
        help="the fake's chat.postMessage limit per conversation (default 3/3: about one a "
        "second, short bursts)",
    )
    add(
        "--reactive",
        action="store_true",
        help="the sender without its paces: it only waits after 429s (to see why it paces)",
    )
    add(
        "--sender-tier3",
        type=float,
        help=f"the sender's pace a minute for its Tier 3 methods (default "
        f"{SLACK_PACES[LOOKUP].per_minute:g}, as shipped)",
    )
    add(
        "--sender-post-per-minute",
        type=float,
        help=f"the sender's pace a minute for chat.postMessage (default "
        f"{SLACK_PACES[POST].per_minute:g}, as shipped)",
    )
    add(
        "--max-wait",
        type=float,
        default=MAX_WAIT_SECONDS,
        help=f"the sender's longest wait for turns before it requeues (default "
        f"{MAX_WAIT_SECONDS:g} s)",
    )
    add("--batch", type=int, default=20, help="items the worker claims at a time (default 20)")
    add(
        "--alerts",
        type=int,
        default=5,
        help="urgent misuse-report alerts queued during the campaign (default 5)",
    )
    add(
        "--alert-every",
        type=float,
        default=300.0,
        help="simulated seconds between them (default 300)",
    )
    add(
        "--postgres",
        nargs="?",
        const=POSTGRES,
        metavar="ADMIN_URL",
        help=f"a fresh PostgreSQL database on this server instead of SQLite ({POSTGRES})",
    )
    add("--json", type=Path, help="also write the results to this JSON file")
    add("--deadline", type=float, default=1800.0, help="give up after this many wall seconds")
    add("--keep", action="store_true", help="keep the temporary directory (directory, database)")
    add("-v", "--verbose", action="store_true", help="log the worker's and the gate's INFO lines")
    args = parser.parse_args(argv)
    if args.quick:
        args.staff = 300
    if args.staff < 1 or args.speed <= 0:
        parser.error("--staff must be at least 1 and --speed above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    args.workdir = tempfile.mkdtemp(prefix="policybot-campaign-")
    drop = None
    database = "PostgreSQL" if args.postgres else "SQLite"
    try:
        url, drop = database_for(args)
        with FakeSlack(bot_token=TOKEN) as fake:
            outcome = asyncio.run(deliver(args, fake, url))
    except Exception as error:
        print(f"benchmark failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    finally:
        if drop is not None:
            drop()
        if args.keep:
            print(f"kept {args.workdir}")
        else:
            shutil.rmtree(args.workdir, ignore_errors=True)
    print_outcome(outcome, args, database)
    if args.json:
        write_json(args.json, outcome, args, database)
        print(f"wrote {args.json}")
    return 0 if outcome.sent_twice == 0 and outcome.lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
