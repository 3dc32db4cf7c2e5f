# The `policybot` command line: serve, check, db upgrade, audit verify, outbox, consent and
# training import, exports, retention run (and its dry run), and the Teams app package.
from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot.directory import DirectoryInvalid, check_directory
from bot.settings import MAIL_OFF, Settings, SettingsInvalid, load_settings

if TYPE_CHECKING:
    from bot.audit_chain import Verdict
    from bot.consent.service import ImportSummary
    from bot.exports.person import Bundle
    from bot.exports.screenshots import EvidenceFile
    from bot.exports.service import Export
    from bot.training.importer import ImportSummary as TrainingSummary

log = logging.getLogger("policybot")
T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings(Path(".env"))
    except SettingsInvalid as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo("Run `policybot check` for the full list; see .env.example.", err=True)
        sys.exit(1)


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for noisy in ("apscheduler", "aiohttp.access", "alembic", "slack_bolt", "slack_sdk"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    for leaky in ("aiosqlite", "sqlalchemy.engine", "psycopg"):  # they log SQL values
        logging.getLogger(leaky).setLevel(logging.WARNING)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """policybot: the Trust's social media policy, in Slack and Teams."""


@cli.command()
@click.option(
    "--socket-mode",
    is_flag=True,
    help="Connect to Slack over Socket Mode (needs SLACK_APP_TOKEN); no public URL.",
)
def serve(socket_mode: bool) -> None:
    """Run the web server, the outbox worker and the scheduler in one process."""
    settings = _settings()
    _logging(settings.log_level)
    if socket_mode and not (settings.slack_app_token and settings.slack_enabled):
        click.echo(
            "error: --socket-mode needs SLACK_APP_TOKEN, SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET",
            err=True,
        )
        sys.exit(1)
    from aiohttp import web

    from bot.server import RUNTIME, NotMigrated, create_app

    try:
        app = create_app(settings)
    except DirectoryInvalid as error:
        _print_problems([str(p) for p in error.problems])
        sys.exit(1)
    if socket_mode:
        app.on_startup.append(_socket_mode(settings.slack_app_token or "", RUNTIME))
    log.info(
        "policybot listening on http://%s:%d (directory %s, database %s)",
        settings.host,
        settings.port,
        settings.directory_file,
        settings.database_url.split("://")[0],
    )
    try:
        web.run_app(
            app,
            host=settings.host,
            port=settings.port,
            print=None,
            access_log=None,
            handle_signals=True,
        )
    except NotMigrated as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


def _socket_mode(app_token: str, key: object):  # type: ignore[no-untyped-def]
    async def start(app):  # type: ignore[no-untyped-def]
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(app[key].slack.app, app_token)
        await handler.connect_async()
        log.info("Slack Socket Mode connected")

    return start


@cli.command()
def check() -> None:
    """Check the settings and the directory file; list every problem; exit 1 on any."""
    problems: list[str] = []
    settings: Settings | None = None
    try:
        settings = load_settings(Path(".env"))
    except SettingsInvalid as error:
        problems += [str(p) for p in error.problems]
    directory_path = settings.directory_file if settings else Path("directory.yml")
    problems += [str(p) for p in check_directory(directory_path)]
    if problems:
        _print_problems(problems)
        sys.exit(1)
    assert settings is not None
    from bot.server import channels_line

    click.echo(f"ok: settings and {directory_path} are valid")
    click.echo(channels_line(settings))
    if settings.teams_enabled and settings.teams_anonymous_allowed:
        click.echo(
            "warning: Teams accepts requests without a token "
            "(CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED): for tests only",
            err=True,
        )
    if settings.mailer is None:
        click.echo(f"warning: {MAIL_OFF}", err=True)


@cli.group()
def teams() -> None:
    """Microsoft Teams: the app package."""


@teams.command("package")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("policybot-teams.zip"),
    show_default=True,
    help="Where to write the zip.",
)
@click.option("--website", help="The Trust's website (default: TEAMS_APP_WEBSITE).")
@click.option("--privacy", help="The privacy notice's address (default: the website).")
@click.option("--terms", help="The terms of use's address (default: the website).")
@click.option("--version", "version", default="1.0.0", show_default=True, help="App version.")
def teams_package(
    out: Path, website: str | None, privacy: str | None, terms: str | None, version: str
) -> None:
    """Build the Teams app zip (manifest.json with the bot's id and commands, and icons) to
    upload in Teams admin centre (Manage apps, Upload) or Developer Portal."""
    settings = _settings()
    website = website or settings.teams_app_website
    problems = []
    if not settings.teams_client_id:
        problems.append(
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID is not set: the package "
            "names the bot by its Microsoft App ID (see README, Teams)"
        )
    if not website or not website.startswith("https://"):
        problems.append("give the Trust's website: --website https://... or TEAMS_APP_WEBSITE")
    if problems:
        _print_problems(problems)
        sys.exit(1)
    from bot.desk import desk
    from bot.directory import load_directory
    from handlers.teams.package import AppInfo, package

    trust = load_directory(settings.directory_file).trust.name
    assert settings.teams_client_id and website
    info = AppInfo(settings.teams_client_id, trust, website, privacy, terms, version)
    out.write_bytes(package(info, desk().commands))
    click.echo(f"wrote {out}: upload it in Teams admin centre → Teams apps → Manage apps → Upload")


