# The front desk of post requests: /request-post, the pupil search, the sign-off buttons and forms,
# marking a post published, and delegating sign-offs while away.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.approvals import SLOT_LABELS, Slot, delegate_candidates, roles_to_delegate
from bot.errors import FormInvalid, NotAllowed
from bot.forms import Form, Option, clean_values
from bot.front import (
    Asked,
    Button,
    ButtonRun,
    Command,
    Desk,
    Notice,
    OpenForm,
    Search,
    Submit,
    SubmitRun,
)
from bot.posts import form as forms
from bot.posts import service as posts
from bot.posts.messages import PostAction, findings_text
from bot.posts.model import Decision
from bot.services import Services

COMMAND = "/request-post"
NO_ACCOUNT = (
    "There is no official account for your school or the Trust in the directory yet. "
    "Please ask the Head of Communications."
)
NOBODY_TO_DELEGATE_TO = (
    "Nobody else holds your sign-off role, so there is nobody to delegate to. Please ask the ELT."
)


def desk() -> Desk:
    """Everything post requests offer in chat."""
    return Desk(
        commands=(Command(COMMAND, "request post", "post request", open_request),),
        submits=(
            Submit(forms.REQUEST_FORM, "post request", submit_request, failed="Not sent"),
            Submit(forms.CHANGES_FORM, "post changes", _decide_with_comment(Decision.CHANGES)),
            Submit(forms.REJECT_FORM, "post rejected", _decide_with_comment(Decision.REJECTED)),
            Submit(forms.PUBLISH_FORM, "mark published", mark_published),
            Submit(forms.DELEGATE_FORM, "delegate", delegate),
        ),
        buttons=(
            Button(PostAction.APPROVE, "approve post", approve),
            Button(PostAction.CHANGES, "ask for changes", _comment_opener(forms.CHANGES_FORM)),
            Button(PostAction.REJECT, "reject post", _comment_opener(forms.REJECT_FORM)),
            Button(PostAction.EDIT, "edit post", edit),
            Button(PostAction.PUBLISH, "open publish", open_publish),
            Button(PostAction.DELEGATE, "open delegate", open_delegate),
            Button(PostAction.END_DELEGATION, "end delegation", end_delegation),
        ),
        searches=tuple(Search(f, "pupil search", pupil_options) for f in forms.PUPIL_FIELDS),
    )


async def _request_form(services: Services, email: str, **edit: Any) -> Form | None:
    """The request form for the accounts this person may ask for; None when there is none."""
    accounts = await posts.accounts_for(services.uow(), services.post_deps(), email)
    if not accounts:
        return None
    default = forms.default_publish_time(services.clock.now(), services.hours.zone)
    return forms.request_form(accounts, services.directory, default_time=default, **edit)


async def open_request(services: Services, asked: Asked, _text: str) -> OpenForm | Notice:
    form = await _request_form(services, asked.email)
    return OpenForm(form) if form else Notice("No account yet", NO_ACCOUNT)


async def pupil_options(
    services: Services, email: str, query: str, values: Mapping[str, object]
) -> list[Option]:
    """Pupils of the chosen account's school (or the person's schools) on the register."""
    account = values.get("account")
    return await posts.pupil_options(
        services.uow(),
        services.post_deps(),
        email=email,
        account_id=account if isinstance(account, str) else None,
        query=query,
    )


