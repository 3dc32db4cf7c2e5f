# Post request use cases: submit or resubmit, sign off, publish, delegate, nudge and expire.
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.access import service as access
from bot.approvals import (
    SLOT_LABELS,
    Delegation,
    Signer,
    Slot,
    authorise_signer,
    check_delegation,
    signers,
    slot_role,
    slots_for,
)
from bot.audit import AuditEvent, audit_change
from bot.consent.model import Pupil, Scope
from bot.directory import Account, Directory
from bot.errors import AlreadyDone, FormInvalid, NotAllowed, NotFound
from bot.forms import Option
from bot.outbox import OutboxItem
from bot.ports import UnitOfWork
from bot.posts import messages
from bot.posts.deps import PostDeps
from bot.posts.form import PostInput
from bot.posts.messages import PupilLine
from bot.posts.model import (
    EDITABLE,
    Decision,
    Finding,
    PostRequest,
    PostVersion,
    ShownPupil,
    SignOff,
    Status,
)
from bot.posts.screening import Severity, screen_post

log = logging.getLogger(__name__)
NUDGE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Submitted:
    post: PostRequest
    created: bool
    waiting_for: str


async def accounts_for(uow: UnitOfWork, deps: PostDeps, email: str) -> list[Account]:
    """The accounts a person may ask to post on: their sites' and the Trust's."""
    sites = {site.id for site in deps.directory.sites_of(email)} | {"trust"}
    async with uow:
        every = await access.all_accounts(uow, deps.directory)
    return [a for a in every if a.site in sites]


async def pupil_options(
    uow: UnitOfWork, deps: PostDeps, *, email: str, account_id: str | None, query: str
) -> list[Option]:
    """Pupils a requester may pick, searched by name over the register of the account's school
    (for a Trust account, of the requester's schools; the Trust's officers see every school)."""
    site_ids = _pupil_sites(deps.directory, email, account_id)
    if not site_ids or not query.strip():
        return []
    async with uow:
        found = await uow.pupils.search(site_ids, query, 50)
    return [Option(str(p.id), _pupil_label(p, deps.directory)) for p in found]


def _pupil_sites(directory: Directory, email: str, account_id: str | None) -> list[str]:
    mine = [s.id for s in directory.sites_of(email) if s.kind == "school"]
    if directory.holds(email, "head_of_comms") or directory.holds(email, "elt"):
        mine = [s.id for s in directory.schools()]
    account = directory.account(account_id) if account_id else None
    if account is not None and account.site != "trust":
        return [account.site] if account.site in mine else []
    return mine


def _pupil_label(pupil: Pupil, directory: Directory) -> str:
    site = directory.site(pupil.site_id)
    parts = [pupil.full_name, pupil.year_group, site.name if site else pupil.site_id]
    return " · ".join(p for p in parts if p)