def _print_problems(problems: list[str]) -> None:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"{len(problems)} problem(s) found.", err=True)


@cli.group()
def db() -> None:
    """Database commands."""


@db.command()
def upgrade() -> None:
    """Apply every migration (needed once per release on PostgreSQL)."""
    settings = _settings()
    from storage.migrate import upgrade as run_upgrade

    run_upgrade(settings.database_url)
    click.echo("database is up to date")


@cli.group()
def audit() -> None:
    """The audit trail: check that no event was changed or removed."""


@audit.command("verify")
def audit_verify() -> None:
    """Walk the hash chain of the audit trail. Exit 0 and say "intact, N events" when every
    event is as written; exit 1 naming the first event changed or removed otherwise."""
    settings = _settings()
    verdict = asyncio.run(_verify_audit(settings))
    if verdict.broken is not None:
        click.echo(f"broken: {verdict.broken.describe()}", err=True)
        sys.exit(1)
    click.echo(f"intact, {verdict.count} events (head {verdict.head_hash[:16]})")


async def _verify_audit(settings: Settings) -> Verdict:
    from bot.server import prepare_database
    from storage.audit import count_events, verify_trail
    from storage.engine import create_engine, session_factory

    await prepare_database(settings)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            total = await count_events(session)
            with click.progressbar(length=total, label="Verifying", file=sys.stderr) as bar:
                return await verify_trail(session, progress=bar.update)
    finally:
        await engine.dispose()


@cli.group()
def outbox() -> None:
    """Look at and retry messages that could not be delivered."""


@outbox.command("list")
def outbox_list() -> None:
    """List dead-lettered messages, and those waiting after a failed try (never their
    content), with the reason."""
    settings = _settings()
    from bot.server import outbox_queue

    async def run() -> None:
        queue, engine = outbox_queue(settings)
        try:
            counts = await queue.counts()
            click.echo(
                "outbox: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "empty")
            )
            for row in await queue.dead():
                click.echo(
                    f"dead #{row.id} to {row.recipient} after {row.attempts} attempt(s): "
                    f"{row.last_error}"
                )
            for row in await queue.waiting():
                click.echo(
                    f"waiting #{row.id} to {row.recipient} after {row.attempts} attempt(s), "
                    f"next try {row.next_attempt_at:%Y-%m-%d %H:%M} UTC: {row.last_error}"
                )
        finally:
            await engine.dispose()

    asyncio.run(run())


