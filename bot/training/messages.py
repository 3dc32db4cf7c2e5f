# What training messages say: a person's status, the weekly nudge, a campaign's announcement,
# the Headteacher's digest of overdue staff, and the Head of Comms' progress pages.
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.directory import Directory, Site
from bot.messages import Action, Message, Section, Style
from bot.training.model import (
    COURSE,
    SOURCE_LABELS,
    TRUST,
    Campaign,
    Completion,
    State,
    TrainingStatus,
)


class TrainingAction(StrEnum):
    """Buttons about training; RECORD opens the completion form (its value is unused)."""

    RECORD = "training_record_open"


@dataclass(frozen=True)
class SiteProgress:
    """Who at one site has done what is asked (`done`) and who has not, by e-mail."""

    site_id: str
    done: tuple[str, ...]
    not_done: tuple[str, ...]


@dataclass(frozen=True)
class CampaignProgress:
    campaign: Campaign
    sites: tuple[SiteProgress, ...]


@dataclass(frozen=True)
class Overdue:
    """A line of a Headteacher's digest: who, where they stand, how often reminded."""

    email: str
    status: TrainingStatus
    nudges: int


def day(value: date) -> str:
    return value.strftime("%d %b %Y").lstrip("0")


def scope_name(directory: Directory, site_id: str) -> str:
    if site_id == TRUST:
        return "everyone in the Trust"
    site = directory.site(site_id)
    return f"everyone at {site.name if site else site_id}"


def standing(status: TrainingStatus) -> str:
    """The status in a few words: trained on X, valid until Y; due now; never."""
    if status.state is State.CURRENT:
        assert status.last and status.valid_until
        return f"Trained on {day(status.last)}, valid until {day(status.valid_until)}"
    if status.state is State.EXPIRED:
        assert status.last and status.valid_until
        return f"Due now: trained on {day(status.last)}, expired on {day(status.valid_until)}"
    if status.state is State.REFRESH:
        assert status.campaign
        return f"Due now: refresher training asked for by {day(status.campaign.deadline)}"
    return "Never: no training on record"


def _record_button(label: str = "Record a completion") -> Action:
    return Action(TrainingAction.RECORD, label, "", Style.PRIMARY)


def status_message(
    status: TrainingStatus, latest: Completion | None, *, is_comms: bool = False
) -> Message:
    """What /training shows a person, with a way to record a completion."""
    facts = [("Course", COURSE), ("Status", standing(status))]
    if latest is not None:
        facts.append(
            ("Last recorded", f"{day(latest.completed_on)}, {SOURCE_LABELS[latest.source]}")
        )
        if latest.certificate_url:
            facts.append(("Certificate", latest.certificate_url))
    sections = []
    if status.campaign is not None and status.campaign.reason:
        sections.append(Section("Why a refresher", status.campaign.reason))
    body = (
        "Thank you: nothing to do until it is due again."
        if not status.due
        else "The policy asks every member of staff to complete the Trust's social media "
        "training. When you have done it, record it here."
    )
    footer = (
        "Head of Communications: `/training progress` shows who has done it, "
        "`/training campaign` starts a refresher."
        if is_comms
        else None
    )
    return Message(
        notification="Your social media training",
        title="Your social media training",
        body=body,
        facts=tuple(facts),
        sections=tuple(sections),
        actions=(_record_button(),),
        footer=footer,
    )


def nudge(status: TrainingStatus, nudges: int) -> Message:
    """The weekly reminder to someone who is due, with "I've done it"."""
    if status.state is State.REFRESH and status.campaign is not None:
        campaign = status.campaign
        body = (
            f"A refresher of the Trust's social media training was asked for by "
            f"{day(campaign.deadline)}, and there is no record of yours since "
            f"{day(campaign.starts_on)}."
        )
    elif status.state is State.EXPIRED:
        assert status.last
        body = (
            f"Your social media training, on {day(status.last)}, is out of date. "
            "The policy asks you to refresh it."
        )
    else:
        body = "There is no record of your social media training. The policy asks every "
        body += "member of staff to complete it."
    body += " Once you have done it, press the button to record it."
    return Message(
        notification="Your social media training is due",
        title="Social media training is due",
        body=body,
        facts=(("Course", COURSE), ("Reminder", f"number {nudges}, sent weekly in term time")),
        actions=(_record_button("I've done it"),),
    )


def announcement(campaign: Campaign, directory: Directory) -> Message:
    """A refresher campaign, to everyone it covers."""
    by = directory.display_name(campaign.started_by)
    return Message(
        notification=f"Refresher training: please complete it by {day(campaign.deadline)}",
        title="Refresher social media training",
        body=(
            f"{by} asks {scope_name(directory, campaign.site_id)} to complete the Trust's "
            f"social media training again by {day(campaign.deadline)}, even if you did it "
            "recently. You'll be reminded weekly in term time until it is recorded."
        ),
        facts=(("Course", COURSE), ("Complete by", day(campaign.deadline))),
        sections=(Section("Why", campaign.reason),) if campaign.reason else (),
        actions=(_record_button("I've done it"),),
    )


def digest(site: Site, overdue: list[Overdue], directory: Directory) -> Message:
    """The weekly digest for a site's Headteacher (the ELT for the hub)."""
    lines = [
        f"{directory.display_name(o.email)}: {standing(o.status).lower()} ({o.nudges} reminders)"
        for o in sorted(overdue, key=lambda o: directory.display_name(o.email))
    ]
    return Message(
        notification=f"Social media training overdue at {site.name}",
        title=f"Training overdue at {site.name}",
        body=(
            f"{len(overdue)} member(s) of staff at {site.name} have been reminded at least three "
            "times and have not recorded their social media training. Please follow it up."
        ),
        sections=(Section("Not done", "\n".join(lines)),),
        footer="Sent once a week while anyone at the site is overdue.",
    )


def progress_pages(
    register: list[SiteProgress], campaigns: list[CampaignProgress], directory: Directory
) -> list[Message]:
    """For the Head of Comms: every site's training, then each refresher campaign's."""
    pages = [
        Message(
            notification="Training across the Trust",
            title="Social media training across the Trust",
            body="Trained and in date, per site.",
            facts=tuple(_counts(directory, s, "trained") for s in register),
            sections=tuple(_missing(directory, s, "Due at") for s in register if s.not_done),
        )
    ]
    for found in campaigns:
        campaign = found.campaign
        pages.append(
            Message(
                notification=f"Refresher {campaign.ref}",
                title=f"Refresher {campaign.ref}: {scope_name(directory, campaign.site_id)}",
                body=f"Started {day(campaign.starts_on)} by "
                f"{directory.display_name(campaign.started_by)}; complete by "
                f"{day(campaign.deadline)}.",
                facts=tuple(_counts(directory, s, "done") for s in found.sites),
                sections=tuple(
                    _missing(directory, s, "Not done at") for s in found.sites if s.not_done
                ),
            )
        )
    return pages


def _site_name(directory: Directory, site_id: str) -> str:
    site = directory.site(site_id)
    return site.name if site else site_id


def _counts(directory: Directory, progress: SiteProgress, word: str) -> tuple[str, str]:
    total = len(progress.done) + len(progress.not_done)
    text = f"{len(progress.done)} of {total} {word}, {len(progress.not_done)} not"
    return _site_name(directory, progress.site_id), text


def _missing(directory: Directory, progress: SiteProgress, title: str) -> Section:
    names = sorted(directory.display_name(e) for e in progress.not_done)
    return Section(f"{title} {_site_name(directory, progress.site_id)}", ", ".join(names))
