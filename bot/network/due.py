# What the daily upkeep of network requests is due to do (rule I1): remind whoever must act on a
# waiting request, lapse a request whose activity ended first, ask IT to remove ended access
# (and remind them until they have).
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.directory import Directory
from bot.network.model import HEAD_ROLE, IT_ROLE, Kind, NetworkRequest, Status
from bot.working_time import WorkingHours


class Step(StrEnum):
    """What the upkeep does to one request."""

    REMIND = "remind"  # still waiting on someone, for long enough
    LAPSE = "lapse"  # still waiting, but the activity has ended
    ASK_REMOVAL = "ask_removal"  # applied, the activity has ended: IT removes the access


@dataclass(frozen=True)
class Due:
    request: NetworkRequest
    step: Step
    people: tuple[str, ...]  # who hears of it now (the role's holders today)


def ended(request: NetworkRequest, today: date) -> bool:
    """A platform request whose activity ended before today."""
    return request.kind is Kind.PLATFORM and request.ends_on is not None and request.ends_on < today


def waits_on(directory: Directory, request: NetworkRequest) -> tuple[str, ...]:
    """Who must act on a waiting request now: the site's Headteacher(s) for a platform still to
    approve, the IT provider(s) for one to apply or a site to unblock; nobody otherwise."""
    if request.kind is Kind.PLATFORM and request.status is Status.REQUESTED:
        return directory.holders(HEAD_ROLE, request.site_id)
    if request.status is Status.APPROVED or (
        request.kind is Kind.UNBLOCK and request.status is Status.REQUESTED
    ):
        return directory.holders(IT_ROLE)
    return ()


def waiting_since(request: NetworkRequest) -> datetime:
    """When the current wait began: the approval for IT's work, the ask to remove access once
    the activity has ended, the request otherwise."""
    if request.status is Status.APPROVED and request.approved_at is not None:
        return request.approved_at
    if request.status is Status.DONE and request.end_asked_at is not None:
        return request.end_asked_at
    return request.created_at


def working_days_between(hours: WorkingHours, since: datetime, now: datetime) -> int:
    """Working days after the local day of `since`, up to and including the day of `now`."""
    first = since.astimezone(hours.zone).date() + timedelta(days=1)
    last = now.astimezone(hours.zone).date()
    days = max(0, (last - first).days + 1)
    return sum((first + timedelta(days=n)).weekday() in hours.days for n in range(days))


def reminder_due(request: NetworkRequest, hours: WorkingHours, now: datetime, days: int) -> bool:
    """In working hours, a request waiting `days` working days or more, and not yet reminded
    today (a reminder from an earlier wait, before the approval, doesn't count)."""
    if not hours.is_working(now):
        return False
    since = waiting_since(request)
    if working_days_between(hours, since, now) < days:
        return False
    last = request.reminded_at
    if last is None or last < since:
        return True
    return last.astimezone(hours.zone).date() < now.astimezone(hours.zone).date()


def step_for(
    directory: Directory, request: NetworkRequest, hours: WorkingHours, now: datetime, days: int
) -> Due | None:
    """What the upkeep does to `request` now, if anything, and who hears of it."""
    today = now.astimezone(hours.zone).date()
    if request.status in (Status.REQUESTED, Status.APPROVED) and ended(request, today):
        return Due(request, Step.LAPSE, waits_on(directory, request))
    if request.status is Status.DONE:
        if not ended(request, today):
            return None
        if request.end_asked_at is None:
            return Due(request, Step.ASK_REMOVAL, directory.holders(IT_ROLE))
        if reminder_due(request, hours, now, days):  # asked, and access not yet removed
            return Due(request, Step.REMIND, directory.holders(IT_ROLE))
        return None
    people = waits_on(directory, request)
    if people and reminder_due(request, hours, now, days):
        return Due(request, Step.REMIND, people)
    return None