@outbox.command("retry")
@click.argument("item_ids", nargs=-1, type=int, required=True)
def outbox_retry(item_ids: tuple[int, ...]) -> None:
    """Queue dead-lettered messages again, by number (see `policybot outbox list`)."""
    settings = _settings()
    from bot.clock import SystemClock
    from bot.server import outbox_queue

    async def run() -> None:
        queue, engine = outbox_queue(settings)
        try:
            for item_id in item_ids:
                done = await queue.retry(item_id, SystemClock().now())
                click.echo(f"#{item_id}: {'queued again' if done else 'not a dead message'}")
        finally:
            await engine.dispose()

    asyncio.run(run())


@cli.group()
def consent() -> None:
    """The pupil photo and video consent register."""


@consent.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "site_id", required=True, help="The school's id in the directory file.")
@click.option("--dry-run", is_flag=True, help="Read and compare the file; change nothing.")
def consent_import(csv_file: Path, site_id: str, dry_run: bool) -> None:
    """Load or update a school's consent register from its MIS export (CSV UTF-8).

    New pupils are added and changed ones get a new version, all at once or not at all.
    Rows that can't be taken are listed with their line numbers; pupils on the register
    who are not in the file are left as they are.
    """
    settings = _settings()
    _print_import(_run_import(_import_consent(settings, csv_file, site_id, dry_run)))


def _run_import(work: Coroutine[Any, Any, T]) -> T:
    """Run an import; on any problem print it in plain words (nothing was changed) and exit 1."""
    from bot.consent.mis_csv import CsvInvalid
    from bot.errors import PolicyError
    from bot.server import NotMigrated

    try:
        return asyncio.run(work)
    except DirectoryInvalid as error:
        _print_problems([str(p) for p in error.problems])
        sys.exit(1)
    except (CsvInvalid, PolicyError, NotMigrated) as error:
        click.echo(f"error: {getattr(error, 'message', error)} Nothing was changed.", err=True)
        sys.exit(1)
    except Exception as error:  # the database: say what, never the values (pupils' names)
        reason = getattr(error, "orig", None) or error
        first_line = (str(reason).splitlines() or ["no detail"])[0]
        click.echo(
            f"error: the import could not be stored ({type(reason).__name__}: {first_line}). "
            "Nothing was changed.",
            err=True,
        )
        sys.exit(1)


def _actor() -> str:
    """Who runs a command, as the audit trail names them."""
    import getpass

    try:
        return f"command line ({getpass.getuser()})"
    except Exception:
        return "command line"


async def _import_consent(
    settings: Settings, path: Path, site_id: str, dry_run: bool
) -> ImportSummary:
    from bot.clock import SystemClock
    from bot.consent.mis_csv import count_rows, read_mis_csv
    from bot.consent.service import ConsentDeps, import_register
    from bot.directory import load_directory
    from bot.errors import NotFound
    from bot.server import prepare_database, working_hours
    from storage.engine import create_engine, session_factory
    from storage.uow import SqlUnitOfWork

    directory = load_directory(settings.directory_file)
    site = directory.site(site_id)
    if site is None or site.kind != "school":
        schools = ", ".join(s.id for s in directory.schools())
        raise NotFound(f"There is no school '{site_id}' in {settings.directory_file} ({schools}).")
    clock = SystemClock()
    deps = ConsentDeps(directory, clock, working_hours(settings))
    rows = read_mis_csv(path, today=deps.today())
    actor = _actor()
    await prepare_database(settings)
    engine = create_engine(settings.database_url)
    try:
        label = f"Reading {path.name}"
        with click.progressbar(length=count_rows(path), label=label, file=sys.stderr) as bar:
            return await import_register(
                SqlUnitOfWork(session_factory(engine), clock),
                deps,
                site_id=site_id,
                rows=rows,
                actor=actor,
                progress=bar.update,
                dry_run=dry_run,
            )
    finally:
        await engine.dispose()


def _print_import(summary: ImportSummary) -> None:
    if summary.dry_run:
        click.echo("Dry run: nothing was changed. The file would give:")
    click.echo(
        f"Added {summary.added}, changed {summary.changed}, unchanged {summary.unchanged}, "
        f"refused {len(summary.refused)}"
    )
    for refusal in summary.refused:
        click.echo(f"line {refusal.line}: {refusal.reason}")
    for kept in summary.kept:
        click.echo(f"line {kept.line}: {kept.reason}")
    if summary.not_in_file:
        click.echo(
            f"Not in this file: {summary.not_in_file} pupil(s) on the register, left as they are."
        )
    if summary.takedowns:
        click.echo(
            f"Take-down tasks: {summary.takedowns}, for published posts that show pupils whose "
            "consent was withdrawn or narrowed."
        )