async def submit(
    uow: UnitOfWork,
    deps: PostDeps,
    *,
    requester: str,
    data: PostInput,
    source_key: str,
    ref: str | None = None,
) -> Submitted:
    """Record a new request (or, with `ref`, a new version of one) after the consent check and
    the screening, and queue the approvers' cards and the receipt. The same `source_key` (a
    resubmitted form) changes nothing the second time."""
    directory = deps.directory
    async with uow:
        earlier_ref = await uow.posts.ref_of_version(source_key)
        if earlier_ref is not None:
            post = await uow.posts.get(earlier_ref)
            assert post is not None
            return Submitted(post, False, _waiting_for(post, directory, deps))
        accounts = {a.id: a for a in await access.all_accounts(uow, directory)}
        account = accounts.get(data.account_id)
        if account is None:
            raise FormInvalid({"account": "Please choose one of the accounts listed."})
        pupils = await _check_pupils(uow, deps, requester, account, data)
        findings = _screen(deps, data, pupils)
        now = deps.clock.now()
        version = PostVersion(
            number=1,
            text=data.text,
            publish_at=data.publish_at,
            shows=data.shows,
            media_links=data.media_links,
            pupils=tuple(ShownPupil(i, i in data.blurred_ids) for i in data.pupil_ids),
            confirmations=data.confirmations,
            findings=findings,
            submitted_at=now,
            submitted_by=requester,
            source_key=source_key,
        )
        if ref is None:
            post = PostRequest(
                ref=await uow.posts.next_ref(now.year),
                requester=requester,
                account_id=account.id,
                site_id=account.site,
                objective=data.objective,
                status=Status.PENDING,
                created_at=now,
                versions=[version],
            )
            await uow.posts.add(post, source_key=source_key)
            before = None
            action = "post.requested"
        else:
            post = await _own_request(uow, ref, requester)
            if post.status not in EDITABLE:
                raise AlreadyDone(
                    f"{ref} is {post.status.value.replace('_', ' ')}: it can't change."
                )
            before = post.state()
            old = post.version
            post.versions.append(_renumbered(version, old + 1))
            post.account_id, post.site_id, post.objective = account.id, account.site, data.objective
            post.status, post.nudged_at, post.revision = Status.PENDING, None, post.revision + 1
            await uow.posts.save(post)
            action = "post.resubmitted"
        await audit_change(uow.audit, deps.clock.now(), requester, action, post, before=before)
        await _send_cards(uow, deps, post, pupils)
        waiting_for = _waiting_for(post, directory, deps)
        await uow.outbox.add(
            OutboxItem(
                key=f"post:{post.ref}:v{post.version}:receipt",
                recipient=requester,
                message=messages.receipt(post, directory, deps.zone, waiting_for),
            )
        )
        await uow.commit()
    log.info("post request %s version %d recorded", post.ref, post.version)
    return Submitted(post, True, waiting_for)


def _renumbered(version: PostVersion, number: int) -> PostVersion:
    return replace(version, number=number)


async def _check_pupils(
    uow: UnitOfWork, deps: PostDeps, requester: str, account: Account, data: PostInput
) -> dict[int, Pupil]:
    """Every pupil shown is on the register of a school the requester may pick from, and has
    consent for this use or will be blurred; otherwise the form says who and why."""
    if not data.pupil_ids:
        return {}
    allowed = set(_pupil_sites(deps.directory, requester, account.id))
    found = {p.id: p for p in await uow.pupils.get_many(list(data.pupil_ids)) if p.id is not None}
    if any(i not in found or found[i].site_id not in allowed for i in data.pupil_ids):
        raise FormInvalid({"pupils": "Please choose the pupils from the list again."})
    scope = scope_of(account.site)
    missing = [
        found[i].display_name
        for i in data.pupil_ids
        if i not in data.blurred_ids
        and not all(found[i].consent.allows(m, scope) for m in data.shows.media)
    ]
    if missing:
        use = " and ".join(m.value for m in data.shows.media)
        raise FormInvalid(
            {
                "pupils": f"No consent for {use} on {scope.value} accounts: "
                f"{', '.join(missing)}. Add them to “blurred or cropped out” below, "
                "or take them out of the post."
            }
        )
    return found


def scope_of(site_id: str) -> Scope:
    return Scope.TRUST if site_id == "trust" else Scope.SCHOOL


def _screen(deps: PostDeps, data: PostInput, pupils: dict[int, Pupil]) -> tuple[Finding, ...]:
    handles = [a.handle for a in deps.directory.accounts]
    found = screen_post(
        data.text,
        links=data.media_links,
        pupil_full_names=[p.full_name for p in pupils.values()],
        shows_pupil_images=bool(pupils),
        political_terms=deps.political_terms,
        official_handles=handles,
    )
    blocking = [f for f in found if f.severity is Severity.BLOCKING]
    if blocking:
        raise FormInvalid({"text": " ".join(f.message for f in blocking)})
    return tuple(Finding(f.kind.value, f.words, f.message, False) for f in found)


