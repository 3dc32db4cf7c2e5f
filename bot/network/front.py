# The front desk of the school network: `/policybot network` (Teams "network access") asks for a
# platform for pupils, `/policybot unblock` (Teams "unblock") for a blocked site; the buttons of
# the Headteacher's and the IT provider's cards, and the reason for declining.
from __future__ import annotations

from collections.abc import Mapping

from bot.errors import FormInvalid, NotAllowed
from bot.front import Asked, Button, Command, Desk, Notice, OpenForm, Submit
from bot.help import HELP_COMMAND as COMMAND
from bot.network import forms, service
from bot.network.messages import NetworkAction
from bot.services import Services


def desk() -> Desk:
    """Everything the network flows offer in chat."""
    return Desk(
        commands=(
            Command(
                COMMAND, "network access", "network access request", open_platform, word="network"
            ),
            Command(COMMAND, "unblock", "unblock request", open_unblock, word="unblock"),
        ),
        submits=(
            Submit(forms.PLATFORM_FORM, "network access request", request_platform, "Not done"),
            Submit(forms.UNBLOCK_FORM, "unblock request", request_unblock, "Not done"),
            Submit(forms.DECLINE_FORM, "decline network request", decline, "Not done"),
        ),
        buttons=(
            Button(NetworkAction.ASK, "open network access request", open_platform),
            Button(NetworkAction.ASK_UNBLOCK, "open unblock request", open_unblock),
            Button(NetworkAction.APPROVE, "approve network access", approve),
            Button(NetworkAction.DONE, "network request done", done),
            Button(NetworkAction.REMOVED, "network access removed", removed),
            Button(NetworkAction.DECLINE, "open decline network request", open_decline),
        ),
    )


async def open_platform(services: Services, asked: Asked, _text: str) -> OpenForm:
    directory = services.directory
    if not forms.schools_of(directory, asked.email):
        raise NotAllowed(
            "Network access for pupils is asked for by staff of a school; the directory doesn't "
            "list you at one."
        )
    return OpenForm(forms.platform_form(directory, asked.email))


async def open_unblock(services: Services, asked: Asked, _text: str) -> OpenForm:
    if not services.directory.sites_of(asked.email):
        raise NotAllowed("The directory doesn't list you at a school or site yet.")
    return OpenForm(forms.unblock_form(services.directory, asked.email))


async def request_platform(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    deps = service.deps_of(services)
    form = forms.platform_form(deps.directory, asked.email)
    data = forms.parse_platform(form, values, today=deps.today())
    try:
        done = await service.request_platform(
            services.uow(), deps, requester=asked.email, data=data, source_key=asked.source_key
        )
    except NotAllowed as error:
        raise FormInvalid({"site_id": error.message}) from None
    request = done.request
    if request.approved_by:
        next_step = "As Headteacher you gave the permission; it has gone to the IT provider."
    else:
        next_step = "It has gone to your Headteacher."
    return Notice(
        "Request sent",
        f"Thank you. Your request {request.ref} for {request.platform} is recorded. {next_step} "
        "You'll get a message here at each step.",
    )


async def request_unblock(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    deps = service.deps_of(services)
    data = forms.parse_unblock(forms.unblock_form(deps.directory, asked.email), values)
    try:
        done = await service.request_unblock(
            services.uow(), deps, requester=asked.email, data=data, source_key=asked.source_key
        )
    except NotAllowed as error:
        raise FormInvalid({"site_id": error.message}) from None
    return Notice(
        "Request sent",
        f"Thank you. Your request {done.request.ref} has gone to the Trust's IT provider. "
        "You'll hear here when it is done or declined.",
    )


async def approve(services: Services, asked: Asked, ref: str) -> None:
    await service.approve(services.uow(), service.deps_of(services), ref=ref, actor=asked.email)


async def done(services: Services, asked: Asked, ref: str) -> None:
    await service.complete(services.uow(), service.deps_of(services), ref=ref, actor=asked.email)


async def removed(services: Services, asked: Asked, ref: str) -> None:
    deps = service.deps_of(services)
    await service.access_removed(services.uow(), deps, ref=ref, actor=asked.email)


async def open_decline(services: Services, asked: Asked, ref: str) -> OpenForm:
    """The reason form, for someone who may decline `ref` now."""
    deps = service.deps_of(services)
    await service.check_can_decline(services.uow(), deps, ref=ref, actor=asked.email)
    return OpenForm(forms.decline_form(ref))


async def decline(
    services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    ref = context.get("ref", "")
    reason = forms.parse_reason(ref, values)
    deps = service.deps_of(services)
    await service.decline(services.uow(), deps, ref=ref, actor=asked.email, reason=reason)
    return Notice("Declined", f"{ref} is declined. The person has been told, with your reason.")