@cli.group()
def training() -> None:
    """Social media training records."""


@training.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read and compare the file; change nothing.")
def training_import(csv_file: Path, dry_run: bool) -> None:
    """Load completed training from a training platform's export (CSV UTF-8).

    Columns: email, course, completed_on, certificate_url, in any order (course and
    certificate_url may be left out; common header names are understood); dates as 2026-03-03
    or 03/03/2026. Completions already on record are left alone, so importing the same file
    twice adds nothing. All at once or not at all; rows that can't be taken (an e-mail not in
    the directory, a bad or future date) are listed with their line numbers.
    """
    settings = _settings()
    summary = _run_import(_import_training(settings, csv_file, dry_run))
    if summary.dry_run:
        click.echo("Dry run: nothing was changed. The file would give:")
    click.echo(
        f"Added {summary.added}, unchanged {summary.unchanged}, refused {len(summary.refused)}"
    )
    for refusal in summary.refused:
        click.echo(f"line {refusal.line}: {refusal.reason}")


async def _import_training(settings: Settings, path: Path, dry_run: bool) -> TrainingSummary:
    from bot.clock import SystemClock
    from bot.directory import load_directory
    from bot.server import prepare_database, working_hours
    from bot.training.importer import import_completions
    from bot.training.platform_csv import count_rows, read_training_csv
    from bot.training.service import TrainingDeps
    from storage.engine import create_engine, session_factory
    from storage.uow import SqlUnitOfWork

    directory = load_directory(settings.directory_file)
    clock = SystemClock()
    deps = TrainingDeps(directory, clock, working_hours(settings))
    known = {person.email for person in directory.people}
    rows = read_training_csv(path, today=deps.today(), known=known)
    await prepare_database(settings)
    engine = create_engine(settings.database_url)
    try:
        label = f"Reading {path.name}"
        with click.progressbar(length=count_rows(path), label=label, file=sys.stderr) as bar:
            return await import_completions(
                SqlUnitOfWork(session_factory(engine), clock),
                deps,
                rows=rows,
                actor=_actor(),
                progress=bar.update,
                dry_run=dry_run,
            )
    finally:
        await engine.dispose()


@cli.group()
def export() -> None:
    """CSV exports of registers and logs, made on behalf of a role holder (--as), holding only
    what that person may see. Every export is on the audit trail (never its rows)."""


def _export_command(kind: str) -> None:
    @export.command(kind, help=f"Export {kind} that --as may see, as CSV UTF-8 with a header.")
    @click.option("--as", "as_email", required=True, help="E-mail of the role holder it is for.")
    @click.option("--site", "site_id", help="Only this site (its id in the directory file).")
    @click.option("--from", "since", type=click.DateTime(["%Y-%m-%d"]), help="From this day.")
    @click.option("--to", "until", type=click.DateTime(["%Y-%m-%d"]), help="To this day.")
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file (default: standard output).",
    )
    def command(
        as_email: str, site_id: str | None, since: Any, until: Any, out: Path | None
    ) -> None:
        from bot.exports.csv_out import write_csv
        from bot.exports.model import Filters

        settings = _settings()
        filters = Filters(site_id, since and since.date(), until and until.date())
        made = _run_export(_export(settings, kind, as_email, filters))
        if out is None:
            write_csv(made, sys.stdout)
            return
        with out.open("w", encoding="utf-8", newline="") as stream:
            write_csv(made, stream)
        click.echo(f"wrote {len(made.rows)} row(s) to {out}", err=True)


for _kind in ("reports", "approvals", "declarations", "training", "abuse"):
    _export_command(_kind)


