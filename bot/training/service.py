# Training use cases: a person's status, recording a completion, starting a refresher campaign,
# and the Head of Comms' view of progress.
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.audit import AuditEvent, record
from bot.clock import Clock
from bot.directory import Directory
from bot.errors import AlreadyDone, FormInvalid, NotAllowed
from bot.outbox import OutboxItem
from bot.ports import UnitOfWork
from bot.training import messages
from bot.training.forms import campaign_form, parse_campaign, parse_record, record_form
from bot.training.messages import CampaignProgress, SiteProgress
from bot.training.model import (
    TRUST,
    Campaign,
    Completion,
    NudgeState,
    Source,
    TrainingStatus,
    assess,
    campaign_for,
    in_scope,
)
from bot.working_time import WorkingHours

log = logging.getLogger(__name__)
CAMPAIGN_REFUSAL = "Only the Head of Communications can start a refresher campaign."
PROGRESS_REFUSAL = "Only the Head of Communications can see the Trust's training progress."
SHOW_ENDED_FOR = timedelta(days=90)  # campaigns stay in the progress pages this long


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


@dataclass(frozen=True)
class Started:
    campaign: Campaign
    created: bool
    told: int


def is_comms(directory: Directory, email: str) -> bool:
    return directory.holds(email, "head_of_comms")


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


def check_may_campaign(deps: TrainingDeps, email: str) -> None:
    """Before the campaign form opens."""
    if not is_comms(deps.directory, email):
        raise NotAllowed(CAMPAIGN_REFUSAL)


async def start_campaign(
    uow: UnitOfWork,
    deps: TrainingDeps,
    *,
    by: str,
    values: Mapping[str, object],
    source_key: str,
) -> Started:
    """The Head of Comms starts a refresher: everyone in scope is due again and told now (the
    announcement counts as that week's nudge). A resubmitted form starts nothing new."""
    check_may_campaign(deps, by)
    directory, today = deps.directory, deps.today()
    data = parse_campaign(campaign_form(directory, today), values, today=today)
    if data.site_id != TRUST and directory.site(data.site_id) is None:
        raise FormInvalid({"scope": "Please choose one of the sites shown."})
    async with uow:
        existing = await uow.training.campaign_by_source_key(source_key)
        if existing is not None:
            return Started(existing, created=False, told=0)
        for other in await uow.training.campaigns():
            if other.site_id == data.site_id and other.running(today):
                scope = messages.scope_name(directory, other.site_id)
                raise AlreadyDone(
                    f"{other.ref} already asks {scope} to refresh their training by "
                    f"{messages.day(other.deadline)}."
                )
        now = deps.clock.now()
        campaign = await uow.training.add_campaign(
            Campaign(
                ref=await uow.training.next_ref(now.year),
                site_id=data.site_id,
                starts_on=today,
                deadline=data.deadline,
                started_by=by,
                started_at=now,
                reason=data.reason,
            ),
            source_key=source_key,
        )
        covered = sorted(e for e, sites in in_scope(directory).items() if campaign.covers(sites))
        await _announce(uow, deps, campaign, covered)
        await record(
            uow.audit,
            now,
            by,
            "training.campaign_started",
            ("training_campaign", campaign.ref),
            before=None,
            after={
                "site_id": campaign.site_id,
                "starts_on": today.isoformat(),
                "deadline": campaign.deadline.isoformat(),
                "people": len(covered),
            },
        )
        await uow.commit()
    log.info(
        "training campaign %s started for %s: %d told", campaign.ref, data.site_id, len(covered)
    )
    return Started(campaign, created=True, told=len(covered))


async def _announce(
    uow: UnitOfWork, deps: TrainingDeps, campaign: Campaign, covered: Sequence[str]
) -> None:
    """Tell everyone covered, and count it as their nudge of the week."""
    today, now = deps.today(), deps.clock.now()
    message = messages.announcement(campaign, deps.directory)
    states = await uow.training.states(covered)
    changed = []
    for email in covered:
        await uow.outbox.add(
            OutboxItem(f"training:campaign:{campaign.ref}:{email}", email, message)
        )
        state = states.get(email) or NudgeState(email)
        changed.append(NudgeState(email, state.nudges + 1, today))
    await uow.training.save_states(changed)
    await uow.audit.append_many(
        [
            nudge_event(now, "system", before, after, detail={"campaign": campaign.ref})
            for before, after in zip(
                [states.get(e) or NudgeState(e) for e in covered], changed, strict=True
            )
        ]
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


async def progress(
    uow: UnitOfWork, deps: TrainingDeps, *, by: str
) -> tuple[list[SiteProgress], list[CampaignProgress]]:
    """For the Head of Comms only: per site, who is trained and in date and who is due; per
    running (or recent) campaign, who at each site has done it since it started."""
    if not is_comms(deps.directory, by):
        raise NotAllowed(PROGRESS_REFUSAL)
    async with uow:
        latest = await uow.training.latest_days()
        campaigns = await uow.training.campaigns()
    directory, today = deps.directory, deps.today()
    due = {
        email: deps.status(email, latest.get(email), campaigns).due for email in in_scope(directory)
    }
    register = [
        SiteProgress(
            site.id,
            tuple(e for e in site.members if not due[e]),
            tuple(e for e in site.members if due[e]),
        )
        for site in directory.sites
    ]
    shown = [c for c in campaigns if c.starts_on <= today <= c.deadline + SHOW_ENDED_FOR]
    return register, [_campaign_progress(directory, c, latest) for c in shown]


def _campaign_progress(
    directory: Directory, campaign: Campaign, latest: dict[str, date]
) -> CampaignProgress:
    sites = [s for s in directory.sites if campaign.covers({s.id})]

    def done(email: str) -> bool:
        last = latest.get(email)
        return last is not None and last >= campaign.starts_on

    return CampaignProgress(
        campaign,
        tuple(
            SiteProgress(
                site.id,
                tuple(e for e in site.members if done(e)),
                tuple(e for e in site.members if not done(e)),
            )
            for site in sites
        ),
    )
