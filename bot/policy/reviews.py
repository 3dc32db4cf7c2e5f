# The policy review (rule P1): reminders to the Head of Comms before the review date and weekly
# once it is overdue, sending a review for ratification, and ELT's decision (first one wins).
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bot.audit import audit_change, record
from bot.errors import AlreadyDone, NotAllowed, NotFound, PolicyError
from bot.forms import Form
from bot.outbox import OutboxItem
from bot.policy import messages
from bot.policy.forms import parse_review, review_form
from bot.policy.model import (
    Review,
    ReviewDate,
    ReviewState,
    next_review,
    reminder_key,
    reminder_stage,
    review_thread,
    suggested_next_review,
)
from bot.policy.service import PolicyDeps, check_comms
from bot.ports import UnitOfWork

log = logging.getLogger(__name__)
SEND = "send the policy review for ratification"
ELT_ONLY = "Only a member of ELT can ratify or return the policy review."
NOT_OWN = "You sent this review for ratification, so another member of ELT decides on it."


@dataclass(frozen=True)
class Sent:
    review: Review
    created: bool


async def review_date(uow: UnitOfWork, deps: PolicyDeps) -> tuple[ReviewDate | None, Review | None]:
    """The policy's next review date, and the review waiting for ELT (if any)."""
    async with uow:
        latest = await uow.policy.latest_ratified()
        waiting = await uow.policy.waiting_review()
    return next_review(latest, deps.directory), waiting


async def open_review_form(uow: UnitOfWork, deps: PolicyDeps, *, by: str) -> Form:
    """The form the Head of Comms sends a review with, unless one is waiting already."""
    check_comms(deps, by, SEND)
    due, waiting = await review_date(uow, deps)
    if waiting is not None:
        raise AlreadyDone(_already_waiting(deps, waiting))
    current = due.due if due else None
    return review_form(suggested_next_review(current, deps.today()), current)


async def send_for_ratification(
    uow: UnitOfWork,
    deps: PolicyDeps,
    *,
    by: str,
    values: Mapping[str, object],
    source_key: str,
) -> Sent:
    """The Head of Comms sends a review: each member of ELT (but the sender) gets a card with
    Ratify and Return. A resubmitted form sends nothing new; one review waits at a time."""
    check_comms(deps, by, SEND)
    data = parse_review(review_form(deps.today(), None), values, today=deps.today())
    directory = deps.directory
    elt = tuple(e for e in directory.holders("elt") if e != by)
    async with uow:
        existing = await uow.policy.review_by_source_key(source_key)
        if existing is not None:
            return Sent(existing, created=False)
        now = deps.clock.now()
        # Taking the ref first upserts the year's counter row, which on PostgreSQL holds two
        # sends at once in turn, so the second sees the first as waiting.
        ref = await uow.policy.next_ref("RV", now.year)
        waiting = await uow.policy.waiting_review()
        if waiting is not None:
            raise AlreadyDone(_already_waiting(deps, waiting))
        if not elt:
            raise PolicyError(
                "The directory names nobody in ELT who could ratify this (other than you). "
                "Please ask for ELT to be added to the directory."
            )
        review = Review(
            ref=ref,
            requested_by=by,
            requested_at=now,
            next_review=data.next_review,
            sent_to=elt,
            summary=data.summary,
            link=data.link,
        )
        await uow.policy.add_review(review, source_key=source_key)
        await audit_change(uow.audit, now, by, "policy.review_sent", review, before=None)
        await _cards(uow, deps, review)
        await uow.commit()
    log.info("policy review %s sent to %d ELT member(s)", review.ref, len(elt))
    return Sent(review, created=True)


async def check_may_decide(uow: UnitOfWork, deps: PolicyDeps, *, ref: str, by: str) -> Review:
    """Before the Return form opens: may this person decide on the review now?"""
    async with uow:
        return await _decidable(uow, deps, ref, by, for_update=False)


