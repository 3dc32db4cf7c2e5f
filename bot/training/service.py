# Training use cases: a person's status and recording a completion; the audit entries of training.
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.audit import AuditEvent
from bot.clock import Clock
from bot.directory import Directory
from bot.outbox import OutboxItem
from bot.ports import UnitOfWork
from bot.training import messages
from bot.training.forms import parse_record, record_form
from bot.training.model import (
    Campaign,
    Completion,
    NudgeState,
    Source,
    TrainingStatus,
    assess,
    campaign_for,
)
from bot.working_time import WorkingHours

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingDeps:
    """What the training flows need besides the unit of work."""

    directory: Directory
    clock: Clock
    hours: WorkingHours

    def today(self) -> date:
        return self.clock.now().astimezone(self.hours.zone).date()

    @property
    def valid_months(self) -> int:
        return self.directory.policy.training_valid_months

    def status(self, email: str, last: date | None, campaigns: list[Campaign]) -> TrainingStatus:
        """Where `email` stands, given their latest completion day and every campaign."""
        sites = {s.id for s in self.directory.sites_of(email)}
        today = self.today()
        campaign = campaign_for(campaigns, sites, today)
        return assess(last, campaign, today=today, valid_months=self.valid_months)


@dataclass(frozen=True)
class Recorded:
    completion: Completion
    created: bool
    status: TrainingStatus


def is_comms(directory: Directory, email: str) -> bool:
    return directory.holds(email, "head_of_comms")


def may_see_record(directory: Directory, viewer: str, email: str) -> bool:
    """Whose training a person may see: the Head of Comms everyone's, a Headteacher their
    school's people, anyone their own."""
    return (
        viewer == email
        or is_comms(directory, viewer)
        or any(viewer in site.headteacher for site in directory.sites_of(email))
    )


def people_to_see(directory: Directory, viewer: str) -> frozenset[str] | None:
    """Everyone whose training `may_see_record` lets the viewer see (None: everyone)."""
    if is_comms(directory, viewer):
        return None
    schools = [site for site in directory.sites if viewer in site.headteacher]
    return frozenset({viewer, *(e for site in schools for e in site.members)})


async def status_for(
    uow: UnitOfWork, deps: TrainingDeps, *, email: str
) -> tuple[TrainingStatus, Completion | None]:
    """A person's status and their latest completion on record."""
    async with uow:
        latest = await uow.training.latest(email)
        campaigns = await uow.training.campaigns()
    last = latest.completed_on if latest else None
    return deps.status(email, last, campaigns), latest


async def record_completion(
    uow: UnitOfWork, deps: TrainingDeps, *, by: str, values: Mapping[str, object]
) -> Recorded:
    """Record a completion from the form: the person's own, or (the Head of Comms) someone
    else's, confirmed. The same person, course and day twice is kept once."""
    directory, today = deps.directory, deps.today()
    form = record_form(today, for_others=is_comms(directory, by))
    data = parse_record(form, values, today=today, directory=directory)
    email = data.person or by
    source = Source.ADMIN if email != by else Source.CHAT
    completion = Completion(
        email=email,
        completed_on=data.completed_on,
        source=source,
        recorded_by=by,
        recorded_at=deps.clock.now(),
        certificate_url=data.certificate_url,
    )
    async with uow:
        created = await uow.training.add(completion)
        latest = await uow.training.latest(email)
        campaigns = await uow.training.campaigns()
        status = deps.status(email, latest.completed_on if latest else None, campaigns)
        if created:
            trained = not status.due
            if trained:
                await uow.training.reset_nudges([email])
            await uow.audit.append(recorded_event(completion, nudges_reset=trained))
            if source is Source.ADMIN:
                await uow.outbox.add(
                    OutboxItem(
                        f"training:{email}:confirmed:{completion.completed_on}",
                        email,
                        messages.status_message(status, latest),
                    )
                )
            await uow.commit()
    log.info("training completion %s (%s)", "recorded" if created else "already on record", source)
    return Recorded(completion, created, status)


def recorded_event(completion: Completion, *, nudges_reset: bool) -> AuditEvent:
    """The audit entry of a new completion: the day, the source, flags; never the link."""
    return AuditEvent(
        at=completion.recorded_at,
        actor=completion.recorded_by,
        action="training.recorded",
        record_type="training",
        record_id=completion.email,
        after={
            "course": completion.course,
            "completed_on": completion.completed_on.isoformat(),
            "source": completion.source.value,
            "certificate": completion.certificate_url is not None,
            "nudges_reset": nudges_reset,
        },
    )


def nudge_event(
    at: Any, actor: str, before: NudgeState, after: NudgeState, *, detail: dict[str, Any]
) -> AuditEvent:
    """The audit entry of a nudge: the counts before and after."""

    def state(s: NudgeState) -> dict[str, Any]:
        last = s.last_nudged_on.isoformat() if s.last_nudged_on else None
        return {"nudges": s.nudges, "last_nudged_on": last}

    return AuditEvent(
        at=at,
        actor=actor,
        action="training.nudged",
        record_type="training",
        record_id=after.email,
        before=state(before),
        after=state(after),
        detail=detail,
    )
