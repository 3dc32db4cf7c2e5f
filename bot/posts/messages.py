# What the post flows say: the approver's card, the requester's updates, the publisher's card.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.approvals import SLOT_LABELS, Slot
from bot.directory import Directory
from bot.messages import Action, Message, Section, Style
from bot.posts.form import account_label
from bot.posts.model import (
    OBJECTIVE_LABELS,
    SHOWS_LABELS,
    STATUS_LABELS,
    Decision,
    PostRequest,
    Status,
)


class PostAction(StrEnum):
    APPROVE = "post_approve"
    CHANGES = "post_changes"
    REJECT = "post_reject"
    EDIT = "post_edit"
    PUBLISH = "post_publish"
    DELEGATE = "post_delegate"
    END_DELEGATION = "post_end_delegation"


@dataclass(frozen=True)
class PupilLine:
    """A pupil shown, as approvers see them: the name the school uses, and the consent check."""

    name: str
    covered: bool
    blurred: bool

    def describe(self) -> str:
        if self.blurred:
            return f"{self.name}: will be blurred or cropped out"
        return f"{self.name}: consent covers this" if self.covered else f"{self.name}: NO CONSENT"


def when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %Y, %H:%M")


def card_thread(ref: str, email: str) -> str:
    return f"post:{ref}:card:{email}"


def value(post: PostRequest) -> str:
    """What a card's buttons carry: the request and the version they were shown."""
    return f"{post.ref}:v{post.version}"


def request_card(
    post: PostRequest,
    directory: Directory,
    zone: ZoneInfo,
    pupils: Sequence[PupilLine],
    *,
    slot: Slot | None = None,
    for_whom: str | None = None,
) -> Message:
    """The card an approver acts on; its buttons only while the version waits for sign-off."""
    version = post.current
    account = directory.account(post.account_id)
    facts = [
        ("Account", account_label(account, directory) if account else post.account_id),
        ("What for", OBJECTIVE_LABELS[post.objective]),
        ("Requested by", directory.display_name(post.requester)),
        ("Goes out", when(version.publish_at, zone)),
        ("Shows", SHOWS_LABELS[version.shows]),
        ("Status", STATUS_LABELS[post.status]),
    ]
    sections = [Section("The text", version.text)]
    if version.media_links:
        sections.append(Section("Photos and videos", "\n".join(version.media_links)))
    if pupils:
        sections.append(Section("Pupils shown", "\n".join(p.describe() for p in pupils)))
    sections.append(Section("Automatic check", findings_text(post)))
    sections.append(Section("Sign-off", signoff_text(post, directory)))
    if len(post.versions) > 1 or post.signoffs_of(post.version - 1):
        sections.append(Section("History", history_text(post, directory, zone)))
    actions: tuple[Action, ...] = ()
    if post.status is Status.PENDING:
        actions = (
            Action(PostAction.APPROVE, "Approve", value(post), Style.PRIMARY),
            Action(PostAction.CHANGES, "Request changes", value(post)),
            Action(PostAction.REJECT, "Reject", value(post), Style.DANGER),
        )
    footer = None
    if slot is not None and for_whom:
        footer = f"You sign as {SLOT_LABELS[slot]} for {directory.display_name(for_whom)}."
    elif slot is not None:
        footer = f"You sign as {SLOT_LABELS[slot]}. Nobody signs off their own request."
    return Message(
        notification=f"Post request {post.ref} (version {post.version}) needs sign-off",
        title=f"Post request {post.ref} · version {post.version}",
        facts=tuple(facts),
        sections=tuple(sections),
        actions=actions,
        footer=footer,
    )


def findings_text(post: PostRequest) -> str:
    findings = post.current.findings
    if not findings:
        return "Nothing found."
    return "\n".join(("BLOCKING: " if f.blocking else "Advice: ") + f.message for f in findings)


def signoff_text(post: PostRequest, directory: Directory) -> str:
    lines = []
    for s in post.signoffs_of():
        who = directory.display_name(s.email)
        if s.on_behalf_of:
            who += f" for {directory.display_name(s.on_behalf_of)} (delegated)"
        verdict = {
            Decision.APPROVED: "approved",
            Decision.CHANGES: "asked for changes",
            Decision.REJECTED: "rejected",
        }[s.decision]
        line = f"{SLOT_LABELS[s.slot]}: {verdict} by {who}"
        lines.append(line + (f": “{s.comment}”" if s.comment else ""))
    return "\n".join(lines) or "Nobody has signed yet."


