# A subject access bundle: every record held about one person, other people's data redacted.
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.audit import AuditEvent, record
from bot.directory import Directory
from bot.errors import NotAllowed
from bot.exports import rows
from bot.exports.model import COLUMNS, Kind, Row
from bot.exports.rows import text
from bot.exports.service import Export, ExportDeps, Progress
from bot.ports import UnitOfWork

PERSON_ROLES = ("elt",)  # who answers a subject access request for the Trust
REDACTED = "[redacted]"
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
AUDIT_COLUMNS = ("at", "action", "record_type", "record_id")
# Columns that only ever hold someone else's personal data (a pupil, a comment's author).
THIRD_PARTY = {"subject_name", "pupil_name", "author"}


@dataclass(frozen=True)
class Bundle:
    """One export per file name (reports.csv, ..., audit.csv)."""

    person: str
    files: dict[str, Export]

    @property
    def count(self) -> int:
        return sum(len(e.rows) for e in self.files.values())


def redactor(directory: Directory, person: str, names: Iterable[str]) -> Callable[[str], str]:
    """A cell with every e-mail but the person's, and every other person's name that the
    directory (or `names`, such as pupils') knows, replaced by "[redacted]"."""
    others = {p.name for p in directory.people if p.email != person and p.name}
    known = sorted(others | {n for n in names if n}, key=len, reverse=True)

    def redact(value: str) -> str:
        value = EMAIL.sub(lambda m: m[0] if m[0].lower() == person else REDACTED, value)
        for name in known:
            value = value.replace(name, REDACTED)
        return value

    return redact


def check_may_answer(directory: Directory, email: str) -> None:
    if not any(directory.holds(email, role) for role in PERSON_ROLES):
        raise NotAllowed(
            f"{email} holds no role that may answer a subject access request (it takes the ELT)."
        )


async def person_bundle(
    uow: UnitOfWork,
    deps: ExportDeps,
    *,
    person: str,
    as_email: str,
    actor: str,
    progress: Progress | None = None,
) -> Bundle:
    """Everything held about `person`: reports they made or that are about them, their post
    requests, declarations, abuse log entries, training and what they did (the audit trail),
    with other people's e-mails and names redacted. Audited (for whom, how many rows)."""
    directory = deps.directory
    person, as_email = person.strip().lower(), as_email.strip().lower()
    check_may_answer(directory, as_email)
    async with uow:
        reports = await uow.reports.involving(person)
        posts = await uow.posts.requested_by(person)
        declared = await uow.declarations.made_by(person, include_ended=True)
        logged = await uow.abuse.logged_by(person)
        trained = await uow.training.for_export(emails=[person], since=None, until=None)
        events = await uow.audit.by_actor(person)
        total = sum(map(len, (reports, posts, declared, logged, trained, events)))
        if progress:
            progress.start(total)
        pupils = [r.subject_name or "" for r in reports] + [d.pupil_name for d in declared]
        redact = redactor(directory, person, pupils)

        def clean(found: list[Row], columns: tuple[str, ...], name: str) -> Export:
            if progress:
                progress.advance(len(found))
            cleaned = [
                {k: REDACTED if k in THIRD_PARTY and v else redact(v) for k, v in row.items()}
                for row in found
            ]
            return Export(name, columns, cleaned)

        files = {
            "reports.csv": clean(
                [rows.report_row(r, full=True) for r in reports],
                COLUMNS[Kind.REPORTS],
                "reports",
            ),
            "approvals.csv": clean(
                [rows.approval_row(p) for p in posts], COLUMNS[Kind.APPROVALS], "approvals"
            ),
            "declarations.csv": clean(
                [rows.declaration_row(d) for d in declared],
                COLUMNS[Kind.DECLARATIONS],
                "declarations",
            ),
            "abuse.csv": clean([rows.abuse_row(e) for e in logged], COLUMNS[Kind.ABUSE], "abuse"),
            "training.csv": clean(
                [rows.training_row(c, directory) for c in trained],
                COLUMNS[Kind.TRAINING],
                "training",
            ),
            "audit.csv": clean([_event_row(e) for e in events], AUDIT_COLUMNS, "audit"),
        }
        bundle = Bundle(person, files)
        await record(
            uow.audit,
            deps.clock.now(),
            actor,
            "export.subject_access",
            ("export", "person"),
            before=None,
            after=None,
            detail={"as": as_email, "about": person, "count": bundle.count},
        )
        await uow.commit()
    return bundle


def _event_row(event: AuditEvent) -> Row:
    """What the person did: when, what, to which record (its state is left out)."""
    return {
        "at": text(event.at),
        "action": event.action,
        "record_type": event.record_type,
        "record_id": event.record_id,
    }
