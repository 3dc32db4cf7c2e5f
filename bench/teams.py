# Teams latency benchmark: a message activity and an adaptiveCard/action invoke, policybot beside
# a bare Agents SDK app that only replies, interleaved in one run.
"""How long Teams waits for policybot's answer at 50 concurrent requests:

    .venv/bin/python bench/teams.py [--concurrency 50] [--rounds 10] [--json FILE]

It starts a fake Bot Connector (tests/fakes/bot_connector.py), the real server (`python -m bot
serve` through tests/e2e/harness.BotServer, Teams only, anonymous, with the production defaults
of the outbox and scheduler) and bench/teams_bare.py, all on 127.0.0.1. Two kinds:

* `message`: "help" from a member of staff; policybot resolves the person, keeps the
  conversation reference and replies with the help card through the connector; the bare app
  replies "Hello.". The SDK answers a message's POST only after the turn, reply included.
* `action`: an Action.Execute click on a report card's Acknowledge for a report that does not
  exist: policybot resolves the person, runs the flow (a database read) and answers with the
  refusal card; the bare app answers with a one-line card.

Each round sends `concurrency` requests to each app, interleaved (ours, bare, ...; the first
app alternates per round), all in flight together, from as many different people. A warm-up
round is not counted. It prints p50/p99/max per kind and app and the ratio of the p99s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bot.directory import load_directory  # noqa: E402
from tests.e2e.harness import SAMPLE, BotServer, free_port  # noqa: E402
from tests.fakes.bot_connector import FakeBotConnector  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.fakes.teams_requests import TeamsRequests  # noqa: E402

KINDS = ("message", "action")
APPS = ("ours", "bare")
PRODUCTION = {
    "OUTBOX_POLL_SECONDS": "1",
    "OUTBOX_RETRY_BASE_SECONDS": "5",
    "OUTBOX_RETRY_MAX_SECONDS": "900",
    "OUTBOX_LEASE_SECONDS": "60",
    "SCHEDULER_TICK_SECONDS": "60",
    "LOG_LEVEL": "WARNING",
}


def start_bare(port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "teams_bare.py"), "--port", str(port)],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"the bare app did not start:\n{log.read_text()}")


def activity(requests: TeamsRequests, kind: str, email: str) -> dict[str, Any]:
    user = requests.connector.user(email)
    if kind == "message":
        return requests.activity(user, "message", text="help", textFormat="plain")
    value = {
        "action": {"type": "Action.Execute", "verb": "report_acknowledge"}
        | {"data": {"value": "MR-1999-0001"}},
        "trigger": "manual",
    }
    return requests.activity(user, "invoke", name="adaptiveCard/action", value=value)


async def one(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    response = await client.post(url, json=body)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code not in (200, 202):
        raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:200]}")
    return elapsed


async def round_of(
    client: httpx.AsyncClient,
    urls: dict[str, str],
    requests: TeamsRequests,
    kind: str,
    people: list[str],
    first: str,
) -> dict[str, list[float]]:
    order = [first, *[a for a in APPS if a != first]]
    jobs: list[tuple[str, Any]] = []
    for email in people:
        for app in order:
            jobs.append((app, one(client, urls[app], activity(requests, kind, email))))
    times = await asyncio.gather(*(job for _, job in jobs))
    found: dict[str, list[float]] = {app: [] for app in APPS}
    for (app, _), took in zip(jobs, times, strict=True):
        found[app].append(took)
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def measure(
    urls: dict[str, str], requests: TeamsRequests, people: list[str], rounds: int
) -> dict[str, dict[str, list[float]]]:
    limits = httpx.Limits(max_connections=2 * len(people) + 10)
    results = {kind: {app: [] for app in APPS} for kind in KINDS}
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        for kind in KINDS:  # warm-up: people resolved, connections open
            await round_of(client, urls, requests, kind, people, "ours")
        for number in range(rounds):
            for kind in KINDS:
                first = APPS[number % 2]
                found = await round_of(client, urls, requests, kind, people, first)
                for app in APPS:
                    results[kind][app] += found[app]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-teams-"))
    directory = load_directory(SAMPLE)
    staff = [p.email for p in directory.people]
    people = [staff[i % len(staff)] for i in range(args.concurrency)]
    with FakeSlack(bot_token="xoxb-unused") as slack, FakeBotConnector() as connector:
        for person in directory.people:
            connector.add_user(person.email, person.name)
        env = connector.env() | PRODUCTION
        server = BotServer(work, slack, extra_env=env, slack=False).start()
        bare_port = free_port()
        bare = start_bare(bare_port, work / "bare.log")
        try:
            urls = {"ours": server.url + "/api/messages"}
            urls["bare"] = f"http://127.0.0.1:{bare_port}/api/messages"
            requests = TeamsRequests(server.url, connector)
            results = asyncio.run(measure(urls, requests, people, args.rounds))
        finally:
            bare.terminate()
            server.stop()
    report: dict[str, Any] = {
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "kinds": {},
    }
    print(f"{'kind':8} {'app':5} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in KINDS:
        row: dict[str, Any] = {}
        for app in APPS:
            values = results[kind][app]
            p50, p99 = statistics.median(values), percentile(values, 0.99)
            row[app] = {"n": len(values), "p50": p50, "p99": p99, "max": max(values)}
            print(f"{kind:8} {app:5} {len(values):5d} {p50:8.1f} {p99:8.1f} {max(values):8.1f}")
        row["p99_ratio"] = row["ours"]["p99"] / row["bare"]["p99"]
        print(f"{kind:8} p99 ours/bare: {row['p99_ratio']:.2f}")
        report["kinds"][kind] = row
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
