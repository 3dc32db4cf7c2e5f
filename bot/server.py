# The wiring: builds the database, directory, channels, outbox worker and scheduler into one
# aiohttp application (`create_app`). The only module, with the CLI, that knows every part.
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bot.abuse.jobs import abuse_escalations, abuse_screenshots
from bot.channels import ChatRouter
from bot.clock import Clock, SystemClock
from bot.declarations.jobs import declaration_reminders
from bot.delivery import Sender
from bot.desk import desk
from bot.directory import DirectoryFile
from bot.files import FileFetcher
from bot.network.jobs import network_upkeep
from bot.outbox import RetryPolicy
from bot.oversight.jobs import weekly_digests
from bot.policy.jobs import policy_ack_nudges, policy_review_reminders
from bot.posts.jobs import post_deadlines
from bot.posts.screening import DEFAULT_POLITICAL_TERMS
from bot.retention.jobs import retention_job
from bot.retention.service import RetentionPolicy
from bot.services import Services
from bot.settings import TEAMS_PREFIX, Settings, parse_working_days, parse_working_hours
from bot.tasks.jobs import daily_tasks
from bot.training.jobs import training_nudges
from bot.working_time import WorkingHours
from handlers.graph import GraphApp
from handlers.mail import build_graph, build_mailer
from scheduler.jobs import build_scheduler, report_deadlines, run_job
from scheduler.leader import Leader, lease_ttl
from scheduler.outbox_worker import OutboxWorker
from scheduler.periods import Period, Periodic
from storage import migrate
from storage.engine import create_engine, is_sqlite, session_factory
from storage.identities import SqlIdentities
from storage.leases import SqlJobLeases, SqlJobRuns
from storage.outbox import OutboxQueue
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)
MAILERS = {"graph": "e-mail via Microsoft Graph", "smtp": "e-mail via SMTP"}
RUNTIME = web.AppKey("runtime", "Runtime")
RETENTION_FROM = time(2)  # local time the nightly retention run may start


class NotMigrated(Exception):
    """The PostgreSQL database is behind this code: run `policybot db upgrade`."""


@dataclass
class Runtime:
    """Everything the running server holds, for shutdown and for /healthz."""

    settings: Settings
    services: Services
    worker: OutboxWorker
    queue: OutboxQueue
    engine: Any
    leader: Leader
    periodic: Periodic
    slack: Any = None
    teams: Any = None
    screenshots: Callable[[Services], Awaitable[int]] = abuse_screenshots
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    scheduler: Any = None


