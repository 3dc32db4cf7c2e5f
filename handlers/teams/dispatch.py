# The front desk served on Teams: a message's words pick a command, a card's Action.Execute
# verb picks a form submission or a button, a typeahead picks a search; replies become cards.
from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.errors import FormInvalid, PolicyError
from bot.forms import Form, Option
from bot.front import Asked, Button, Command, Desk, Notice, OpenForm, Pages, Reply
from bot.messages import Message
from bot.services import Services

log = logging.getLogger(__name__)
FORM_VERB = "form:"
Card = dict[str, Any]


class CardKit(Protocol):
    """How replies look on Teams (handlers.teams.cards, or a test's stand-in)."""

    def form_card(
        self,
        form: Form,
        errors: Mapping[str, str] | None = None,
        values: Mapping[str, object] | None = None,
    ) -> Card: ...
    def message_card(self, message: Message) -> Card: ...
    def notice_card(self, title: str, text: str) -> Card: ...
    def pages_card(self, pages: Sequence[Message], cut_note: Callable[[int], str]) -> Card: ...


class FormReader(Protocol):
    """Reads a card's submitted data as the form's field values (handlers.teams.parse)."""

    def __call__(self, form: Form, data: Mapping[str, Any]) -> dict[str, object]: ...


# The card (recipient, ref) a click came from, as the outbox will show it next (None: none).
CurrentCard = Callable[[str, str], Awaitable[Message | None]]


@dataclass(frozen=True)
class Submitted:
    """A card's submitted data: which form, its context (the record it is about), the values."""

    form_id: str
    context: dict[str, str]
    values: dict[str, object]


