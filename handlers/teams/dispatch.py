# The front desk served on Teams: a message's words pick a command, a card's Action.Execute
# verb picks a form submission, a search or a button; every answer becomes a card.
from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import tzinfo
from typing import Any, Protocol

from bot.errors import FormInvalid
from bot.files import Upload
from bot.forms import Form, Option
from bot.front import (
    Desk,
    Notice,
    OpenForm,
    Pages,
    Reply,
    Resolve,
    run_button,
    run_command,
    run_files,
    run_search,
    run_submit,
)
from bot.messages import Message
from bot.services import Services
from handlers.teams import parse, verbs

log = logging.getLogger(__name__)
Card = dict[str, Any]
FORMS_KEPT = 5000  # forms shown, remembered to draw them again with errors or search results
REFUSALS = {"Not done", "Not in the directory"}  # bot.front's titles for a click not taken
KEEP_CARD = "Done."  # a text answer: Teams leaves the clicked card as it is


class CardKit(Protocol):
    """How answers look on Teams (handlers.teams.cards, or a test's stand-in)."""

    def form_card(
        self,
        form: Form,
        *,
        errors: Mapping[str, str] | None = None,
        values: Mapping[str, object] | None = None,
        choices: Mapping[str, Sequence[Option]] | None = None,
        zone: tzinfo | None = None,
    ) -> Card: ...
    def message_card(self, message: Message) -> Card: ...
    def notice_card(self, title: str, text: str) -> Card: ...
    def pages_card(self, pages: Sequence[Message], cut_note: Callable[[int], str]) -> Card: ...


# The card (recipient, ref) a click came from, as the outbox will show it next (None: none).
CurrentCard = Callable[[str, str], Awaitable[Message | None]]


