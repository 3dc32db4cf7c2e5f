# The front desk of access: asking to post on an account, signing off, refusing, revoking, the
# register, and proposals of new accounts; `/policybot access|new-account|accounts`.
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from bot.access import forms, service
from bot.access.messages import AccessAction, register_messages
from bot.errors import FormInvalid, NotAllowed
from bot.forms import Form
from bot.front import (
    Asked,
    Button,
    ButtonRun,
    Command,
    Desk,
    Notice,
    OpenForm,
    Pages,
    Search,
    Submit,
    SubmitRun,
    staff_search,
)
from bot.help import HELP_COMMAND as COMMAND
from bot.services import Services

Check = Callable[..., Awaitable[None]]  # service.check_can_*(uow, deps, *, ref, actor)
Decide = Callable[..., Awaitable[object]]  # service.refuse_access & co (..., *, ref, actor, reason)


def desk() -> Desk:
    """Everything access offers in chat."""
    return Desk(
        commands=(
            Command(COMMAND, "access", "access request", open_access, word="access"),
            Command(COMMAND, "new account", "account request", open_account, word="new-account"),
            Command(COMMAND, "accounts", "register of posters", show_register, word="accounts"),
        ),
        submits=(
            Submit(forms.ACCESS_FORM, "access request", request_access, "Not done"),
            Submit(forms.ACCOUNT_FORM, "account request", request_account, "Not done"),
            Submit(
                forms.REFUSE_FORM,
                "refuse access",
                _with_reason(forms.refuse_form, service.refuse_access, "Refused"),
                "Not done",
            ),
            Submit(
                forms.REVOKE_FORM,
                "revoke access",
                _with_reason(forms.revoke_form, service.revoke_access, "Revoked"),
                "Not done",
            ),
            Submit(
                forms.DECLINE_FORM,
                "decline account",
                _with_reason(forms.decline_form, service.decline_account, "Declined"),
                "Not done",
            ),
        ),
        buttons=(
            Button(AccessAction.ASK, "open access request", open_access),
            Button(AccessAction.PROPOSE, "open account request", open_account),
            Button(AccessAction.APPROVE, "approve access", approve_access),
            Button(AccessAction.ACCOUNT_APPROVE, "approve account", approve_account),
            Button(
                AccessAction.REFUSE,
                "open refuse access",
                _reason(service.check_can_refuse, forms.refuse_form),
            ),
            Button(
                AccessAction.REVOKE,
                "open revoke access",
                _reason(service.check_can_revoke, forms.revoke_form),
                prefixed=True,
            ),
            Button(
                AccessAction.ACCOUNT_DECLINE,
                "open decline account",
                _reason(service.check_can_decide, forms.decline_form),
            ),
        ),
        searches=(Search(forms.RUNNERS_FIELD, "runner search", staff_search),),
    )


async def open_access(services: Services, asked: Asked, _text: str) -> OpenForm:
    directory = services.directory
    accounts = await service.all_accounts(services.uow(), directory)
    return OpenForm(forms.access_form(directory, asked.email, accounts))


async def open_account(services: Services, asked: Asked, _text: str) -> OpenForm:
    return OpenForm(forms.account_form(services.directory, asked.email))


async def show_register(services: Services, asked: Asked, text: str) -> Pages:
    """The register of authorised posters, narrowed to the sites named in `text`."""
    deps = service.deps_of(services)
    entries = await service.register(services.uow(), deps, viewer=asked.email, filter_text=text)
    pages = register_messages(
        entries, deps.directory, comms=deps.directory.holders(service.COMMS_ROLE)
    )
    return Pages(
        pages,
        cut=lambda shown: (
            f"Showing {shown - 1} of {len(pages) - 1} accounts. Add a school's id to see only "
            "its accounts, for example /policybot accounts willow."
        ),
    )


async def approve_access(services: Services, asked: Asked, ref: str) -> None:
    await service.approve_access(
        services.uow(), service.deps_of(services), ref=ref, actor=asked.email
    )


async def approve_account(services: Services, asked: Asked, ref: str) -> None:
    await service.approve_account(
        services.uow(), service.deps_of(services), ref=ref, actor=asked.email
    )


def _reason(check: Check, form_for: Callable[[str], Form]) -> ButtonRun:
    """A button that opens a reason form, after checking the person may act on `ref` now."""

    async def open_reason(services: Services, asked: Asked, ref: str) -> OpenForm:
        await check(services.uow(), service.deps_of(services), ref=ref, actor=asked.email)
        return OpenForm(form_for(ref))

    return open_reason


async def request_access(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    directory = services.directory
    accounts = await service.all_accounts(services.uow(), directory)
    data = forms.parse_access(forms.access_form(directory, asked.email, accounts), values)
    try:
        done = await service.request_access(
            services.uow(),
            service.deps_of(services),
            requester=asked.email,
            account_id=data.account_id,
            reason=data.reason,
            source_key=asked.source_key,
        )
    except NotAllowed as error:
        raise FormInvalid({"account_id": error.message}) from None
    return Notice(
        "Request sent",
        f"Thank you. Your request {done.grant.ref} to post on {done.account.handle} "
        "has gone to the two people who sign it off. You'll get a message here at each "
        "step.",
    )


async def request_account(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    directory = services.directory
    accounts = await service.all_accounts(services.uow(), directory)
    form = forms.account_form(directory, asked.email)
    data = forms.parse_account(form, values, directory=directory, accounts=accounts)
    done = await service.request_account(
        services.uow(),
        service.deps_of(services),
        requester=asked.email,
        data=data,
        source_key=asked.source_key,
    )
    return Notice(
        "Proposal sent",
        f"Thank you. Your proposal {done.request.ref} has gone to the Head of "
        "Communications, who will talk with you about it. You'll hear here when it "
        "is decided.",
    )


def _with_reason(form_for: Callable[[str], Form], use_case: Decide, done: str) -> SubmitRun:
    """Refuse, revoke or decline `ref` with the reason given; the person is told it."""

    async def submit(
        services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
    ) -> Notice:
        ref = context.get("ref", "")
        reason = forms.parse_reason(form_for(ref), values)
        deps = service.deps_of(services)
        await use_case(services.uow(), deps, ref=ref, actor=asked.email, reason=reason)
        told = "The person has been told, with your reason."
        return Notice(done, f"{ref} is {done.lower()}. {told}")

    return submit
