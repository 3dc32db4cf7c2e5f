# What a person's home page shows of the school network: requests waiting for them (the
# Headteacher's decisions, the IT provider's work and access to remove), and their own requests.
from __future__ import annotations

from bot.messages import Action, Message, Section
from bot.network import messages, service
from bot.network.messages import NetworkAction
from bot.network.model import STATUS_LABELS, Kind
from bot.services import Services

SHOWN = 10


async def home_pages(services: Services, email: str) -> list[Message]:
    """Cards waiting for this person, then their own requests (nothing when there are none)."""
    deps = service.deps_of(services)
    home = await service.for_home(services.uow(), deps, email=email)
    directory, zone = deps.directory, deps.zone
    pages: list[Message] = []
    if home.to_decide:
        pages.append(
            Message(
                notification="Network access to decide",
                title="Network access waiting for you",
                body=f"{len(home.to_decide)} request(s) for pupils to use a platform on the "
                "school network need your decision.",
            )
        )
        pages += [messages.head_card(r, directory, zone) for r in home.to_decide[:SHOWN]]
    if home.to_do:
        pages.append(
            Message(
                notification="Network requests for IT",
                title="Network requests waiting for you",
                body=f"{len(home.to_do)} request(s): security measures to apply or sites to "
                "unblock.",
            )
        )
        pages += [messages.it_card(r, directory, zone) for r in home.to_do[:SHOWN]]
    if home.to_remove:
        pages.append(
            Message(
                notification="Network access to remove",
                title="Access to remove after an activity",
                body=f"{len(home.to_remove)} activity(ies) have ended: please remove pupils' "
                "access and press Access removed.",
            )
        )
        pages += [messages.end_card(r, directory, zone) for r in home.to_remove[:SHOWN]]
    if home.mine:
        lines = [
            f"{r.ref} · {r.platform if r.kind is Kind.PLATFORM else r.address} · "
            f"{STATUS_LABELS[r.status]}"
            for r in home.mine
        ]
        pages.append(
            Message(
                notification="Your network requests",
                title="School network",
                sections=(Section("Your requests, most recent first", "\n".join(lines)),),
                actions=(
                    Action(NetworkAction.ASK, "Ask for network access", "ask"),
                    Action(NetworkAction.ASK_UNBLOCK, "Ask to unblock a site", "ask"),
                ),
                footer="/policybot network and /policybot unblock do the same as these buttons.",
            )
        )
    return pages