async def decide(
    uow: UnitOfWork,
    deps: PolicyDeps,
    *,
    ref: str,
    by: str,
    ratify: bool,
    reason: str | None = None,
) -> Review:
    """A member of ELT (now, and not the sender) ratifies or returns the review. The first
    decision wins: the row is locked, and saved only while it still waits. Every ELT card
    is updated in place and the Head of Comms is told."""
    async with uow:
        review = await _decidable(uow, deps, ref, by, for_update=True)
        before, now = review.state(), deps.clock.now()
        review.status = ReviewState.RATIFIED if ratify else ReviewState.RETURNED
        review.decided_by, review.decided_at = by, now
        review.reason = None if ratify else reason
        review.revision += 1
        if not await uow.policy.decide(review):
            raise AlreadyDone(f"{ref} was decided by someone else a moment ago.")
        action = "policy.review_ratified" if ratify else "policy.review_returned"
        await audit_change(uow.audit, now, by, action, review, before=before)
        await _cards(uow, deps, review)
        message = messages.decided(review, deps.directory, deps.hours.zone)
        comms = deps.directory.holders("head_of_comms")
        for email in dict.fromkeys((review.requested_by, *comms)):
            await uow.outbox.add(OutboxItem(f"policy:review:{ref}:decided:{email}", email, message))
        await uow.commit()
    log.info("policy review %s %s", ref, review.status.value)
    return review


async def _decidable(
    uow: UnitOfWork, deps: PolicyDeps, ref: str, by: str, *, for_update: bool
) -> Review:
    if not deps.directory.holds(by, "elt"):
        log.warning("policy review %s: decision refused to someone outside ELT", ref)
        raise NotAllowed(ELT_ONLY)
    review = await uow.policy.review(ref, for_update=for_update)
    if review is None:
        raise NotFound(f"There is no policy review {ref}.")
    if by == review.requested_by:
        raise NotAllowed(NOT_OWN)
    if review.status is not ReviewState.WAITING:
        who = deps.directory.display_name(review.decided_by or "")
        raise AlreadyDone(f"{ref} was already {review.status.value} by {who}.")
    return review


async def _cards(uow: UnitOfWork, deps: PolicyDeps, review: Review) -> None:
    """Each ELT member's card at this revision (a new card, or the old one updated)."""
    message = messages.review_card(review, deps.directory, deps.hours.zone)
    for email in review.sent_to:
        thread = review_thread(review.ref, email)
        await uow.outbox.add(OutboxItem.card(thread, review.revision, email, message))


def _already_waiting(deps: PolicyDeps, waiting: Review) -> str:
    who = deps.directory.display_name(waiting.requested_by)
    return f"{waiting.ref}, sent by {who}, is already waiting for ELT to ratify it."


async def send_reminders(uow: UnitOfWork, deps: PolicyDeps) -> int:
    """Run at every scheduler tick. At a working moment, remind the Head of Comms of the
    review date: 60, 30 and 7 days before it, then each week while it is overdue; each
    reminder once per date, stage and person (its outbox key), so a new date starts over.
    Nothing is sent while a review waits for ELT. Returns how many were queued."""
    now, directory = deps.clock.now(), deps.directory
    comms = directory.holders("head_of_comms")
    if not comms or not deps.hours.is_working(now):
        return 0
    today = deps.today()
    async with uow:
        if await uow.policy.waiting_review() is not None:
            return 0
        due = next_review(await uow.policy.latest_ratified(), directory)
        stage = reminder_stage(due.due, today) if due else None
        if due is None or stage is None:
            return 0
        keys = {email: reminder_key(due.due, stage, email) for email in comms}
        known = await uow.outbox.deliveries(list(keys.values()))
        if all(key in known for key in keys.values()):
            return 0
        message = messages.reminder(due, today)
        sent = [
            email
            for email, key in keys.items()
            if key not in known and await uow.outbox.add(OutboxItem(key, email, message))
        ]
        if sent:
            await record(
                uow.audit,
                now,
                "system",
                "policy.review_reminded",
                ("policy_review_date", due.due.isoformat()),
                before=None,
                after={"stage": stage, "recipients": len(sent), "review": due.ratified_by_review},
            )
        await uow.commit()
    log.info("policy review reminder %s for %s: %d queued", stage, due.due, len(sent))
    return len(sent)
