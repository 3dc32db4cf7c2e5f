# Ack latency benchmark: /report-misuse, the report and post request modals' submissions, ours
# beside a bare Bolt app.
"""Measures how long Slack waits for policybot's ack, next to a bare Bolt app that only acks.

    .venv/bin/python bench/ack_latency.py [--concurrency 50] [--rounds 20] [--json FILE]
                                          [--kinds command view_submission post_submission]

It starts the fake Slack Web API (tests/fakes), the real server (`python -m bot serve`, through
tests/e2e/harness.BotServer, with the production defaults of bot/settings.py) and bench/bare_app.py,
all on 127.0.0.1. For each kind of request (the /report-misuse slash command, the report modal's
submission, the /request-post modal's submission; `--kinds` picks some) it runs rounds; a round
sends `concurrency` signed requests to each app, interleaved (ours, bare, ours, bare ...; the first
app alternates per round) and all in flight together. Every submission is a distinct modal, so
each one writes a real report or post request before the ack. It prints p50/p99/max per kind and
app, the ratio of the p99s, whether the target is met, and the servers' resident memory.
Exit status: 0 when every target is met, 1 when one is missed, 2 when the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/ack_latency.py` puts bench/, not the root, first
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bot.directory import Account, Directory, load_directory  # noqa: E402
from bot.posts.form import default_publish_time, request_form  # noqa: E402
from bot.reports.form import report_form  # noqa: E402
from bot.reports.front import COMMAND as REPORT_COMMAND  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.slack.render import modal  # noqa: E402
from tests.e2e.harness import SAMPLE, SECRET, TOKEN, BotServer, free_port, seed_users  # noqa: E402
from tests.fakes.slack_api import APP_ID, BOT_ID, FakeSlack  # noqa: E402
from tests.fakes.slack_requests import SlackRequests  # noqa: E402

KINDS = ("command", "view_submission", "post_submission")
SUBMISSIONS = {"view_submission": "misuse_report", "post_submission": "post_request"}  # kind: table
APPS = ("ours", "bare")
TARGET_RATIO = 1.5  # ours' p99 at most this times the bare app's
TARGET_MAX_MS = 3000.0  # Slack gives up on an ack after 3 s
# The settings the test harness shortens for speed, put back to bot/settings.py's defaults.
PRODUCTION_DEFAULTS = (
    "outbox_poll_seconds",
    "outbox_retry_base_seconds",
    "outbox_retry_max_seconds",
    "outbox_lease_seconds",
    "scheduler_tick_seconds",
    "log_level",
)


class Built(NamedTuple):
    """A request body as Slack would send it, before signing."""

    body: str
    content_type: str


class PayloadBuilder(SlackRequests):
    """SlackRequests' payload building without the sending: `post` returns the unsigned body."""

    def post(self, body: str | bytes, content_type: str, **_kw: Any) -> Any:  # type: ignore[override]
        return Built(body.decode() if isinstance(body, bytes) else body, content_type)


@dataclass
class Sample:
    app: str
    kind: str
    ms: float
    problem: str | None = None


@dataclass
class Row:
    kind: str
    app: str
    n: int
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    ratio_p99: float | None = None
    target_met: bool | None = None


@dataclass
class Outcome:
    rows: list[Row] = field(default_factory=list)
    rss_mb: dict[str, float] = field(default_factory=dict)
    reports_recorded: int = 0
    reports_expected: int = 0
    posts_recorded: int = 0
    posts_expected: int = 0

    def records_match(self) -> bool:
        """Each submission to ours made exactly one record."""
        return (
            self.reports_recorded == self.reports_expected
            and self.posts_recorded == self.posts_expected
        )


def production_env() -> dict[str, str]:
    """The server settings at their shipped defaults (the harness shortens them for tests)."""
    fields = Settings.model_fields
    return {
        name.upper(): str(fields[name].default) for name in PRODUCTION_DEFAULTS if name in fields
    }


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the nearest ranks."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak resident) of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def wait_healthy(
    url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not become healthy in {timeout:.0f} s")


def staff_reporters(directory: Directory) -> list[str]:
    """Every member of staff of every site (school staff and hub staff), in file order."""
    seen: dict[str, None] = {}
    for site in directory.sites:
        for email in site.staff:
            seen.setdefault(email, None)
    return list(seen)