@export.command("person")
@click.argument("email")
@click.option("--as", "as_email", required=True, help="E-mail of the ELT member answering it.")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder to write the CSV files to (made if missing).",
)
def export_person(email: str, as_email: str, out: Path) -> None:
    """A subject access bundle: every record held about EMAIL (reports they made or that are
    about them, post requests, declarations, abuse log entries, training, what they did on the
    audit trail), one CSV per kind, with other people's e-mails and names "[redacted]". Read
    it through before it is sent: free text may still name someone the bot does not know."""
    from bot.exports.csv_out import write_csv

    settings = _settings()
    bundle = _run_export(_person(settings, email, as_email))
    out.mkdir(parents=True, exist_ok=True)
    for name, made in bundle.files.items():
        with (out / name).open("w", encoding="utf-8", newline="") as stream:
            write_csv(made, stream)
    click.echo(f"wrote {bundle.count} row(s) in {len(bundle.files)} files to {out}", err=True)


@export.command("screenshots")
@click.argument("ref")
@click.option("--as", "as_email", required=True, help="E-mail of the role holder it is for.")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder to write the files to (made if missing).",
)
def export_screenshots(ref: str, as_email: str, out: Path) -> None:
    """The screenshot files kept with abuse log entry REF, and SHA256SUMS: each file's SHA-256
    as recorded when the bot kept it (check a copy with `sha256sum -c SHA256SUMS`)."""
    settings = _settings()
    files = _run_export(_screenshots(settings, ref, as_email))
    out.mkdir(parents=True, exist_ok=True)
    for file in files:
        (out / file.file_name).write_bytes(file.content)
    sums = "".join(f"{file.sha256}  {file.file_name}\n" for file in files)
    (out / "SHA256SUMS").write_text(sums, encoding="utf-8")
    click.echo(f"wrote {len(files)} screenshot(s) and SHA256SUMS to {out}", err=True)


async def _screenshots(settings: Settings, ref: str, as_email: str) -> list[EvidenceFile]:
    from bot.clock import SystemClock
    from bot.directory import load_directory
    from bot.exports.screenshots import screenshot_files
    from bot.exports.service import ExportDeps
    from bot.server import prepare_database, working_hours
    from storage.engine import create_engine, session_factory
    from storage.uow import SqlUnitOfWork

    clock = SystemClock()
    deps = ExportDeps(load_directory(settings.directory_file), clock, working_hours(settings).zone)
    await prepare_database(settings)
    engine = create_engine(settings.database_url)
    try:
        uow = SqlUnitOfWork(session_factory(engine), clock)
        return await screenshot_files(uow, deps, ref=ref, as_email=as_email, actor=_actor())
    finally:
        await engine.dispose()


async def _person(settings: Settings, email: str, as_email: str) -> Bundle:
    from bot.clock import SystemClock
    from bot.directory import load_directory
    from bot.exports.person import person_bundle
    from bot.exports.service import ExportDeps
    from bot.server import prepare_database, working_hours
    from storage.engine import create_engine, session_factory
    from storage.uow import SqlUnitOfWork

    directory = load_directory(settings.directory_file)
    clock = SystemClock()
    deps = ExportDeps(directory, clock, working_hours(settings).zone)
    await prepare_database(settings)
    engine = create_engine(settings.database_url)
    bar = _Bar("Gathering records")
    try:
        return await person_bundle(
            SqlUnitOfWork(session_factory(engine), clock),
            deps,
            person=email,
            as_email=as_email,
            actor=_actor(),
            progress=bar,
        )
    finally:
        bar.close()
        await engine.dispose()


def _run_export(work: Coroutine[Any, Any, T]) -> T:
    """Run an export; a refusal or an unknown site is said in plain words, exit 1."""
    from bot.errors import PolicyError
    from bot.server import NotMigrated

    try:
        return asyncio.run(work)
    except DirectoryInvalid as error:
        _print_problems([str(p) for p in error.problems])
        sys.exit(1)
    except (PolicyError, NotMigrated) as error:
        click.echo(f"error: {getattr(error, 'message', error)} Nothing was exported.", err=True)
        sys.exit(1)