async def decide(
    uow: UnitOfWork,
    deps: PostDeps,
    *,
    ref: str,
    version: int,
    actor: str,
    decision: Decision,
    comment: str | None = None,
) -> PostRequest:
    """Approve, request changes on, or reject one version, in the slot the actor may fill now.
    A click on an older version, a second click, or a click by someone without the role now
    changes nothing and says why."""
    directory = deps.directory
    async with uow:
        post = await uow.posts.get(ref, for_update=True)
        if post is None:
            raise NotFound(f"I can't find a post request {ref} you can sign.")
        if version != post.version:
            raise AlreadyDone(
                f"This card shows version {version} of {ref}; version {post.version} has "
                "replaced it. Please use the newest card."
            )
        if post.status is not Status.PENDING:
            raise AlreadyDone(f"{ref} is already {_status_words(post)}.")
        signer, slot = await _signer_for(uow, deps, post, actor)
        pupils = await _pupils_of(uow, post)
        if decision is Decision.APPROVED:
            _still_covered(post, pupils)
        before = post.state()
        now = deps.clock.now()
        post.signoffs.append(
            SignOff(post.version, slot, actor, decision, now, comment, signer.on_behalf_of)
        )
        approved = {s.slot for s in post.signoffs_of() if s.decision is Decision.APPROVED}
        if decision is Decision.APPROVED and approved >= set(slots_for(directory, post.site_id)):
            post.status, post.decided_at = Status.APPROVED, now
        elif decision is Decision.CHANGES:
            post.status = Status.CHANGES
        elif decision is Decision.REJECTED:
            post.status, post.decided_at = Status.REJECTED, now
        post.revision += 1
        await uow.posts.save(post)
        await audit_change(
            uow.audit,
            deps.clock.now(),
            actor,
            f"post.{decision.value}",
            post,
            before=before,
            detail={"slot": slot.value, "on_behalf_of": signer.on_behalf_of},
        )
        await _refresh_cards(uow, deps, post, pupils)
        await _tell_requester(uow, deps, post, slot, decision, actor, comment)
        if post.status is Status.APPROVED:
            for poster in await access.posters_of(uow, directory, post.account_id):
                await uow.outbox.add(
                    OutboxItem(
                        key=f"post:{ref}:ready:{poster}",
                        recipient=poster,
                        message=messages.ready_to_publish(post, directory, deps.zone),
                        thread=f"post:{ref}:ready:{poster}",
                    )
                )
        await uow.commit()
    log.info("post request %s: %s in slot %s", ref, decision.value, slot.value)
    return post


async def _signer_for(
    uow: UnitOfWork, deps: PostDeps, post: PostRequest, actor: str
) -> tuple[Signer, Slot]:
    """The open slot this person may fill now, checked against the directory at this moment."""
    mine = next((s for s in post.signoffs_of() if s.email == actor), None)
    if mine is not None:
        raise AlreadyDone(
            f"You already signed version {post.version} of {post.ref} as {SLOT_LABELS[mine.slot]}."
        )
    delegations = await uow.delegations.active(deps.today())
    taken: list[SignOff] = []
    for slot in slots_for(deps.directory, post.site_id):
        try:
            signer = authorise_signer(
                deps.directory,
                slot,
                post.site_id,
                requester=post.requester,
                actor=actor,
                delegations=delegations,
                today=deps.today(),
            )
        except NotAllowed:
            continue
        done = post.signed(slot)
        if done is None:
            return signer, slot
        taken.append(done)
    if taken:
        first = taken[0]
        raise AlreadyDone(
            f"{deps.directory.display_name(first.email)} already signed {post.ref} as "
            f"{SLOT_LABELS[first.slot]}."
        )
    roles = [
        SLOT_LABELS[Slot(slot_role(deps.directory, s, post.site_id, post.requester)[0])]
        for s in slots_for(deps.directory, post.site_id)
    ]
    raise NotAllowed(
        f"Only the {' or the '.join(dict.fromkeys(roles))} (or a colleague they delegated to) "
        "can sign this off, and the directory doesn't list you in that role now."
    )