def post_accounts(directory: Directory, email: str) -> list[Account]:
    """The accounts the post request form offers this person (bot.posts.service.accounts_for's
    rule over the directory's accounts): those of their sites and the Trust's."""
    sites = {site.id for site in directory.sites_of(email)} | {"trust"}
    return [account for account in directory.accounts if account.site in sites]


def school_posters(directory: Directory) -> dict[str, str]:
    """Staff of every school with an official account, in file order, each with the account
    they post on: their (first) school's first account, such as willow-x for Willow's staff."""
    found: dict[str, str] = {}
    for site in directory.schools():
        accounts = directory.accounts_of(site.id)
        for email in site.staff if accounts else ():
            found.setdefault(email, accounts[0].id)
    return found


class Requests:
    """Builds the benchmark's requests with the test helpers' payload code."""

    def __init__(self, fake: FakeSlack, directory: Directory, ids: dict[str, str]) -> None:
        self.builder = PayloadBuilder("http://127.0.0.1", SECRET, fake=fake)
        self.directory, self.ids = directory, ids
        self.reporters = staff_reporters(directory)
        self.views = {email: modal(report_form(directory, email)) for email in self.reporters}
        self.happened_on = (date.today() - timedelta(days=3)).isoformat()
        self.posters = school_posters(directory)
        # As the bot renders it; the default publish time is the bot's (tomorrow 09:00 local).
        zone = ZoneInfo(str(Settings.model_fields["timezone"].default))
        default_time = default_publish_time(datetime.now(UTC), zone)
        self.post_views = {
            email: modal(
                request_form(post_accounts(directory, email), directory, default_time=default_time)
            )
            for email in self.posters
        }
        self.n = 0

    def close(self) -> None:
        self.builder.close()

    def people(self, kind: str) -> list[str]:
        """Who sends this kind: school staff with accounts for post requests, else all staff."""
        return list(self.posters) if kind == "post_submission" else self.reporters

    def reporter(self, kind: str, number: int) -> str:
        """The senders of a kind take turns."""
        people = self.people(kind)
        return people[number % len(people)]

    def command(self, email: str) -> Built:
        built = self.builder.command(self.ids[email], REPORT_COMMAND)
        assert isinstance(built, Built)
        return built

    def view_submission(self, email: str) -> Built:
        """A distinct report modal (its own view id), filled in as a person would."""
        self.n += 1
        n = self.n
        view = self._as_slack_sends(self.views[email], f"VBENCH{n:06d}")
        answers = {
            "category": "pupil_misuse",
            "subject_name": f"A pupil in Year {n % 6 + 1}",
            "platform": "Instagram",
            "happened_on": self.happened_on,
            "description": f"Unkind posts about a pupil (benchmark report {n}).",
        }
        built = self.builder.view_submission(self.ids[email], view, answers)
        assert isinstance(built, Built)
        return built

    def post_submission(self, email: str) -> Built:
        """A distinct post request modal (its own view id), filled in as a person would, for
        their school's account."""
        self.n += 1
        n = self.n
        view = self._as_slack_sends(self.post_views[email], f"VBENCH{n:06d}")
        answers: dict[str, Any] = {
            "account": self.posters[email],
            "objective": "event",
            "text": f"Sports day on Friday (benchmark post {n}).",
            "publish_at": int(time.time()) + 3 * 86400,
            "shows": "none",
            "confirmations": ["content", "device", "no_other_id"],
        }
        built = self.builder.view_submission(self.ids[email], view, answers)
        assert isinstance(built, Built)
        return built

    def _as_slack_sends(self, view: dict[str, Any], view_id: str) -> dict[str, Any]:
        """The opened view as Slack keeps it (the fields the fake's views.open adds)."""
        stored = {"id": view_id, "team_id": self.builder.team_id, "app_id": APP_ID}
        stored |= {"bot_id": BOT_ID, "private_metadata": "", "external_id": ""}
        stored |= {"clear_on_close": False, "notify_on_close": False, "state": {"values": {}}}
        stored |= {"root_view_id": view_id, "previous_view_id": None, **copy.deepcopy(view)}
        return stored | {"hash": f"{int(time.time())}.{view_id}"}


Check = Callable[[httpx.Response], str | None]


def check_ok(response: httpx.Response) -> str | None:
    return None if response.status_code == 200 else f"HTTP {response.status_code}"


