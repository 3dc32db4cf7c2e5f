# Who a Slack user is in the Trust's directory, and which Slack user an e-mail belongs to.
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.directory import Directory
from bot.errors import UnknownPerson
from bot.help import not_in_directory
from bot.ports import IdentityStore

log = logging.getLogger(__name__)
CHANNEL = "slack"
SEEN_EVERY = timedelta(minutes=10)  # how often a person's use of Slack is written down


class SlackPeople:
    """Resolves people both ways, remembering answers in the database."""

    def __init__(
        self,
        client: AsyncWebClient,
        identities: IdentityStore,
        directory: Callable[[], Directory],
        clock: Clock,
    ) -> None:
        self._client = client
        self._identities = identities
        self._directory = directory
        self._clock = clock
        self._known: dict[str, str] = {}  # Slack user id -> e-mail, learnt once per process
        self._seen: dict[str, datetime] = {}  # Slack user id -> when their use was recorded

    async def email_of(self, user_id: str) -> str:
        """The directory e-mail of a Slack user; UnknownPerson (kindly worded) otherwise."""
        directory = self._directory()
        person = directory.person_by_slack_id(user_id)
        if person:
            await self._record_use(person.email, user_id)
            return person.email
        email = self._known.get(user_id) or await self._identities.email_for(CHANNEL, user_id)
        if email is None:
            email = await self._lookup_email(user_id)
            if email and directory.person(email):
                await self._identities.remember(CHANNEL, email, user_id, self._clock.now())
        if email and directory.person(email):  # the directory is asked every time
            self._known[user_id] = email
            await self._record_use(email, user_id)
            return email
        log.info("slack user %s is not in the directory", user_id)
        raise UnknownPerson(not_in_directory(directory, email))

    async def _record_use(self, email: str, user_id: str) -> None:
        """Note that the person uses Slack (a Trust on Slack and Teams reaches each person on
        the channel they last used); at most once per SEEN_EVERY per process, best effort."""
        now = self._clock.now()
        last = self._seen.get(user_id)
        if last is not None and now - last < SEEN_EVERY:
            return
        self._seen[user_id] = now
        try:
            await self._identities.remember(CHANNEL, email, user_id, now, seen=True)
        except Exception:
            log.warning("could not record slack use of %s", user_id, exc_info=True)

    async def user_id_of(
        self, email: str, *, lookup: Callable[[str], Awaitable[str]] | None = None
    ) -> tuple[str, str | None]:
        """The Slack user id (and the DM channel, when known) of a directory e-mail. Slack is
        asked (users.lookupByEmail) only for someone new, through `lookup` when given (the
        sender's, which keeps to Slack's rate limits)."""
        known = await self._identities.get(CHANNEL, email)
        if known:
            return known.user_id, known.dm_channel
        person = self._directory().person(email)
        if person and person.slack_id:
            return person.slack_id, None
        user_id = await (lookup or self._lookup_user_id)(email)
        await self._identities.remember(CHANNEL, email, user_id, self._clock.now())
        return user_id, None

    async def remember_dm(self, email: str, user_id: str, dm: str) -> None:
        await self._identities.remember(CHANNEL, email, user_id, self._clock.now(), dm=dm)

    async def _lookup_user_id(self, email: str) -> str:
        response = await self._client.users_lookupByEmail(email=email)
        return str(response["user"]["id"])

    async def _lookup_email(self, user_id: str) -> str | None:
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as error:
            log.warning("users.info failed for %s (HTTP %s)", user_id, error.response.status_code)
            return None
        email = (response.get("user") or {}).get("profile", {}).get("email")
        return str(email).lower() if email else None
