# What a person's home page shows of access.
from __future__ import annotations

from bot.access import messages, service
from bot.access.messages import AccessAction
from bot.access.model import site_name
from bot.messages import Action, Message, Section
from bot.services import Services


async def home_pages(services: Services, email: str) -> list[Message]:
    """The access waiting for this person, and their own."""
    deps = service.deps_of(services)
    home = await service.for_home(services.uow(), deps, email=email)
    directory = deps.directory
    pages: list[Message] = []
    if home.to_sign:
        pages.append(
            Message(
                notification="Posting access to sign off",
                title="Posting access waiting for you",
                body=f"{len(home.to_sign)} request(s) need your sign-off.",
            )
        )
        pages += [messages.grant_card(g, a, directory, deps.zone) for g, a in home.to_sign]
    if home.to_decide:
        pages.append(
            Message(
                notification="New accounts to decide",
                title="New accounts waiting for you",
                body=f"{len(home.to_decide)} proposal(s) need your decision.",
            )
        )
        pages += [messages.account_card(r, directory, deps.zone) for r in home.to_decide]
    if home.comms:
        posting = "As Head of Communications you may post on every official account."
    elif home.may_post_on:
        handles = ", ".join(f"{a.handle} ({a.platform})" for a in home.may_post_on)
        posting = f"You may post on: {handles}."
    else:
        posting = "You aren't authorised to post on any official account."
    sections = []
    lines = [
        f"{g.ref} · {a.handle if a else g.account_id} · {messages.GRANT_STATUS_LABELS[g.status]}"
        for g, a in home.my_grants
    ]
    lines += [
        f"{r.ref} · new {r.platform} account {r.handle} ({site_name(directory, r.site_id)}) · "
        f"{messages.ACCOUNT_STATUS_LABELS[r.status]}"
        for r in home.my_proposals
    ]
    if lines:
        sections.append(Section("Your requests, most recent first", "\n".join(lines)))
    pages.append(
        Message(
            notification="Posting on official accounts",
            title="Posting on official accounts",
            body=posting,
            sections=tuple(sections),
            actions=(
                *(
                    ()
                    if home.comms
                    else (Action(AccessAction.ASK, "Ask to post on an account", "ask"),)
                ),
                Action(AccessAction.PROPOSE, "Propose a new account", "propose"),
            ),
            footer="Only staff authorised by the Head of Communications and the Headteacher "
            "post on Trust or school accounts. /policybot access and /policybot new-account "
            "do the same as these buttons.",
        )
    )
    return pages