def check_report_sent(response: httpx.Response) -> str | None:
    """Ours must answer the submission with the "Report sent" notice (a real record made)."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        answer = response.json()
    except ValueError:
        return "not JSON"
    title = ((answer.get("view") or {}).get("title") or {}).get("text")
    if answer.get("response_action") != "update" or title != "Report sent":
        return f"unexpected answer: {json.dumps(answer)[:200]}"
    return None


def check_post_sent(response: httpx.Response) -> str | None:
    """Ours must answer the post request with the "Sent for approval" notice naming its PR- ref."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        answer = response.json()
    except ValueError:
        return "not JSON"
    blocks = (answer.get("view") or {}).get("blocks") or []
    text = " ".join(str((block.get("text") or {}).get("text", "")) for block in blocks)
    if answer.get("response_action") != "update" or "PR-" not in text:
        return f"unexpected answer: {json.dumps(answer)[:200]}"
    return None


CHECKS: dict[tuple[str, str], Check] = {
    ("command", "ours"): check_ok,
    ("command", "bare"): check_ok,
    ("view_submission", "ours"): check_report_sent,
    ("view_submission", "bare"): check_ok,
    ("post_submission", "ours"): check_post_sent,
    ("post_submission", "bare"): check_ok,
}


async def fire(
    client: httpx.AsyncClient,
    verifier: SignatureVerifier,
    url: str,
    app: str,
    kind: str,
    built: Built,
) -> Sample:
    """Send one signed request; the time is from the send to the complete response."""
    ts = str(int(time.time()))
    headers = {"Content-Type": built.content_type, "X-Slack-Request-Timestamp": ts}
    headers["X-Slack-Signature"] = verifier.generate_signature(timestamp=ts, body=built.body)
    content = built.body.encode()
    start = time.perf_counter()
    try:
        response = await client.post(url, content=content, headers=headers)
        ms = (time.perf_counter() - start) * 1000
        problem = CHECKS[(kind, app)](response)
    except httpx.HTTPError as error:
        ms = (time.perf_counter() - start) * 1000
        problem = f"{type(error).__name__}: {error}"
    return Sample(app, kind, ms, problem)