class _Bar:
    """A progress bar on standard error, drawn once the number of records is known."""

    def __init__(self, label: str) -> None:
        self.label, self.bar = label, None

    def start(self, total: int) -> None:
        self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
        self.bar.__enter__()

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


async def _export(settings: Settings, kind: str, as_email: str, filters: Any) -> Export:
    from bot.clock import SystemClock
    from bot.directory import load_directory
    from bot.errors import NotFound
    from bot.exports.model import Kind
    from bot.exports.service import ExportDeps, export_rows
    from bot.server import prepare_database, working_hours
    from storage.engine import create_engine, session_factory
    from storage.uow import SqlUnitOfWork

    directory = load_directory(settings.directory_file)
    if (
        filters.site is not None
        and directory.site(filters.site) is None
        and filters.site != "trust"
    ):
        sites = ", ".join(["trust", *(s.id for s in directory.sites)])
        raise NotFound(f"There is no site '{filters.site}' in {settings.directory_file} ({sites}).")
    clock = SystemClock()
    deps = ExportDeps(directory, clock, working_hours(settings).zone)
    await prepare_database(settings)
    engine = create_engine(settings.database_url)
    bar = _Bar(f"Exporting {kind}")
    try:
        return await export_rows(
            SqlUnitOfWork(session_factory(engine), clock),
            deps,
            kind=Kind(kind),
            as_email=as_email,
            filters=filters,
            actor=_actor(),
            progress=bar,
        )
    finally:
        bar.close()
        await engine.dispose()


@cli.group()
def retention() -> None:
    """Retention: remove the records past their days under the RETENTION_* settings."""


# Each count of a retention pass, as the command prints it: what, then (dry run | applied).
_RETAINED = {
    "reports_redacted": ("misuse and safeguarding reports", "to anonymise", "anonymised"),
    "posts_deleted": ("post approvals", "to delete", "deleted"),
    "declarations_deleted": ("relationship declarations", "to delete", "deleted"),
    "training_deleted": ("training completions", "to delete", "deleted"),
    "abuse_log_deleted": ("abuse log entries", "to delete", "deleted"),
    "audit_pruned": ("audit events", "to prune", "pruned"),
}


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would be removed now; change nothing.")
def retention_run(dry_run: bool) -> None:
    """Apply retention now, exactly as the nightly job does (on the audit trail as
    `retention.applied`), and print how many records of each kind were anonymised or deleted.
    With --dry-run, print how many would be, and change nothing (no audit event either)."""
    settings = _settings()
    counts = _run_retention(_retention(settings, dry_run))
    click.echo("retention dry run, nothing was changed:" if dry_run else "retention applied:")
    for key, count in counts.items():
        what, would, did = _RETAINED[key]
        click.echo(f"  {what} {would if dry_run else did}: {count}")
    click.echo(f"  total: {sum(counts.values())}")


def _run_retention(work: Coroutine[Any, Any, T]) -> T:
    from bot.server import NotMigrated

    try:
        return asyncio.run(work)
    except NotMigrated as error:
        click.echo(f"error: {error} Nothing was changed.", err=True)
        sys.exit(1)


async def _retention(settings: Settings, dry_run: bool) -> dict[str, int]:
    from bot.clock import SystemClock
    from bot.retention.service import apply_retention, retention_due
    from bot.server import prepare_database, retention_policy
    from storage.engine import create_engine, session_factory
    from storage.uow import SqlUnitOfWork

    clock = SystemClock()
    now = clock.now()
    today = now.astimezone(settings.zone).date()
    policy = retention_policy(settings)
    await prepare_database(settings)
    engine = create_engine(settings.database_url)
    uow = SqlUnitOfWork(session_factory(engine), clock)
    try:
        if dry_run:
            return await retention_due(uow, policy, now=now, today=today)
        key = f"{today.isoformat()} command line"
        return await apply_retention(uow, policy, now=now, today=today, key=key)
    finally:
        await engine.dispose()


def main() -> None:
    cli(prog_name="policybot")


if __name__ == "__main__":
    main()
