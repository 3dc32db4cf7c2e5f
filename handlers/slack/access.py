# Slack listeners for access: asking to post on an account, signing off, refusing, revoking, the
# register, and proposals of new accounts; and the `/policybot access|accounts|new-account` words.
from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.access import forms, service
from bot.access.messages import AccessAction, register_messages
from bot.errors import FormInvalid, NotAllowed, PolicyError
from bot.forms import Form
from bot.services import Services
from handlers.slack import parse, render
from handlers.slack.feedback import tell
from handlers.slack.listeners import act, submit_form
from handlers.slack.people import SlackPeople

log = logging.getLogger(__name__)
SUBCOMMANDS = ("access", "accounts", "new-account")


async def policybot_subcommand(
    services: Services,
    people: SlackPeople,
    *,
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> bool:
    """Handle `/policybot access`, `/policybot new-account` and `/policybot accounts [site]`;
    False (nothing done, nothing acked) for any other text."""
    words = str(body.get("text") or "").split()
    if not words or words[0].lower() not in SUBCOMMANDS:
        return False
    word = words[0].lower()
    await ack()
    log.info("command /policybot %s from %s", word, body.get("user_id"))
    try:
        email = await people.email_of(body["user_id"])
        if word == "accounts":
            await respond(**_register_reply(await _register(services, email, words[1:])))
            return True
        form = await (_access_form if word == "access" else _account_form)(services, email)
    except PolicyError as error:
        await respond(response_type="ephemeral", text=error.message)
        return True
    await client.views_open(trigger_id=body["trigger_id"], view=render.modal(form))
    return True


async def _access_form(services: Services, email: str) -> Form:
    directory = services.directory
    accounts = await service.all_accounts(services.uow(), directory)
    return forms.access_form(directory, email, accounts)


async def _account_form(services: Services, email: str) -> Form:
    return forms.account_form(services.directory, email)


async def _register(services: Services, email: str, words: list[str]) -> list[Any]:
    deps = service.deps_of(services)
    entries = await service.register(
        services.uow(), deps, viewer=email, filter_text=" ".join(words)
    )
    return register_messages(
        entries, deps.directory, comms=deps.directory.holders(service.COMMS_ROLE)
    )


def _register_reply(pages: list[Any]) -> dict[str, Any]:
    """The register as one private message, cut to Slack's size with a note on narrowing it."""
    return render.ephemeral_pages(
        pages,
        lambda shown: (
            f"Showing {shown - 1} of {len(pages) - 1} accounts. Add a school's id to see only "
            "its accounts, for example /policybot accounts willow."
        ),
    )


def register(app: AsyncApp, services: Services, people: SlackPeople) -> None:
    """Attach the access listeners. Each acks first (or acks with its answer), then works."""

    def deps() -> service.AccessDeps:
        return service.deps_of(services)

    async def _open(
        body: dict[str, Any], client: AsyncWebClient, build: Callable[[str], Awaitable[Form]]
    ) -> None:
        try:
            email = await people.email_of(body["user"]["id"])
            form = await build(email)
        except PolicyError as error:
            await tell(client, body, error.message)
            return
        await client.views_open(trigger_id=body["trigger_id"], view=render.modal(form))

    @app.action(AccessAction.ASK)
    async def ask(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await _open(body, client, lambda email: _access_form(services, email))

    @app.action(AccessAction.PROPOSE)
    async def propose(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await _open(body, client, lambda email: _account_form(services, email))

    def _reason_opener(check: Any, form_for: Callable[[str], Form]) -> Any:
        async def open_reason(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
            await ack()
            ref = parse.action_value(body)

            async def build(email: str) -> Form:
                await check(services.uow(), deps(), ref=ref, actor=email)
                return form_for(ref)

            await _open(body, client, build)

        return open_reason

    app.action(AccessAction.REFUSE)(_reason_opener(service.check_can_refuse, forms.refuse_form))
    app.action(re.compile(rf"^{AccessAction.REVOKE}(:|$)"))(
        _reason_opener(service.check_can_revoke, forms.revoke_form)
    )
    app.action(AccessAction.ACCOUNT_DECLINE)(
        _reason_opener(service.check_can_decide, forms.decline_form)
    )

    async def _act(client: AsyncWebClient, body: dict[str, Any], what: str, call: Any) -> None:
        await act(services, people, client, body, what, call)

    @app.action(AccessAction.APPROVE)
    async def approve(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await _act(
            client,
            body,
            "approve access",
            lambda email, ref: service.approve_access(services.uow(), deps(), ref=ref, actor=email),
        )

    @app.action(AccessAction.ACCOUNT_APPROVE)
    async def approve_account(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await _act(
            client,
            body,
            "approve account",
            lambda email, ref: service.approve_account(
                services.uow(), deps(), ref=ref, actor=email
            ),
        )

    @app.options(forms.RUNNERS)
    async def runner_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        query = str(body.get("value") or "")
        await ack(**render.options(forms.runner_options(services.directory, query)))

    async def _submit_form(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], what: str, call: Any
    ) -> None:
        await submit_form(services, people, ack, body, view, what, call, failed="Not done")

    @app.view(forms.ACCESS_FORM)
    async def submit_access(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, _ref: str, values: dict[str, object], view: Any) -> dict:
            directory = services.directory
            accounts = await service.all_accounts(services.uow(), directory)
            data = forms.parse_access(forms.access_form(directory, email, accounts), values)
            try:
                done = await service.request_access(
                    services.uow(),
                    deps(),
                    requester=email,
                    account_id=data.account_id,
                    reason=data.reason,
                    source_key=f"slack:view:{view['id']}",
                )
            except NotAllowed as error:
                raise FormInvalid({"account_id": error.message}) from None
            return render.notice_view(
                "Request sent",
                f"Thank you. Your request {done.grant.ref} to post on {done.account.handle} "
                "has gone to the two people who sign it off. You'll get a message here at each "
                "step.",
            )

        await _submit_form(ack, body, view, "access request", call)

    @app.view(forms.ACCOUNT_FORM)
    async def submit_account(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, _ref: str, values: dict[str, object], view: Any) -> dict:
            directory = services.directory
            accounts = await service.all_accounts(services.uow(), directory)
            data = forms.parse_account(
                forms.account_form(directory, email),
                values,
                directory=directory,
                accounts=accounts,
            )
            done = await service.request_account(
                services.uow(),
                deps(),
                requester=email,
                data=data,
                source_key=f"slack:view:{view['id']}",
            )
            return render.notice_view(
                "Proposal sent",
                f"Thank you. Your proposal {done.request.ref} has gone to the Head of "
                "Communications, who will talk with you about it. You'll hear here when it "
                "is decided.",
            )

        await _submit_form(ack, body, view, "account request", call)

    def _reason_submit(
        form_for: Callable[[str], Form], use_case: Any, what: str, done: tuple[str, str]
    ) -> Any:
        async def submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
            async def call(email: str, ref: str, values: dict[str, object], _view: Any) -> dict:
                reason = forms.parse_reason(form_for(ref), values)
                await use_case(services.uow(), deps(), ref=ref, actor=email, reason=reason)
                return render.notice_view(done[0], done[1].format(ref=ref))

            await _submit_form(ack, body, view, what, call)

        return submit

    app.view(forms.REFUSE_FORM)(
        _reason_submit(
            forms.refuse_form,
            service.refuse_access,
            "refuse access",
            ("Refused", "{ref} is refused. The person has been told, with your reason."),
        )
    )
    app.view(forms.REVOKE_FORM)(
        _reason_submit(
            forms.revoke_form,
            service.revoke_access,
            "revoke access",
            ("Revoked", "{ref} is revoked. The person has been told, with your reason."),
        )
    )
    app.view(forms.DECLINE_FORM)(
        _reason_submit(
            forms.decline_form,
            service.decline_account,
            "decline account",
            ("Declined", "{ref} is declined. The person has been told, with your reason."),
        )
    )