class Bench:
    def __init__(self, args: argparse.Namespace, urls: dict[str, str], requests: Requests) -> None:
        self.args, self.urls, self.requests = args, urls, requests
        self.verifier = SignatureVerifier(SECRET)
        self.samples: list[Sample] = []
        self.submissions_to_ours: Counter[str] = Counter()  # by kind
        self.pairs = 0

    def build(self, kind: str, app: str, email: str) -> Built:
        if kind == "command":
            return self.requests.command(email)
        if app == "ours":
            self.submissions_to_ours[kind] += 1
        if kind == "post_submission":
            return self.requests.post_submission(email)
        return self.requests.view_submission(email)

    async def burst(
        self, client: httpx.AsyncClient, kind: str, per_app: int, first: int
    ) -> list[Sample]:
        """`per_app` requests to each app, interleaved, all in flight together."""
        order = APPS if first == 0 else APPS[::-1]
        jobs: list[Awaitable[Sample]] = []
        for _ in range(per_app):
            self.pairs += 1
            email = self.requests.reporter(kind, self.pairs)  # the same person to both apps
            for app in order:
                built = self.build(kind, app, email)
                jobs.append(fire(client, self.verifier, self.urls[app], app, kind, built))
        return list(await asyncio.gather(*jobs))

    async def warm_up(self, client: httpx.AsyncClient) -> None:
        """Bolt calls auth.test on its first request; every reporter is seen once by ours."""
        for kind in self.args.kinds:
            everyone = len(self.requests.people(kind))
            for per_app in (1, 2, *[5] * -(-everyone // 5)):
                for sample in await self.burst(client, kind, per_app, 0):
                    if sample.problem:
                        raise RuntimeError(f"warm-up {kind} to {sample.app}: {sample.problem}")
        await asyncio.sleep(self.args.pause + 1)

    async def run(self) -> None:
        limit = 4 * self.args.concurrency
        limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
        timeout = httpx.Timeout(self.args.request_timeout)
        async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
            await self.warm_up(client)
            for kind in self.args.kinds:
                for number in range(self.args.rounds):
                    started = time.perf_counter()
                    found = await self.burst(client, kind, self.args.concurrency, number % 2)
                    self.samples += found
                    if self.args.verbose:
                        worst = max(s.ms for s in found)
                        took = time.perf_counter() - started
                        print(f"  {kind} round {number + 1}: {took:.2f} s, slowest {worst:.0f} ms")
                    await asyncio.sleep(self.args.pause)
                await asyncio.sleep(self.args.pause + 1)

    def rows(self) -> list[Row]:
        rows = []
        for kind in self.args.kinds:
            found = {}
            for app in APPS:
                mine = [s for s in self.samples if s.kind == kind and s.app == app]
                ms = sorted(s.ms for s in mine)
                errors = sum(1 for s in mine if s.problem)
                found[app] = Row(
                    kind, app, len(ms), errors, percentile(ms, 50), percentile(ms, 99), ms[-1]
                )
            ours, bare = found["ours"], found["bare"]
            ours.ratio_p99 = ours.p99_ms / bare.p99_ms
            ours.target_met = (
                ours.p99_ms <= TARGET_RATIO * bare.p99_ms
                and ours.max_ms < TARGET_MAX_MS
                and ours.errors == 0
            )
            rows += [ours, bare]
        return rows

    def problems(self, limit: int = 5) -> list[str]:
        return [f"{s.kind} to {s.app}: {s.problem}" for s in self.samples if s.problem][:limit]


def print_table(outcome: Outcome, args: argparse.Namespace) -> None:
    head = (
        "kind",
        "app",
        "n",
        "errors",
        "p50 ms",
        "p99 ms",
        "max ms",
        "p99 ours/bare",
        "target met",
    )
    lines = [head]
    for row in outcome.rows:
        ratio = f"{row.ratio_p99:.2f}x" if row.ratio_p99 is not None else ""
        met = "" if row.target_met is None else ("yes" if row.target_met else "NO")
        lines.append(
            (
                row.kind,
                row.app,
                str(row.n),
                str(row.errors),
                f"{row.p50_ms:.1f}",
                f"{row.p99_ms:.1f}",
                f"{row.max_ms:.1f}",
                ratio,
                met,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    print(
        f"\nack latency at {args.concurrency} concurrent requests per app, {args.rounds} rounds "
        f"per kind, {os.cpu_count()} CPUs, ours on {database(args)}\n(target: ours' p99 <= "
        f"{TARGET_RATIO}x bare's p99, no ack later than {TARGET_MAX_MS / 1000:.0f} s, no errors)"
    )
    for number, line in enumerate(lines):
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        print("  ".join(cells).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))
    rss = outcome.rss_mb
    print(
        f"\nresident memory after the run: ours {rss['ours_rss']:.1f} MB "
        f"(peak {rss['ours_peak']:.1f} MB), bare app {rss['bare_rss']:.1f} MB "
        f"(peak {rss['bare_peak']:.1f} MB)"
    )
    kinds = args.kinds
    if "view_submission" in kinds:
        print(
            f"reports recorded by ours: {outcome.reports_recorded} "
            f"(expected {outcome.reports_expected})"
        )
    if "post_submission" in kinds:
        print(
            f"post requests recorded by ours: {outcome.posts_recorded} "
            f"(expected {outcome.posts_expected})"
        )


def database(args: argparse.Namespace) -> str:
    return "PostgreSQL" if args.postgres else "SQLite"


def write_json(path: Path, outcome: Outcome, args: argparse.Namespace) -> None:
    data = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "kinds": list(args.kinds),
            "pause_seconds": args.pause,
            "database": database(args),
            "server_env": production_env(),
        },
        "target": {"p99_ratio_at_most": TARGET_RATIO, "max_ms_below": TARGET_MAX_MS},
        "results": [asdict(row) for row in outcome.rows],
        "target_met": all(r.target_met for r in outcome.rows if r.target_met is not None),
        "rss_mb": outcome.rss_mb,
        "reports_recorded": outcome.reports_recorded,
        "reports_expected": outcome.reports_expected,
        "posts_recorded": outcome.posts_recorded,
        "posts_expected": outcome.posts_expected,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def start_bare(api_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    command = [
        sys.executable,
        str(ROOT / "bench" / "bare_app.py"),
        "--port",
        str(port),
        "--secret",
        SECRET,
        "--token",
        TOKEN,
        "--api-url",
        api_url,
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, "the bare app")
    except RuntimeError:
        stop_process(process)
        raise
    return process, url


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def fresh_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    """A new, migrated PostgreSQL database (made as the integration tests do), and its dropper."""
    from storage.migrate import upgrade
    from tests.integration.conftest import fresh_postgres

    url, drop = fresh_postgres(admin_url)
    try:
        upgrade(url)
    except BaseException:
        drop()  # type: ignore[operator]
        raise
    return url, drop  # type: ignore[return-value]


def measure(args: argparse.Namespace, workdir: Path) -> Outcome:
    database_url, drop = fresh_database(args.postgres) if args.postgres else (None, None)
    try:
        return _measure(args, workdir, database_url)
    finally:
        if drop is not None:
            drop()


def _measure(args: argparse.Namespace, workdir: Path, database_url: str | None) -> Outcome:
    outcome = Outcome()
    with FakeSlack(bot_token=TOKEN) as fake:
        ids = seed_users(fake, SAMPLE)
        server = BotServer(workdir, fake, database_url=database_url, extra_env=production_env())
        bare: subprocess.Popen[bytes] | None = None
        requests = Requests(fake, load_directory(SAMPLE), ids)
        try:
            server.start()
            assert server.process is not None
            bare, bare_url = start_bare(fake.api_url, workdir / "bare.log")
            urls = {"ours": server.url + "/slack/events", "bare": bare_url + "/slack/events"}
            bench = Bench(args, urls, requests)

            def records() -> dict[str, int]:
                return {
                    kind: int(str(server.scalar(f"SELECT count(*) FROM {table}")))
                    for kind, table in SUBMISSIONS.items()
                }

            before = records()
            asyncio.run(asyncio.wait_for(bench.run(), args.deadline))
            outcome.rows = bench.rows()
            ours, theirs = memory_mb(server.process.pid), memory_mb(bare.pid)
            outcome.rss_mb = {
                "ours_rss": ours["VmRSS"],
                "ours_peak": ours["VmHWM"],
                "bare_rss": theirs["VmRSS"],
                "bare_peak": theirs["VmHWM"],
            }
            after = records()
            made = {kind: after[kind] - before[kind] for kind in SUBMISSIONS}
            outcome.reports_recorded = made["view_submission"]
            outcome.reports_expected = bench.submissions_to_ours["view_submission"]
            outcome.posts_recorded = made["post_submission"]
            outcome.posts_expected = bench.submissions_to_ours["post_submission"]
            for problem in bench.problems():
                print("error:", problem, file=sys.stderr)
        except BaseException:
            for log in (server.log_file, workdir / "bare.log"):
                if log.exists():
                    tail = log.read_text(errors="replace").splitlines()[-30:]
                    print(f"{log}, last lines:", *tail, sep="\n", file=sys.stderr)
            raise
        finally:
            if bare is not None:
                stop_process(bare)
            server.stop()
            requests.close()
    return outcome


POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"  # as tests/integration use


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=50,
        help="requests in flight to each app at once (default 50)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=20,
        help="rounds per kind of request (default 20: 1,000 requests per kind per app)",
    )
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=KINDS,
        default=list(KINDS),
        metavar="KIND",
        help=f"the kinds of request to measure, in this order (default all: {' '.join(KINDS)})",
    )
    parser.add_argument(
        "--pause", type=float, default=0.5, help="seconds between rounds (default 0.5)"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=POSTGRES,
        metavar="ADMIN_URL",
        help="run ours on a fresh PostgreSQL database, made (and dropped afterwards) on this "
        f"server, instead of SQLite (default server: {POSTGRES})",
    )
    parser.add_argument("--request-timeout", type=float, default=10.0)
    parser.add_argument(
        "--deadline",
        type=float,
        default=900.0,
        help="give up after this many seconds (default 900)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (server log, database)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print each round")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.rounds < 1:
        parser.error("--concurrency and --rounds must be at least 1")
    args.kinds = list(dict.fromkeys(args.kinds))  # each kind once
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="policybot-bench-"))
    try:
        outcome = measure(args, workdir)
    except Exception as error:
        print(f"benchmark failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(outcome, args)
    if args.keep:
        print(f"kept {workdir} (server.log, bare.log, policybot.db)")
    if args.json:
        write_json(args.json, outcome, args)
        print(f"wrote {args.json}")
    met = all(row.target_met for row in outcome.rows if row.target_met is not None)
    return 0 if met and outcome.records_match() else 1


if __name__ == "__main__":
    sys.exit(main())
