# Refresher campaigns (policy section 11) and the Head of Comms' view of progress.
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.audit import record
from bot.directory import Directory
from bot.errors import AlreadyDone, FormInvalid, NotAllowed
from bot.outbox import BULK, OutboxItem
from bot.ports import UnitOfWork
from bot.training import messages
from bot.training.forms import campaign_form, parse_campaign
from bot.training.messages import CampaignProgress, SiteProgress
from bot.training.model import TRUST, Campaign, NudgeState, in_scope
from bot.training.service import TrainingDeps, is_comms, nudge_event

log = logging.getLogger(__name__)
CAMPAIGN_REFUSAL = "Only the Head of Communications can start a refresher campaign."
PROGRESS_REFUSAL = "Only the Head of Communications can see the Trust's training progress."
SHOW_ENDED_FOR = timedelta(days=90)  # campaigns stay in the progress pages this long


@dataclass(frozen=True)
class Started:
    campaign: Campaign
    created: bool
    told: int


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
            OutboxItem(f"training:campaign:{campaign.ref}:{email}", email, message, priority=BULK)
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
    shown = [c for c in campaigns if c.starts_on <= today <= c.deadline + SHOW_ENDED_FOR]
    return (
        site_register(deps, latest, campaigns),
        [_campaign_progress(directory, c, latest) for c in shown],
    )


def site_register(
    deps: TrainingDeps, latest: dict[str, date], campaigns: Sequence[Campaign]
) -> list[SiteProgress]:
    """Per site, who is trained and in date and who is due (from each person's latest
    completion day and the campaigns on record)."""
    directory, every = deps.directory, list(campaigns)
    due = {email: deps.status(email, latest.get(email), every).due for email in in_scope(directory)}
    return [
        SiteProgress(
            site.id,
            tuple(e for e in site.members if not due[e]),
            tuple(e for e in site.members if due[e]),
        )
        for site in directory.sites
    ]


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