def _still_covered(post: PostRequest, pupils: dict[int, Pupil]) -> None:
    """Consent is checked again at the moment of approval: it may have been withdrawn."""
    lines = _pupil_lines(post, pupils)
    if any(not line.covered and not line.blurred for line in lines):
        raise NotAllowed(
            "A pupil in this post no longer has consent for it (the register changed since it "
            "was sent). Please use Request changes so the pupil is blurred or taken out."
        )


async def mark_published(
    uow: UnitOfWork, deps: PostDeps, *, ref: str, actor: str, url: str
) -> PostRequest:
    """Record that an approved post went out, with its link; only authorised posters may."""
    async with uow:
        post = await uow.posts.get(ref, for_update=True)
        if post is None:
            raise NotFound(f"I can't find a post request {ref}.")
        if not await access.may_post(uow, deps.directory, actor, post.account_id):
            raise NotAllowed(
                "Only people authorised to post on this account can mark it published. "
                "Ask the Head of Communications for access."
            )
        if post.status is Status.PUBLISHED:
            raise AlreadyDone(
                f"{ref} was already marked published by "
                f"{deps.directory.display_name(post.published_by or '')}."
            )
        if post.status is not Status.APPROVED:
            raise NotAllowed(f"{ref} is {_status_words(post)}: only approved posts are published.")
        before = post.state()
        post.status = Status.PUBLISHED
        post.published_at, post.published_by, post.published_url = deps.clock.now(), actor, url
        post.revision += 1
        await uow.posts.save(post)
        await audit_change(
            uow.audit, deps.clock.now(), actor, "post.published", post, before=before
        )
        for person in {post.requester, actor}:
            await uow.outbox.add(
                OutboxItem(
                    key=f"post:{ref}:published:{person}",
                    recipient=person,
                    message=messages.published(post, deps.directory),
                )
            )
        await uow.commit()
    return post


async def editable(
    uow: UnitOfWork, deps: PostDeps, *, ref: str, actor: str
) -> tuple[PostRequest, list[Option]]:
    """A request its requester may edit now, with the labels of the pupils it shows."""
    async with uow:
        post = await _own_request(uow, ref, actor)
        if post.status not in EDITABLE:
            raise AlreadyDone(f"{ref} is {_status_words(post)}: it can't be edited.")
        pupils = await _pupils_of(uow, post)
    return post, [Option(str(i), _pupil_label(p, deps.directory)) for i, p in pupils.items()]


async def delegate(
    uow: UnitOfWork, deps: PostDeps, *, actor: str, to: str, role: str, until: date
) -> Delegation:
    """Record a delegation, and send the delegate the requests already waiting for the role."""
    check_delegation(
        deps.directory, from_email=actor, to_email=to, role=role, until=until, today=deps.today()
    )
    async with uow:
        made = await uow.delegations.add(Delegation(actor, to, role, until, deps.clock.now()))
        await uow.audit.append(
            AuditEvent(
                at=deps.clock.now(),
                actor=actor,
                action="delegation.created",
                record_type="delegation",
                record_id=str(made.id),
                before=None,
                after={"from": actor, "to": to, "role": role, "until": until.isoformat()},
            )
        )
        for post in await uow.posts.open_requests():
            if post.status is Status.PENDING:
                await _send_cards(uow, deps, post, await _pupils_of(uow, post), only={to})
        await uow.commit()
    return made