class TeamsDesk:
    """Serves a bot.front.Desk on Teams. Holds no policy: every flow decides in `run`."""

    def __init__(
        self,
        desk: Desk,
        services: Services,
        cards: CardKit,
        *,
        forms: Callable[[str], Form | None] = lambda form_id: None,
        read_form: FormReader | None = None,
        current_card: CurrentCard | None = None,
    ) -> None:
        self.desk = desk
        self._services = services
        self._cards = cards
        self._forms = forms
        self._read_form = read_form
        self._current = current_card
        self._submits = {s.form_id: s for s in desk.submits}
        self._buttons = {b.action_id: b for b in desk.buttons}
        self._searches = {s.field: s for s in desk.searches}
        self._phrases = sorted(_phrases(desk.commands), key=lambda p: -len(p[0]))

    # ------------------------------------------------------------------ messages
    def command_for(self, text: str) -> tuple[Command | None, str]:
        """The command a message names by its first words, and the rest of the text."""
        words = " ".join(text.lower().replace("/", " ").split())
        for phrase, command in self._phrases:
            if words == phrase or words.startswith(phrase + " "):
                return command, text.strip()[len(phrase) :].strip()
        return None, text.strip()

    async def message(self, asked: Asked, text: str) -> Card | None:
        """A message to the bot: the command it names, or help."""
        command, rest = self.command_for(text)
        if command is None:
            command = next((c for c in self.desk.commands if c.teams == "help"), None)
            if command is None:
                return self.help_card()
        log.info("teams command %s by %s", command.teams, asked.source_key)
        return await self._run(command.what, lambda: command.run(self._services, asked, rest))

    def help_card(self) -> Card:
        """A plain list of the commands, for a desk without its own help."""
        lines = [f"**{c.teams}**: {c.what}" for c in self.desk.commands]
        return self._cards.notice_card("What I can do", "\n\n".join(lines) or "Nothing yet.")

    # ------------------------------------------------------------------ clicks
    async def action(
        self, asked: Asked, verb: str, data: Mapping[str, Any], *, card_ref: str | None = None
    ) -> Card:
        """An Action.Execute: a form's submission (`form:<id>`) or a button (its action id)."""
        if verb.startswith(FORM_VERB):
            return await self._submit(asked, verb.removeprefix(FORM_VERB), data)
        button = self._buttons.get(verb)
        if button is None:
            log.info("teams action %s is not known", verb)
            return self._cards.notice_card(
                "Not available", "This button is no longer in use. Type help to see what I do."
            )
        return await self._click(asked, button, data, card_ref)

    async def _submit(self, asked: Asked, form_id: str, data: Mapping[str, Any]) -> Card:
        submit = self._submits.get(form_id)
        if submit is None:
            return self._cards.notice_card("Not available", "This form is no longer in use.")
        submitted = self.read(form_id, data)
        ref = submitted.context.get("ref", "")
        log.info("teams form %s submitted for %s by %s", form_id, ref or "-", asked.source_key)
        try:
            reply = await submit.run(self._services, asked, ref, submitted.values)
        except FormInvalid as error:
            form = self._forms(form_id)
            if form is None:
                return self._cards.notice_card(submit.failed, _field_errors(error))
            return self._cards.form_card(form, errors=error.errors, values=submitted.values)
        except Exception as error:
            return self._cards.notice_card(submit.failed, apology(error, submit.what))
        finally:
            self._services.wake_outbox()
        return self.card(reply) or self._cards.notice_card("Done", "Thank you.")

    async def _click(
        self, asked: Asked, button: Button, data: Mapping[str, Any], card_ref: str | None
    ) -> Card:
        value = str(data.get("value") or "")
        log.info("teams button %s on %s by %s", button.action_id, value, asked.source_key)
        try:
            reply = await button.run(self._services, asked, value)
        except Exception as error:
            return self._cards.notice_card("Not changed", apology(error, button.what))
        finally:
            self._services.wake_outbox()
        if isinstance(reply, OpenForm | Pages) or not (card_ref and self._current):
            return self.card(reply) or self._cards.notice_card("Done", "Done.")
        updated = await self._current(asked.email, card_ref)
        if updated is not None:
            return self._cards.message_card(updated)
        return self.card(reply) or self._cards.notice_card("Done", "Done.")

    def read(self, form_id: str, data: Mapping[str, Any]) -> Submitted:
        """The context and values of a submission: through the form's reader when the form is
        known, else every input as sent."""
        context = data.get("context")
        context = {str(k): str(v) for k, v in context.items()} if isinstance(context, dict) else {}
        form = self._forms(form_id)
        if form is not None and self._read_form is not None:
            values = self._read_form(form, data)
        else:
            skip = {"form", "context", "verb", "value"}
            values = {str(k): v for k, v in data.items() if k not in skip}
        return Submitted(form_id, context, values)

    # ------------------------------------------------------------------ typeahead
    async def search(self, email: str, dataset: str, query: str) -> list[Option]:
        search = self._searches.get(dataset)
        if search is None:
            log.info("teams search %s is not known", dataset)
            return []
        return await search.run(self._services, email, query)

    # ------------------------------------------------------------------ replies
    def refusal(self, text: str) -> Card:
        """For someone the directory does not know: the plain refusal, nothing else."""
        return self._cards.notice_card("policybot", text)

    def unknown_invoke(self) -> Card:
        return self._cards.notice_card(
            "Not available here", "policybot cannot do that here. Type help to see what it does."
        )

    def apology(self, reference: str) -> Card:
        return self._cards.notice_card(
            "Sorry",
            f"Something went wrong (ref {reference}). Nothing was changed; please try again.",
        )

    def card(self, reply: Reply) -> Card | None:
        if isinstance(reply, Notice):
            return self._cards.notice_card(reply.title, reply.text)
        if isinstance(reply, OpenForm):
            return self._cards.form_card(reply.form)
        if isinstance(reply, Pages):
            return self._cards.pages_card(reply.pages, reply.cut)
        return None

    async def _run(self, what: str, work: Callable[[], Awaitable[Reply]]) -> Card | None:
        try:
            reply = await work()
        except Exception as error:
            return self._cards.notice_card("Sorry", apology(error, what))
        finally:
            self._services.wake_outbox()
        return self.card(reply)


def _phrases(commands: Sequence[Command]) -> list[tuple[str, Command]]:
    """Each command's Teams words ("report misuse"; "training progress" for a sub-command)."""
    found: list[tuple[str, Command]] = []
    for command in commands:
        base = " ".join(command.teams.lower().split())
        if command.word is None or base.endswith(command.word.lower()):
            found.append((base, command))
            continue
        for word in (command.word, *command.aliases):
            found.append((f"{base} {word.lower()}", command))
    return found


def _field_errors(error: FormInvalid) -> str:
    return " ".join(error.errors.values()) or error.message


def apology(error: BaseException, what: str) -> str:
    """The words to show for a failure: a refusal as the flow worded it, anything else logged
    with a reference the person can quote."""
    if isinstance(error, PolicyError):
        return error.message
    reference = uuid.uuid4().hex[:8]
    log.error("teams %s failed (ref %s): %s", what, reference, type(error).__name__, exc_info=error)
    return f"Something went wrong (ref {reference}). Nothing was changed; please try again."