async def submit_request(
    services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    deps = services.post_deps()
    accounts = await posts.accounts_for(services.uow(), deps, asked.email)
    default = forms.default_publish_time(services.clock.now(), services.hours.zone)
    form = forms.request_form(accounts, services.directory, default_time=default)
    data = forms.parse_request(
        form, values, allowed_accounts=[a.id for a in accounts], now=services.clock.now()
    )
    done = await posts.submit(
        services.uow(),
        deps,
        requester=asked.email,
        data=data,
        source_key=asked.source_key,
        ref=context.get("ref") or None,
    )
    return Notice(
        "Sent for approval",
        f"{done.post.ref} (version {done.post.version}) is waiting for "
        f"{done.waiting_for}. I'll message you at each step.\n\n"
        f"Automatic check: {findings_text(done.post)}",
    )


def _ref_version(value: str) -> tuple[str, int]:
    """A sign-off button's value: `<ref>:v<version>`."""
    ref, _, version = value.rpartition(":v")
    if not ref or not version.isdigit():
        raise NotAllowed("That button is out of date; please use the newest card.")
    return ref, int(version)


async def approve(services: Services, asked: Asked, value: str) -> None:
    ref, version = _ref_version(value)
    await posts.decide(
        services.uow(),
        services.post_deps(),
        ref=ref,
        version=version,
        actor=asked.email,
        decision=Decision.APPROVED,
    )


def _comment_opener(form_id: str) -> ButtonRun:
    async def open_form(_services: Services, _asked: Asked, value: str) -> OpenForm:
        ref, version = _ref_version(value)
        return OpenForm(forms.comment_form(form_id, ref, version))

    return open_form


def _decide_with_comment(decision: Decision) -> SubmitRun:
    """Ask for changes or reject, with the comment the requester will read."""
    form_id = forms.CHANGES_FORM if decision is Decision.CHANGES else forms.REJECT_FORM

    async def submit(
        services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
    ) -> Notice:
        ref, version = context.get("ref", ""), context.get("version", "")
        comment = str(clean_values(forms.comment_form(form_id, ref, 0), values)["comment"])
        if not version.isdigit():
            raise NotAllowed("This form is out of date; please use the newest card.")
        await posts.decide(
            services.uow(),
            services.post_deps(),
            ref=ref,
            version=int(version),
            actor=asked.email,
            decision=decision,
            comment=comment,
        )
        return Notice("Sent", f"{ref}: the requester has been told.")

    return submit


async def edit(services: Services, asked: Asked, ref: str) -> OpenForm | None:
    post, labels = await posts.editable(
        services.uow(), services.post_deps(), ref=ref, actor=asked.email
    )
    form = await _request_form(
        services,
        asked.email,
        ref=post.ref,
        account_id=post.account_id,
        objective=post.objective,
        earlier=post.current,
        pupil_options=labels,
    )
    return OpenForm(form) if form else None


async def open_publish(_services: Services, _asked: Asked, ref: str) -> OpenForm:
    return OpenForm(forms.publish_form(ref))


async def mark_published(
    services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    ref, url = context.get("ref", ""), forms.parse_url(values)
    await posts.mark_published(
        services.uow(), services.post_deps(), ref=ref, actor=asked.email, url=url
    )
    return Notice("Published", f"{ref} is recorded as published. Thank you.")


async def open_delegate(services: Services, asked: Asked, _value: str) -> OpenForm | Notice:
    directory = services.directory
    roles = roles_to_delegate(directory, asked.email)
    colleagues = {
        person: directory.display_name(person)
        for role in roles
        for person in delegate_candidates(directory, asked.email, role)
    }
    if not colleagues:
        return Notice("Nobody to delegate to", NOBODY_TO_DELEGATE_TO)
    return OpenForm(
        forms.delegate_form(
            [(role, SLOT_LABELS[Slot(role)]) for role in roles],
            [Option(e, name) for e, name in sorted(colleagues.items(), key=lambda i: i[1])],
            services.today(),
        )
    )


async def delegate(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    role, to, until = forms.parse_delegation(values)
    try:
        made = await posts.delegate(
            services.uow(), services.post_deps(), actor=asked.email, to=to, role=role, until=until
        )
    except NotAllowed as error:
        raise FormInvalid({"to": error.message}) from None
    return Notice(
        "Delegated",
        f"{services.directory.display_name(made.to_email)} signs in your place until "
        f"{made.until:%d %B %Y}. It is shown on every request they sign.",
    )


async def end_delegation(services: Services, asked: Asked, value: str) -> Notice:
    if not value.isdigit():
        raise NotAllowed("That button is out of date.")
    await posts.end_delegation(
        services.uow(), services.post_deps(), actor=asked.email, delegation_id=int(value)
    )
    return Notice("Delegation ended", "The delegation has ended.")