def history_text(post: PostRequest, directory: Directory, zone: ZoneInfo) -> str:
    lines = []
    for version in post.versions:
        lines.append(
            f"Version {version.number}: sent {when(version.submitted_at, zone)} by "
            f"{directory.display_name(version.submitted_by)}"
        )
        for s in post.signoffs_of(version.number):
            lines.append(
                f"  · {SLOT_LABELS[s.slot]} {s.decision.value} ({directory.display_name(s.email)})"
                + (f": “{s.comment}”" if s.comment else "")
            )
    return "\n".join(lines)


def superseded_card(post: PostRequest, number: int) -> Message:
    return Message(
        notification=f"Post request {post.ref}: version {number} replaced",
        title=f"Post request {post.ref} · version {number}",
        body=f"Version {post.version} has replaced this version; its card follows.",
    )


def receipt(post: PostRequest, directory: Directory, zone: ZoneInfo, waiting_for: str) -> Message:
    verb = "sent" if post.version == 1 else f"sent as version {post.version}"
    return Message(
        notification=f"Your post request {post.ref} was {verb}",
        title=f"Post request {post.ref} {verb}",
        body=f"It is waiting for {waiting_for}. You'll hear from me at each step.",
        facts=(("Goes out", when(post.current.publish_at, zone)),),
        sections=(Section("Automatic check", findings_text(post)),),
    )


def step(post: PostRequest, directory: Directory, what: str) -> Message:
    return Message(
        notification=f"Post request {post.ref}: {what}",
        title=f"Post request {post.ref}",
        body=what[0].upper() + what[1:] + ".",
        sections=(Section("Sign-off", signoff_text(post, directory)),),
    )


def changes_requested(post: PostRequest, directory: Directory, by: str, comment: str) -> Message:
    return Message(
        notification=f"Post request {post.ref}: changes requested",
        title=f"Changes requested on {post.ref}",
        body=f"{directory.display_name(by)} asked for changes. Edit the request and send it "
        "again; it becomes a new version.",
        sections=(Section("What should change", comment),),
        actions=(Action(PostAction.EDIT, "Edit and resubmit", post.ref, Style.PRIMARY),),
    )


def rejected(post: PostRequest, directory: Directory, by: str, reason: str) -> Message:
    return Message(
        notification=f"Post request {post.ref} was rejected",
        title=f"Post request {post.ref} rejected",
        body=f"{directory.display_name(by)} rejected it. It won't be posted.",
        sections=(Section("Reason", reason),),
    )


def expired(post: PostRequest, zone: ZoneInfo) -> Message:
    return Message(
        notification=f"Post request {post.ref} expired",
        title=f"Post request {post.ref} expired",
        body=f"Its time ({when(post.current.publish_at, zone)}) passed before both sign-offs. "
        "You can send it again with a new time.",
        actions=(Action(PostAction.EDIT, "Resubmit with a new time", post.ref, Style.PRIMARY),),
    )


def ready_to_publish(post: PostRequest, directory: Directory, zone: ZoneInfo) -> Message:
    account = directory.account(post.account_id)
    return Message(
        notification=f"Post request {post.ref} is approved and ready to publish",
        title=f"Ready to publish: {post.ref}",
        body="Both sign-offs are in. Publish it at the time below, then mark it published "
        "with the post's link.",
        facts=(
            ("Account", account_label(account, directory) if account else post.account_id),
            ("Goes out", when(post.current.publish_at, zone)),
        ),
        sections=(Section("The text", post.current.text),),
        actions=(Action(PostAction.PUBLISH, "Mark as published", post.ref, Style.PRIMARY),),
    )


def published(post: PostRequest, directory: Directory) -> Message:
    return Message(
        notification=f"Post request {post.ref} was published",
        title=f"Published: {post.ref}",
        body=f"{directory.display_name(post.published_by or '')} published it.",
        facts=(("Link", post.published_url or ""),),
    )


def nudge(post: PostRequest, zone: ZoneInfo) -> Message:
    return Message(
        notification=f"Reminder: post request {post.ref} is waiting for your sign-off",
        title=f"Waiting for you: {post.ref}",
        body=f"It has waited more than a day and goes out {when(post.current.publish_at, zone)}. "
        "The card above has the buttons.",
    )