async def end_delegation(
    uow: UnitOfWork, deps: PostDeps, *, actor: str, delegation_id: int
) -> None:
    async with uow:
        mine = [d for d in await uow.delegations.active(deps.today()) if d.id == delegation_id]
        if not mine or actor not in (mine[0].from_email, mine[0].to_email):
            raise AlreadyDone("That delegation has ended already.")
        await uow.delegations.end(delegation_id, by=actor, at=deps.clock.now())
        await uow.audit.append(
            AuditEvent(
                at=deps.clock.now(),
                actor=actor,
                action="delegation.ended",
                record_type="delegation",
                record_id=str(delegation_id),
                before={"to": mine[0].to_email},
                after=None,
            )
        )
        await uow.commit()


async def process_deadlines(uow: UnitOfWork, deps: PostDeps) -> int:
    """Expire requests whose time passed before both sign-offs; nudge approvers of requests
    waiting more than a day. Each step is recorded on the request, so it happens once."""
    now = deps.clock.now()
    done = 0
    async with uow:
        for post in await uow.posts.due_for_expiry(now):
            before = post.state()
            post.status, post.revision = Status.EXPIRED, post.revision + 1
            await uow.posts.save(post)
            await audit_change(
                uow.audit, deps.clock.now(), "system", "post.expired", post, before=before
            )
            await _refresh_cards(uow, deps, post, await _pupils_of(uow, post))
            await uow.outbox.add(
                OutboxItem(
                    key=f"post:{post.ref}:v{post.version}:expired",
                    recipient=post.requester,
                    message=messages.expired(post, deps.zone),
                )
            )
            done += 1
        for post in await uow.posts.due_for_nudge(now - NUDGE_AFTER):
            post.nudged_at = now
            await uow.posts.save(post)
            for signer, _slot in await _open_signers(uow, deps, post):
                await uow.outbox.add(
                    OutboxItem(
                        key=f"post:{post.ref}:v{post.version}:nudge:{signer.email}:{now.date()}",
                        recipient=signer.email,
                        message=messages.nudge(post, deps.zone),
                        thread=messages.card_thread(post.ref, signer.email),
                    )
                )
            done += 1
        await uow.commit()
    return done


async def waiting_for(
    uow: UnitOfWork, deps: PostDeps, email: str
) -> list[tuple[PostRequest, Slot, list[PupilLine]]]:
    """Requests this person may sign now, with the slot they would fill."""
    found = []
    async with uow:
        for post in await uow.posts.open_requests():
            if post.status is not Status.PENDING:
                continue
            for signer, slot in await _open_signers(uow, deps, post):
                if signer.email == email:
                    pupils = await _pupils_of(uow, post)
                    found.append((post, slot, _pupil_lines(post, pupils)))
                    break
    return found


async def _open_signers(
    uow: UnitOfWork, deps: PostDeps, post: PostRequest
) -> list[tuple[Signer, Slot]]:
    """Who may fill each slot not yet signed on the current version."""
    delegations = await uow.delegations.active(deps.today())
    signed = {s.email for s in post.signoffs_of()}
    found: dict[str, tuple[Signer, Slot]] = {}
    for slot in slots_for(deps.directory, post.site_id):
        if post.signed(slot) is not None:
            continue
        for signer in signers(
            deps.directory, slot, post.site_id, post.requester, delegations, deps.today()
        ):
            if signer.email not in signed:
                found.setdefault(signer.email, (signer, slot))
    return list(found.values())


async def _send_cards(
    uow: UnitOfWork,
    deps: PostDeps,
    post: PostRequest,
    pupils: dict[int, Pupil],
    *,
    only: set[str] | None = None,
) -> None:
    lines = _pupil_lines(post, pupils)
    for signer, slot in await _open_signers(uow, deps, post):
        if only is not None and signer.email not in only:
            continue
        thread = messages.card_thread(post.ref, signer.email)
        card = messages.request_card(
            post, deps.directory, deps.zone, lines, slot=slot, for_whom=signer.on_behalf_of
        )
        await uow.outbox.add(OutboxItem.card(thread, post.revision, signer.email, card))