class TeamsDesk:
    """Serves a bot.front.Desk on Teams; the flows decide everything in their runs. The forms
    it shows are remembered (by person and form id, in this process) so that a submission
    with mistakes, or a search, draws the same form again; without it, a notice says what to
    mend."""

    def __init__(
        self,
        desk: Desk,
        services: Services,
        cards: CardKit,
        *,
        current_card: CurrentCard | None = None,
    ) -> None:
        self.desk = desk
        self.services = services
        self._services = services
        self._cards = cards
        self._current = current_card
        self._forms: OrderedDict[tuple[str, str], Form] = OrderedDict()

    # ------------------------------------------------------------------ messages
    async def message(self, resolve: Resolve, source_key: str, text: str) -> Card | None:
        """A message to the bot: the command its first words name, or help."""
        chosen = self.desk.teams_command(text) or self.desk.teams_command("help")
        if chosen is None:
            return self._cards.notice_card("policybot", "Type help to see what I can do.")
        command, rest = chosen
        log.info("teams command %r by %s", command.teams, source_key)
        reply = await run_command(self._services, command, resolve, source_key, rest)
        return await self.card(reply, resolve)

    async def files(
        self, resolve: Resolve, source_key: str, text: str, uploads: Sequence[Upload]
    ) -> Card:
        """Files sent in chat: to the flow that takes them (the abuse log's screenshots)."""
        if not self.desk.files:
            return self._cards.notice_card("Not kept", "I don't keep files sent to me.")
        handler = self.desk.files[0]
        log.info("teams files (%d) by %s", len(uploads), source_key)
        answer = await run_files(self._services, handler, resolve, source_key, text, uploads)
        return self._cards.notice_card(answer.title, answer.text)

    # ------------------------------------------------------------------ clicks
    async def action(
        self,
        resolve: Resolve,
        source_key: str,
        verb: str,
        data: Mapping[str, Any],
        *,
        card_ref: str | None = None,
    ) -> Card | str:
        """An Action.Execute: submit a form, search in one, cancel it, or a message button.
        A card replaces the clicked one for the clicker; text (KEEP_CARD) leaves it."""
        if verb.startswith(verbs.FORM_VERB):
            return await self._submit(resolve, source_key, verb.removeprefix(verbs.FORM_VERB), data)
        if verb.startswith(verbs.SEARCH_VERB):
            return await self._search(resolve, verb.removeprefix(verbs.SEARCH_VERB), data)
        if verb == verbs.CANCEL_VERB:
            return self._cards.notice_card("Cancelled", "Nothing was sent.")
        button = self.desk.button(verb)
        if button is None:
            log.info("teams action %s is not known", verb)
            return self._cards.notice_card(
                "Not available", "This button is no longer in use. Type help to see what I do."
            )
        value = parse.action_value(data)
        log.info("teams button %s on %s (card %s) by %s", verb, value or "-", card_ref, source_key)
        answer = await run_button(self._services, button, resolve, source_key, value)
        refused = isinstance(answer, Notice) and answer.title in REFUSALS
        if not refused and not isinstance(answer, OpenForm) and card_ref and self._current:
            updated = await self._current(await resolve(), card_ref)
            if updated is not None:  # the card as everyone will see it: shown to the clicker now
                return self._cards.message_card(updated)
            if answer is None:  # the outbox updates the card in place; leave it as it is
                return KEEP_CARD
        return await self.card(answer, resolve) or self._cards.notice_card("Done", "Done.")

    async def _submit(
        self, resolve: Resolve, source_key: str, form_id: str, data: Mapping[str, Any]
    ) -> Card:
        submit = self.desk.submit(form_id)
        if submit is None:
            return self._cards.notice_card("Not available", "This form is no longer in use.")
        form = await self._form(resolve, form_id)
        context = parse.context(data)
        values = parse.card_values(form, data) if form else _raw_values(data)
        log.info("teams form %s submitted by %s", form_id, source_key)
        try:
            answer = await run_submit(self._services, submit, resolve, source_key, context, values)
        except FormInvalid as error:
            if form is None:
                return self._cards.notice_card(submit.failed, " ".join(error.errors.values()))
            return self._cards.form_card(
                form,
                errors=error.errors,
                values=values,
                choices=parse.card_choices(data),
                zone=self._services.hours.zone,
            )
        return await self.card(answer, resolve) or self._cards.notice_card("Sent", "Thank you.")

    async def _search(self, resolve: Resolve, form_id: str, data: Mapping[str, Any]) -> Card:
        """A search field's Find button: the same form, with what was found to choose from."""
        form = await self._form(resolve, form_id)
        asked = parse.search_query(form, data) if form else None
        search = self.desk.search(asked[0]) if asked else None
        if form is None or asked is None or search is None:
            return self._cards.notice_card(
                "Please start again", "This form has expired: type its command again."
            )
        field, query = asked
        values = parse.card_values(form, data)
        found = await run_search(self._services, search, resolve, query, values)
        choices = parse.found_choices(form, data, field, found)
        zone = self._services.hours.zone
        return self._cards.form_card(form, values=values, choices=choices, zone=zone)

    # ------------------------------------------------------------------ answers
    async def card(self, reply: Reply, resolve: Resolve) -> Card | None:
        if isinstance(reply, Notice):
            return self._cards.notice_card(reply.title, reply.text)
        if isinstance(reply, OpenForm):
            await self._keep(resolve, reply.form)
            return self._cards.form_card(reply.form, zone=self._services.hours.zone)
        if isinstance(reply, Pages):
            return self._cards.pages_card(reply.pages, reply.cut)
        return None

    def refusal(self, text: str) -> Card:
        """For someone the directory does not know: the plain refusal, nothing else."""
        return self._cards.notice_card("Not in the directory", text)

    def unknown_invoke(self) -> Card:
        return self._cards.notice_card(
            "Not available here", "policybot cannot do that here. Type help to see what it does."
        )

    def apology(self, reference: str) -> Card:
        return self._cards.notice_card(
            "Sorry",
            f"Something went wrong (ref {reference}). Nothing was changed; please try again.",
        )

    async def _keep(self, resolve: Resolve, form: Form) -> None:
        try:
            key = (await resolve(), form.id)
        except Exception:
            return
        self._forms[key] = form
        self._forms.move_to_end(key)
        while len(self._forms) > FORMS_KEPT:
            self._forms.popitem(last=False)

    async def _form(self, resolve: Resolve, form_id: str) -> Form | None:
        try:
            return self._forms.get((await resolve(), form_id))
        except Exception:
            return None


def _raw_values(data: Mapping[str, Any]) -> dict[str, object]:
    """Every input as sent, when the form is not known here (another replica drew it)."""
    return {k: v for k, v in data.items() if k not in verbs.RESERVED}