class Soon:
    """Work started after an answer has gone (fetching a file just given), kept referenced
    until done; a failure is logged, and the scheduler's own run of the same job catches up."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def run(self, name: str, work: Callable[[], Awaitable[int]]) -> None:
        task = asyncio.get_running_loop().create_task(work(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s failed", task.get_name(), exc_info=task.exception())


def one_at_a_time(
    work: Callable[[Services], Awaitable[int]],
) -> Callable[[Services], Awaitable[int]]:
    """`work` that waits for its own run in progress in this process, so the scheduler's run
    and an immediate one do not fetch the same file twice."""
    lock = asyncio.Lock()

    async def run(services: Services) -> int:
        async with lock:
            return await work(services)

    return run


def working_hours(settings: Settings) -> WorkingHours:
    start, end = parse_working_hours(settings.working_hours)
    return WorkingHours(settings.zone, start, end, parse_working_days(settings.working_days))


async def prepare_database(settings: Settings) -> None:
    """SQLite is migrated on start; PostgreSQL must have been (`policybot db upgrade`)."""
    if is_sqlite(settings.database_url):
        await asyncio.to_thread(migrate.upgrade, settings.database_url)
    elif await asyncio.to_thread(migrate.pending, settings.database_url):
        raise NotMigrated("the database needs migrating: run `policybot db upgrade` once")


def create_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    """The whole bot as an aiohttp application: /slack/events, /api/messages, /healthz."""
    clock = clock or SystemClock()
    directory_file = DirectoryFile(settings.directory_file)
    directory_file.current()  # fail now, not at the first message, when the file is wrong
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    queue = OutboxQueue(sessions)
    identities = SqlIdentities(sessions)
    policy = RetryPolicy(
        settings.outbox_max_attempts,
        settings.outbox_retry_base_seconds,
        settings.outbox_retry_max_seconds,
    )
    worker_ref: list[OutboxWorker] = []
    fetchers: dict[str, FileFetcher] = {}  # each channel's, once built below
    soon = Soon()
    screenshots = one_at_a_time(abuse_screenshots)  # the job, and right after a file is given
    services = Services(
        directory_file=directory_file,
        uow=lambda: SqlUnitOfWork(sessions, clock),
        clock=clock,
        hours=working_hours(settings),
        ack_hours=settings.report_ack_hours,
        wake_outbox=lambda: worker_ref[0].wake(),
        political_terms=settings.political_term_list or DEFAULT_POLITICAL_TERMS,
        mail_on=settings.mailer is not None,
        abuse_escalate_days=settings.abuse_escalate_days,
        fetchers=fetchers,
        fetch_files=lambda: soon.run(
            "abuse screenshots",
            lambda: run_job(
                "abuse screenshots", lambda: screenshots(services), services.wake_outbox
            ),
        ),
        network_remind_days=settings.network_remind_days,
    )
    app = web.Application(client_max_size=256 * 1024)
    slack = None
    if settings.slack_enabled:
        from handlers.slack.app import build_slack

        slack = build_slack(settings, services, identities, clock, desk())
        fetchers["slack"] = slack.files
        from handlers.slack.endpoint import slack_endpoint

        app.router.add_post(
            "/slack/events", slack_endpoint(slack.app, settings.slack_signing_secret or "")
        )
    graph = build_graph(settings)  # one token cache for mail and the Teams look-ups
    teams = (
        _teams(settings, services, identities, clock, queue, worker_ref, graph)
        if settings.teams_enabled
        else None
    )
    if teams is not None:
        fetchers["teams"] = teams.files
        from handlers.teams.endpoint import teams_endpoint

        app.router.add_post(
            "/api/messages", teams_endpoint(teams, jwks_url=settings.teams_jwks_url)
        )
    else:
        app.router.add_post("/api/messages", teams_off)
    senders: dict[str, Sender] = {}
    chat = {name: front.sender for name, front in (("slack", slack), ("teams", teams)) if front}
    if teams is not None:
        senders["chat"] = ChatRouter(chat, lambda: services.directory, identities)
    elif slack is not None:
        senders["chat"] = slack.sender
    mailer = build_mailer(settings, graph)
    if mailer is not None:
        senders["email"] = mailer
    worker = OutboxWorker(
        queue,
        senders,
        clock=clock,
        policy=policy,
        poll_seconds=settings.outbox_poll_seconds,
        lease_seconds=settings.outbox_lease_seconds,
    )
    worker_ref.append(worker)
    leader = Leader(SqlJobLeases(sessions), clock, ttl=lease_ttl(settings.scheduler_tick_seconds))
    periodic = Periodic(SqlJobRuns(sessions), clock, settings.zone)
    app[RUNTIME] = Runtime(
        settings, services, worker, queue, engine, leader, periodic, slack, teams, screenshots
    )
    app.router.add_get("/healthz", healthz)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
    return app


def _teams(
    settings: Settings,
    services: Services,
    identities: SqlIdentities,
    clock: Clock,
    queue: OutboxQueue,
    worker_ref: list[OutboxWorker],
    graph: GraphApp | None,
) -> Any:
    """The Teams front end, serving the whole bot's desk with Adaptive Cards."""
    from handlers.teams import cards
    from handlers.teams.app import build_teams

    async def resume(email: str) -> None:
        if await queue.resume(email, clock.now()):
            worker_ref[0].wake()

    return build_teams(
        settings,
        services,
        identities,
        clock,
        desk=desk(),
        cards=cards,
        resume=resume,
        current_card=queue.current_message,
        find_user=graph.user_object_id if graph else None,
    )


