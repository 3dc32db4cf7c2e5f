# Slack listeners for post requests: the command, the pupil search, the cards' buttons, the forms.
from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals import SLOT_LABELS, Slot, delegate_candidates, roles_to_delegate
from bot.errors import FormInvalid, NotAllowed, PolicyError, UnknownPerson
from bot.forms import Option, clean_values
from bot.posts import form as forms
from bot.posts import service as posts
from bot.posts.deps import PostDeps
from bot.posts.messages import PostAction
from bot.posts.model import Decision
from bot.services import Services
from handlers.slack import parse, render
from handlers.slack.feedback import tell
from handlers.slack.listeners import act, submit_form
from handlers.slack.people import SlackPeople

log = logging.getLogger(__name__)
COMMAND = "/request-post"


def register(app: AsyncApp, services: Services, people: SlackPeople) -> None:
    """Attach the post request listeners; each acks first (or acks with its answer)."""

    def deps() -> PostDeps:
        return services.post_deps()

    async def request_form(email: str, **edit: Any) -> dict[str, Any] | None:
        accounts = await posts.accounts_for(services.uow(), deps(), email)
        if not accounts:
            return None
        default = forms.default_publish_time(services.clock.now(), services.hours.zone)
        return render.modal(
            forms.request_form(accounts, services.directory, default_time=default, **edit)
        )

    @app.command(COMMAND)
    async def open_request(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        log.info("command %s from %s", COMMAND, body.get("user_id"))
        try:
            email = await people.email_of(body["user_id"])
        except UnknownPerson as error:
            await tell(client, body, error.message)
            return
        view = await request_form(email)
        if view is None:
            await tell(
                client,
                body,
                "There is no official account for your school or the Trust in the directory "
                "yet. Please ask the Head of Communications.",
            )
            return
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    async def pupil_search(ack: AsyncAck, body: dict[str, Any]) -> None:
        try:
            email = await people.email_of((body.get("user") or {}).get("id", ""))
        except UnknownPerson:
            await ack(options=[])
            return
        account = parse.view_values(body.get("view") or {}).get("account")
        found = await posts.pupil_options(
            services.uow(),
            deps(),
            email=email,
            account_id=account if isinstance(account, str) else None,
            query=str(body.get("value") or ""),
        )
        await ack(**render.options([(o.value, o.label) for o in found]))

    for field in forms.PUPIL_FIELDS:
        app.options(field)(pupil_search)

    @app.view(forms.REQUEST_FORM)
    async def submit_request(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, ref: str, values: dict[str, object], view: Any) -> dict:
            accounts = await posts.accounts_for(services.uow(), deps(), email)
            default = forms.default_publish_time(services.clock.now(), services.hours.zone)
            form = forms.request_form(accounts, services.directory, default_time=default)
            data = forms.parse_request(
                form, values, allowed_accounts=[a.id for a in accounts], now=services.clock.now()
            )
            done = await posts.submit(
                services.uow(),
                deps(),
                requester=email,
                data=data,
                source_key=f"slack:view:{view['id']}",
                ref=ref or None,
            )
            findings = posts.messages.findings_text(done.post)
            return render.notice_view(
                "Sent for approval",
                f"{done.post.ref} (version {done.post.version}) is waiting for "
                f"{done.waiting_for}. I'll message you at each step.\n\n"
                f"Automatic check: {findings}",
            )

        await submit_form(
            services, people, ack, body, view, "post request", call, failed="Not sent"
        )

    def _ref_version(value: str) -> tuple[str, int]:
        ref, _, version = value.rpartition(":v")
        if not ref or not version.isdigit():
            raise NotAllowed("That button is out of date; please use the newest card.")
        return ref, int(version)

    @app.action(PostAction.APPROVE)
    async def approve(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()

        async def call(email: str, value: str) -> None:
            ref, version = _ref_version(value)
            await posts.decide(
                services.uow(),
                deps(),
                ref=ref,
                version=version,
                actor=email,
                decision=Decision.APPROVED,
            )

        await act(services, people, client, body, "approve post", call)

    def comment_opener(form_id: str) -> Any:
        async def open_form(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
            await ack()
            try:
                ref, version = _ref_version(parse.action_value(body))
            except PolicyError as error:
                await tell(client, body, error.message)
                return
            form = forms.comment_form(form_id, ref, version)
            await client.views_open(trigger_id=body["trigger_id"], view=render.modal(form))

        return open_form

    app.action(PostAction.CHANGES)(comment_opener(forms.CHANGES_FORM))
    app.action(PostAction.REJECT)(comment_opener(forms.REJECT_FORM))

    def comment_submitter(form_id: str, decision: Decision) -> Any:
        async def submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
            async def call(email: str, ref: str, values: dict[str, object], _v: Any) -> dict:
                version = parse.metadata(view).get("version", "")
                comment = str(clean_values(forms.comment_form(form_id, ref, 0), values)["comment"])
                if not version.isdigit():
                    raise NotAllowed("This form is out of date; please use the newest card.")
                await posts.decide(
                    services.uow(),
                    deps(),
                    ref=ref,
                    version=int(version),
                    actor=email,
                    decision=decision,
                    comment=comment,
                )
                return render.notice_view("Sent", f"{ref}: the requester has been told.")

            await submit_form(services, people, ack, body, view, f"post {decision.value}", call)

        return submit

    app.view(forms.CHANGES_FORM)(comment_submitter(forms.CHANGES_FORM, Decision.CHANGES))
    app.view(forms.REJECT_FORM)(comment_submitter(forms.REJECT_FORM, Decision.REJECTED))

    @app.action(PostAction.EDIT)
    async def edit(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        ref = parse.action_value(body)
        try:
            email = await people.email_of(body["user"]["id"])
            post, labels = await posts.editable(services.uow(), deps(), ref=ref, actor=email)
        except PolicyError as error:
            await tell(client, body, error.message)
            return
        view = await request_form(
            email,
            ref=post.ref,
            account_id=post.account_id,
            objective=post.objective,
            earlier=post.current,
            pupil_options=labels,
        )
        if view is not None:
            await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(PostAction.PUBLISH)
    async def open_publish(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        form = forms.publish_form(parse.action_value(body))
        await client.views_open(trigger_id=body["trigger_id"], view=render.modal(form))

    @app.view(forms.PUBLISH_FORM)
    async def submit_publish(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, ref: str, values: dict[str, object], _v: Any) -> dict:
            url = forms.parse_url(values)
            await posts.mark_published(services.uow(), deps(), ref=ref, actor=email, url=url)
            return render.notice_view("Published", f"{ref} is recorded as published. Thank you.")

        await submit_form(services, people, ack, body, view, "mark published", call)

    @app.action(PostAction.DELEGATE)
    async def open_delegate(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        try:
            email = await people.email_of(body["user"]["id"])
        except UnknownPerson as error:
            await tell(client, body, error.message)
            return
        directory = services.directory
        roles = roles_to_delegate(directory, email)
        colleagues = {
            person: directory.display_name(person)
            for role in roles
            for person in delegate_candidates(directory, email, role)
        }
        if not colleagues:
            await tell(
                client,
                body,
                "Nobody else holds your sign-off role, so there is "
                "nobody to delegate to. Please ask the ELT.",
            )
            return
        form = forms.delegate_form(
            [(role, SLOT_LABELS[Slot(role)]) for role in roles],
            [Option(e, name) for e, name in sorted(colleagues.items(), key=lambda i: i[1])],
            services.clock.now().astimezone(services.hours.zone).date(),
        )
        await client.views_open(trigger_id=body["trigger_id"], view=render.modal(form))

    @app.view(forms.DELEGATE_FORM)
    async def submit_delegate(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, _ref: str, values: dict[str, object], _v: Any) -> dict:
            role, to, until = forms.parse_delegation(values)
            try:
                made = await posts.delegate(
                    services.uow(), deps(), actor=email, to=to, role=role, until=until
                )
            except NotAllowed as error:
                raise FormInvalid({"to": error.message}) from None
            return render.notice_view(
                "Delegated",
                f"{services.directory.display_name(made.to_email)} signs in your place until "
                f"{made.until:%d %B %Y}. It is shown on every request they sign.",
            )

        await submit_form(services, people, ack, body, view, "delegate", call)

    @app.action(PostAction.END_DELEGATION)
    async def end_delegation(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()

        async def call(email: str, value: str) -> None:
            if not value.isdigit():
                raise NotAllowed("That button is out of date.")
            await posts.end_delegation(
                services.uow(), deps(), actor=email, delegation_id=int(value)
            )
            await tell(client, body, "The delegation has ended.")

        await act(services, people, client, body, "end delegation", call)