async def _refresh_cards(
    uow: UnitOfWork, deps: PostDeps, post: PostRequest, pupils: dict[int, Pupil]
) -> None:
    """Update every approver's card in place: the current state, buttons only if still open."""
    lines = _pupil_lines(post, pupils)
    card = messages.request_card(post, deps.directory, deps.zone, lines)
    people = {s.email for s in post.signoffs}
    people |= {signer.email for signer, _ in await _open_signers(uow, deps, post)}
    for email in sorted(people):
        thread = messages.card_thread(post.ref, email)
        await uow.outbox.add(OutboxItem.card(thread, post.revision, email, card))


async def _tell_requester(
    uow: UnitOfWork,
    deps: PostDeps,
    post: PostRequest,
    slot: Slot,
    decision: Decision,
    actor: str,
    comment: str | None,
) -> None:
    directory = deps.directory
    if decision is Decision.CHANGES:
        message = messages.changes_requested(post, directory, actor, comment or "")
    elif decision is Decision.REJECTED:
        message = messages.rejected(post, directory, actor, comment or "")
    elif post.status is Status.APPROVED:
        message = messages.step(post, directory, "approved by both sign-offs")
    else:
        message = messages.step(
            post,
            directory,
            f"{SLOT_LABELS[slot]} approved; waiting for {_waiting_for(post, directory, deps)}",
        )
    await uow.outbox.add(
        OutboxItem(
            key=f"post:{post.ref}:v{post.version}:{slot.value}:{decision.value}",
            recipient=post.requester,
            message=message,
        )
    )


def _waiting_for(post: PostRequest, directory: Directory, deps: PostDeps) -> str:
    open_slots = [s for s in slots_for(directory, post.site_id) if post.signed(s) is None]
    return " and ".join(f"the {SLOT_LABELS[s]}" for s in open_slots) or "nobody"


async def _pupils_of(uow: UnitOfWork, post: PostRequest) -> dict[int, Pupil]:
    ids = [p.pupil_id for p in post.current.pupils]
    if not ids:
        return {}
    return {p.id: p for p in await uow.pupils.get_many(ids) if p.id is not None}


def _pupil_lines(post: PostRequest, pupils: dict[int, Pupil]) -> list[PupilLine]:
    media = post.current.shows.media
    lines = []
    for shown in post.current.pupils:
        pupil = pupils.get(shown.pupil_id)
        if pupil is None:
            lines.append(PupilLine("A pupil no longer on the register", False, shown.blurred))
            continue
        covered = all(pupil.consent.allows(m, post.scope) for m in media)
        lines.append(PupilLine(pupil.display_name, covered, shown.blurred))
    return lines


async def _own_request(uow: UnitOfWork, ref: str, actor: str) -> PostRequest:
    post = await uow.posts.get(ref, for_update=True)
    if post is None or post.requester != actor:
        raise NotFound(f"I can't find a post request {ref} of yours.")
    return post


def _status_words(post: PostRequest) -> str:
    return {
        Status.PENDING: "waiting for sign-off",
        Status.CHANGES: "waiting for changes",
        Status.APPROVED: "approved",
        Status.REJECTED: "rejected",
        Status.EXPIRED: "expired",
        Status.PUBLISHED: "published",
    }[post.status]


async def mine(uow: UnitOfWork, email: str) -> list[PostRequest]:
    async with uow:
        return await uow.posts.made_by(email)


async def ready_for(uow: UnitOfWork, deps: PostDeps, email: str) -> list[PostRequest]:
    """Approved requests this person may publish."""
    async with uow:
        accounts = [
            a.id
            for a in await access.all_accounts(uow, deps.directory)
            if await access.may_post(uow, deps.directory, email, a.id)
        ]
        return await uow.posts.approved_on(accounts) if accounts else []


async def my_delegations(uow: UnitOfWork, deps: PostDeps, email: str) -> list[Delegation]:
    async with uow:
        return [
            d
            for d in await uow.delegations.active(deps.today())
            if email in (d.from_email, d.to_email)
        ]
