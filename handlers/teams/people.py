# Who a Teams user is in the Trust's directory, where their 1:1 chat with the bot is, and the
# conversation references kept in our database from every turn.
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.directory import Directory
from bot.errors import UnknownPerson
from bot.help import not_in_directory
from bot.ports import IdentityStore
from handlers.teams.connector import Connector, ConnectorRefused

log = logging.getLogger(__name__)
CHANNEL = "teams"
SEEN_EVERY = timedelta(minutes=10)  # how often a person's use of Teams is written down
FindUser = Callable[[str], Awaitable[str | None]]  # e-mail -> Entra object id (None: unknown)


@dataclass(frozen=True)
class Turn:
    """What a Teams activity says about its sender and where it came from."""

    user_id: str  # 29:...
    aad_object_id: str | None
    name: str | None
    conversation_id: str
    personal: bool  # the 1:1 chat of the bot and this person
    service_url: str
    tenant_id: str | None


@dataclass(frozen=True)
class Reach:
    """How to reach a person: their 1:1 chat when known, else whom to create it with."""

    service_url: str
    conversation_id: str | None
    member: str | None  # Entra object id (or Teams user id) to create the chat with
    tenant_id: str | None
    user_id: str | None


class TeamsPeople:
    """Resolves people both ways by e-mail, remembering what Teams tells us in the database.
    `resume(email)` is called when someone's 1:1 chat first becomes known (they installed the
    app), so their waiting messages go at once. `find_user` (Graph, when configured) finds the
    Entra object id of someone who never wrote to the bot."""

    def __init__(
        self,
        connector: Connector,
        identities: IdentityStore,
        directory: Callable[[], Directory],
        clock: Clock,
        *,
        service_url: str,
        tenant_id: str | None,
        resume: Callable[[str], Awaitable[None]],
        find_user: FindUser | None = None,
    ) -> None:
        self._connector = connector
        self._find_user = find_user
        self._identities = identities
        self._directory = directory
        self._clock = clock
        self._service_url = service_url
        self._tenant_id = tenant_id
        self._resume = resume
        self._known: dict[str, str] = {}  # Teams user id -> e-mail, learnt once per process
        self._refs: dict[str, tuple[str | None, str, datetime]] = {}  # e-mail -> chat, url, seen

    async def email_of(self, turn: Turn) -> str:
        """The directory e-mail of a Teams user: the directory's teams_id, else what we
        stored, else the e-mail or UPN Teams gives for the member; UnknownPerson otherwise."""
        directory = self._directory()
        person = directory.person_by_teams_id(turn.user_id)
        if person:
            return person.email
        email = self._known.get(turn.user_id) or await self._identities.email_for(
            CHANNEL, turn.user_id
        )
        if email is None:
            email = await self._lookup(turn, directory)
        if email and directory.person(email):
            self._known[turn.user_id] = email
            return email
        log.info("teams user %s is not in the directory", turn.user_id)
        raise UnknownPerson(not_in_directory(directory, email))

    async def record(self, email: str, turn: Turn) -> None:
        """Keep the conversation reference of this turn: written when it is new or changed,
        and the person's use of Teams at most every SEEN_EVERY. A newly known 1:1 chat
        releases their waiting messages."""
        now = self._clock.now()
        dm = turn.conversation_id if turn.personal else None
        known = self._refs.get(email)
        if known is None:
            stored = await self._identities.get(CHANNEL, email)
            if stored is not None and stored.user_id == turn.user_id:
                seen = stored.last_seen_at or now - SEEN_EVERY
                known = (stored.dm_channel, stored.service_url or "", seen)
        changed = known is None or (dm and dm != known[0]) or turn.service_url != known[1]
        if changed:
            await self._identities.remember(
                CHANNEL,
                email,
                turn.user_id,
                now,
                dm=dm,
                service_url=turn.service_url,
                aad_object_id=turn.aad_object_id,
                tenant_id=turn.tenant_id,
                seen=True,
            )
            self._refs[email] = (dm or (known[0] if known else None), turn.service_url, now)
            if dm and (known is None or known[0] != dm):
                log.info("teams chat of %s is known now; resuming its messages", turn.user_id)
                await self._resume(email)
        elif known is not None and now - known[2] >= SEEN_EVERY:
            await self._identities.seen(CHANNEL, email, now)
            self._refs[email] = (known[0], known[1], now)

    async def reach(self, email: str) -> Reach:
        """Where to send to this person: their stored 1:1 chat, or whom to create one with."""
        stored = await self._identities.get(CHANNEL, email)
        person = self._directory().person(email)
        member = (stored.aad_object_id or stored.user_id) if stored else None
        member = member or (person.teams_id if person else None)
        return Reach(
            service_url=(stored.service_url if stored else None) or self._service_url,
            conversation_id=stored.dm_channel if stored else None,
            member=member,
            tenant_id=(stored.tenant_id if stored else None) or self._tenant_id,
            user_id=stored.user_id if stored else (person.teams_id if person else None),
        )

    @property
    def can_look_up(self) -> bool:
        """Whether people never seen can be looked up (in Graph)."""
        return self._find_user is not None

    async def look_up(self, email: str, reach: Reach) -> Reach | None:
        """Someone Teams never told us about: their Entra object id from Graph, kept on their
        chat identity; None when Graph is not configured or knows no such user. Graph's other
        refusals raise (handlers.graph.GraphLookupFailed, GraphLoginFailed)."""
        if self._find_user is None:
            return None
        object_id = await self._find_user(email)
        if object_id is None:
            log.info("graph knows no user for a teams recipient")
            return None
        await self._identities.remember(
            CHANNEL,
            email,
            reach.user_id or object_id,
            self._clock.now(),
            aad_object_id=object_id,
            tenant_id=reach.tenant_id,
        )
        self._refs.pop(email, None)
        log.info("teams recipient found in graph (object id %s)", object_id)
        return replace(reach, member=object_id, user_id=reach.user_id or object_id)

    async def remember_chat(self, email: str, reach: Reach, conversation_id: str) -> None:
        """A 1:1 chat the sender created: keep it (best effort: the message is out)."""
        try:
            await self._identities.remember(
                CHANNEL,
                email,
                reach.user_id or reach.member or "",
                self._clock.now(),
                dm=conversation_id,
                service_url=reach.service_url,
                tenant_id=reach.tenant_id,
            )
            self._refs.pop(email, None)
        except Exception:
            log.warning("could not remember the teams chat of %s", email, exc_info=True)

    async def forget_chat(self, email: str) -> None:
        await self._identities.forget_dm(CHANNEL, email)
        self._refs.pop(email, None)

    async def _lookup(self, turn: Turn, directory: Directory) -> str | None:
        """Ask Teams for the member's e-mail and UPN; the first one in the directory wins."""
        try:
            member = await self._connector.member(
                turn.service_url, turn.conversation_id, turn.user_id
            )
        except (ConnectorRefused, OSError, TimeoutError) as error:
            log.warning("teams member lookup failed for %s (%s)", turn.user_id, error)
            return None
        found = [str(member.get(k) or "").lower() for k in ("email", "userPrincipalName")]
        email = next((e for e in found if e and directory.person(e)), found[0] or found[1])
        if email and directory.person(email):
            await self._identities.remember(
                CHANNEL,
                directory.person(email).email,  # type: ignore[union-attr]
                turn.user_id,
                self._clock.now(),
                aad_object_id=turn.aad_object_id,
                tenant_id=turn.tenant_id,
                service_url=turn.service_url,
            )
        return email or None