async def _start(app: web.Application) -> None:
    runtime = app[RUNTIME]
    await prepare_database(runtime.settings)
    runtime.tasks.append(asyncio.create_task(runtime.worker.run(), name="outbox-worker"))
    if runtime.slack is not None:
        from handlers.slack.scopes import check_scopes

        runtime.tasks.append(asyncio.create_task(check_scopes(runtime.slack.client)))
    services = runtime.services

    async def deadlines() -> int:
        return await report_deadlines(services.uow(), services.report_deps(), services.wake_outbox)

    def job(name: str, work: Callable[[Services], Awaitable[int]]) -> Callable[[], Awaitable[int]]:
        async def run() -> int:  # a coroutine function, so APScheduler awaits it
            return await run_job(name, lambda: work(services), services.wake_outbox)

        return run

    def once_per(
        period: Period,
        name: str,
        work: Callable[[Services, str], Awaitable[int]],
        not_before: time | None = None,
    ) -> Callable[[], Awaitable[int]]:
        """A job run at most once per day or week (scheduler.periods), from `not_before`
        (local time; default: once working hours have begun); `work` gets the period key."""

        async def run(key: str) -> int:
            return await run_job(name, lambda: work(services, key), services.wake_outbox)

        start = not_before or services.hours.start
        return runtime.periodic.run_once_per(period, name, run, not_before=start)

    # Every job runs at each tick, and only in the replica that holds its lease.
    jobs: dict[str, Callable[[], Awaitable[int]]] = {
        "report_deadlines": deadlines,
        "post_deadlines": job("post deadlines", post_deadlines),
        "daily_tasks": job("daily tasks", daily_tasks),
        "declaration_reminders": job("declaration reminders", declaration_reminders),
        "training_nudges": job("training nudges", training_nudges),
        "policy_review_reminders": job("policy review reminders", policy_review_reminders),
        "policy_ack_nudges": job("policy ack nudges", policy_ack_nudges),
        "abuse_escalations": job("abuse log escalations", abuse_escalations),
        "abuse_screenshots": job("abuse screenshots", runtime.screenshots),
        "network_upkeep": job("network request reminders", network_upkeep),
    }
    jobs["retention"] = once_per(  # nightly: from 02:00, or at the first tick after
        "day", "retention", retention_job(retention_policy(runtime.settings)), RETENTION_FROM
    )
    if runtime.settings.weekly_digests:
        jobs["oversight_digests"] = once_per("week", "oversight digests", weekly_digests)
    runtime.scheduler = build_scheduler(
        tick_seconds=runtime.settings.scheduler_tick_seconds,
        jobs={name: runtime.leader.leased(name, work) for name, work in jobs.items()},
    )
    runtime.scheduler.start()
    log.info(
        "scheduler: ticking every %ss as %s",
        runtime.settings.scheduler_tick_seconds,
        runtime.leader.holder,
    )
    log.info("%s", channels_line(runtime.settings))


def retention_policy(settings: Settings) -> RetentionPolicy:
    return RetentionPolicy(
        reports_days=settings.retention_reports_days,
        safeguarding_days=settings.retention_safeguarding_days,
        posts_days=settings.retention_posts_days,
        declarations_days=settings.retention_declarations_days,
        training_days=settings.retention_training_days,
        audit_days=settings.retention_audit_days,
        abuse_log_days=settings.retention_abuse_log_days,
    )


async def _stop(app: web.Application) -> None:
    runtime = app[RUNTIME]
    if runtime.scheduler:
        runtime.scheduler.shutdown(wait=False)
        await runtime.leader.release_all()
    for task in runtime.tasks:
        task.cancel()
    await asyncio.gather(*runtime.tasks, return_exceptions=True)
    if runtime.teams is not None:
        await runtime.teams.connector.close()
    await runtime.engine.dispose()


def channels_line(settings: Settings) -> str:
    """One line saying which channels are on, and how to turn on the others."""
    on = [
        name
        for name, enabled in (("Slack", settings.slack_enabled), ("Teams", settings.teams_enabled))
        if enabled
    ]
    off = []
    if not settings.slack_enabled:
        off.append("Slack is off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)")
    if not settings.teams_enabled:
        off.append(f"Teams is off (set {TEAMS_PREFIX}CLIENTID, CLIENTSECRET and TENANTID)")
    mail = MAILERS.get(
        settings.mailer or "", "e-mail is off (set GRAPH_MAILBOX, or SMTP_HOST and SMTP_FROM)"
    )
    return (
        "channels: "
        + "; ".join(([f"{', '.join(on)} on"] if on else []) + off)
        + ("" if on else "; messages are kept in the outbox until a channel is on")
        + f"; {mail}"
    )


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers and the outbox worker is alive; 503 otherwise."""
    runtime = request.app[RUNTIME]
    body: dict[str, Any] = {
        "channels": {
            "slack": runtime.settings.slack_enabled,
            "teams": runtime.settings.teams_enabled,
        }
    }
    healthy = True
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        body["database"] = "ok"
        body["outbox"] = await runtime.queue.counts()
    except Exception as error:
        body["database"] = f"unreachable ({type(error).__name__})"
        healthy = False
    beat = runtime.worker.last_beat
    stale = timedelta(seconds=max(30.0, 5 * runtime.settings.outbox_poll_seconds))
    alive = beat is not None and runtime.services.clock.now() - beat < stale
    body["worker"] = "ok" if alive else "not running"
    healthy = healthy and alive
    body["status"] = "ok" if healthy else "unhealthy"
    return web.json_response(body, status=200 if healthy else 503)


async def teams_off(request: web.Request) -> web.Response:
    return web.json_response({"error": "Teams is not set up on this server"}, status=503)


def outbox_queue(settings: Settings) -> tuple[OutboxQueue, Any]:
    """The outbox, for the admin commands."""
    engine = create_engine(settings.database_url)
    return OutboxQueue(session_factory(engine)), engine
