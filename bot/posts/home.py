# What a person's home page shows of post requests: sign-offs waiting, posts to publish, their
# own requests, and (for approvers) delegation while away.
from __future__ import annotations

from bot.approvals import SLOT_LABELS, Delegation, Slot, roles_to_delegate
from bot.messages import Action, Message, Section, Style
from bot.posts import messages
from bot.posts import service as posts
from bot.posts.messages import PostAction, when
from bot.posts.model import EDITABLE, STATUS_LABELS
from bot.services import Services


async def home_pages(services: Services, email: str) -> list[Message]:
    """The person's post pages, most urgent first."""
    deps = services.post_deps()
    directory, zone = deps.directory, deps.zone
    pages: list[Message] = []
    waiting = await posts.waiting_for(services.uow(), deps, email)
    if waiting:
        pages.append(
            Message(
                notification="Posts waiting for you",
                title="Post requests waiting for your sign-off",
                body=f"{len(waiting)} request(s).",
            )
        )
        pages += [
            messages.request_card(post, directory, zone, lines, slot=slot)
            for post, slot, lines in waiting
        ]
    ready = await posts.ready_for(services.uow(), deps, email)
    pages += [messages.ready_to_publish(post, directory, zone) for post in ready]
    roles = roles_to_delegate(directory, email)
    if roles:
        pages.append(
            _delegation_page(
                await posts.my_delegations(services.uow(), deps, email), email, services
            )
        )
    mine = await posts.mine(services.uow(), email)
    if mine:
        lines = [
            f"{p.ref} · version {p.version} · {STATUS_LABELS[p.status]} · goes out "
            f"{when(p.current.publish_at, zone)}"
            for p in mine
        ]
        edits = tuple(
            Action(PostAction.EDIT, f"Edit {p.ref}", p.ref) for p in mine if p.status in EDITABLE
        )
        pages.append(
            Message(
                notification="Your post requests",
                title="Post requests you made",
                sections=(Section("Most recent first", "\n".join(lines)),),
                actions=edits[:5],
            )
        )
    return pages


def _delegation_page(delegations: list[Delegation], email: str, services: Services) -> Message:
    directory = services.directory
    lines, actions = [], [Action(PostAction.DELEGATE, "Delegate while away", "new", Style.PRIMARY)]
    for d in delegations:
        role = SLOT_LABELS[Slot(d.role)]
        if d.from_email == email:
            lines.append(
                f"{directory.display_name(d.to_email)} signs for you as {role} "
                f"until {d.until:%d %B %Y}."
            )
            actions.append(Action(PostAction.END_DELEGATION, "End delegation", str(d.id)))
        else:
            lines.append(
                f"You sign for {directory.display_name(d.from_email)} as {role} "
                f"until {d.until:%d %B %Y}."
            )
    return Message(
        notification="Delegation",
        title="Away? Delegate your sign-offs",
        body="\n".join(lines) or "Nobody signs in your place at the moment.",
        actions=tuple(actions[:5]),
    )
