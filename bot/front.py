# The front desk: every command, form, button and search of every flow, described once and
# served by each channel (handlers/slack, handlers/teams), which only parse and render.
from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.errors import FormInvalid, PolicyError, UnknownPerson
from bot.files import Upload
from bot.forms import Form, Option
from bot.messages import Message
from bot.services import Services

log = logging.getLogger(__name__)
R = TypeVar("R")


@dataclass(frozen=True)
class Asked:
    """Who is asking, resolved to the directory by the channel: their e-mail, and a key unique
    to this request (`slack:view:V123`, `teams:activity:...`) so that a retried submission
    changes nothing the second time."""

    email: str
    source_key: str


@dataclass(frozen=True)
class Notice:
    """A short answer: shown in place of the form after a submission, or privately after a
    command or a click."""

    title: str
    text: str


@dataclass(frozen=True)
class OpenForm:
    """Open this form for the person (after the flow checked they may use it)."""

    form: Form


def _cut_note(shown: int) -> str:
    return f"Only the first {shown} pages fit here; App Home shows the rest."


@dataclass(frozen=True)
class Pages:
    """Messages shown privately to the person (a register, a status); `cut` says what to add
    when only the first `shown` fit."""

    pages: Sequence[Message]
    cut: Callable[[int], str] = _cut_note


Reply = Notice | OpenForm | Pages | None
Answer = Notice | OpenForm | None  # what a submission or a click may answer
Resolve = Callable[[], Awaitable[str]]  # the asker's directory e-mail, or UnknownPerson
CommandRun = Callable[[Services, Asked, str], Awaitable[Reply]]
SubmitRun = Callable[[Services, Asked, Mapping[str, str], Mapping[str, object]], Awaitable[Answer]]
ButtonRun = Callable[[Services, Asked, str], Awaitable[Answer]]
SearchRun = Callable[[Services, str, str, Mapping[str, object]], Awaitable[list[Option]]]
StrangerRun = Callable[[Services, str], Reply]
FilesRun = Callable[[Services, Asked, str, Sequence[Upload]], Awaitable[Notice]]


@dataclass(frozen=True)
class Command:
    """A command: on Slack the slash command `slack` (with `word` as its first word, when it
    is a sub-command such as `/policybot accounts`); on Teams a message to the bot starting with
    the phrase `teams` (for example "report misuse"). `run` gets the rest of the text.
    `quick` commands answer without storage, so a channel may answer with its acknowledgement;
    `stranger`, when given, answers people outside the directory (given the plain refusal)
    instead of refusing them."""

    slack: str
    teams: str
    what: str
    run: CommandRun
    word: str | None = None
    aliases: tuple[str, ...] = ()  # other first words for the same sub-command
    quick: bool = False
    stranger: StrangerRun | None = None

    @property
    def words(self) -> tuple[str, ...]:
        """The first words that choose this sub-command (none for a command's default)."""
        return (self.word, *self.aliases) if self.word else ()


@dataclass(frozen=True)
class Submit:
    """A form's submission: `run(services, asked, context, values)`, with the context the form
    carried and the raw answers; raises FormInvalid for field errors, PolicyError for a refusal
    in plain words. `failed` titles the apology."""

    form_id: str
    what: str
    run: SubmitRun
    failed: str = "Not changed"


@dataclass(frozen=True)
class Button:
    """A button on a message: `run(services, asked, value)`, authorised inside the flow.
    A `prefixed` button also answers to ids `action_id:<anything>` (several such buttons on
    one message need distinct ids)."""

    action_id: str
    what: str
    run: ButtonRun
    prefixed: bool = False

    def answers(self, action_id: str) -> bool:
        return action_id == self.action_id or (
            self.prefixed and action_id.startswith(f"{self.action_id}:")
        )


@dataclass(frozen=True)
class Search:
    """Options for a SEARCH field as the person types: `run(services, email, query, values)`,
    with the answers the form holds so far."""

    field: str
    what: str
    run: SearchRun


@dataclass(frozen=True)
class Files:
    """Files a person sends the bot in chat, where a channel's forms cannot take them (Teams):
    `run(services, asked, text, uploads)` with the message's own text."""

    what: str
    run: FilesRun


@dataclass(frozen=True)
class Desk:
    """Everything one flow (or the whole bot) offers in chat."""

    commands: tuple[Command, ...] = ()
    submits: tuple[Submit, ...] = ()
    buttons: tuple[Button, ...] = ()
    searches: tuple[Search, ...] = ()
    files: tuple[Files, ...] = ()  # the first one takes files sent in chat

    def __add__(self, other: Desk) -> Desk:
        return Desk(
            self.commands + other.commands,
            self.submits + other.submits,
            self.buttons + other.buttons,
            self.searches + other.searches,
            self.files + other.files,
        )

    def slash_commands(self) -> list[str]:
        """The distinct Slack commands, in the order first offered."""
        return list(dict.fromkeys(c.slack for c in self.commands))

    def submit(self, form_id: str) -> Submit | None:
        return next((s for s in self.submits if s.form_id == form_id), None)

    def button(self, action_id: str) -> Button | None:
        return next((b for b in self.buttons if b.answers(action_id)), None)

    def search(self, field: str) -> Search | None:
        return next((s for s in self.searches if s.field == field), None)

    def command(self, slack: str, text: str) -> tuple[Command, str] | None:
        """The command `slack` chooses with its first word (the rest of the text is its
        argument), or its default with the whole text."""
        first, _, rest = text.strip().partition(" ")
        ours = [c for c in self.commands if c.slack == slack]
        chosen = next((c for c in ours if first.lower() in c.words), None)
        if chosen:
            return chosen, rest.strip()
        default = next((c for c in ours if c.word is None), None)
        return (default, text.strip()) if default else None

    def teams_command(self, text: str) -> tuple[Command, str] | None:
        """The command whose Teams phrase begins the message (the longest one), and the rest."""
        words = text.lower().split()
        found = [c for c in self.commands if words[: len(c.teams.split())] == c.teams.split()]
        if not found:
            return None
        chosen = max(found, key=lambda c: len(c.teams.split()))
        return chosen, " ".join(text.split()[len(chosen.teams.split()) :])


async def staff_search(
    services: Services, _email: str, query: str, _values: Mapping[str, object]
) -> list[Option]:
    """Staff of the directory whose name or e-mail matches what was typed (the first 50)."""
    return [Option(p.email, p.name) for p in services.directory.search_people(query, limit=50)]


def apology(error: BaseException, what: str) -> str:
    """The words to show the person: a refusal's own, or (logged with a reference) an apology."""
    if isinstance(error, PolicyError):
        return error.message
    reference = uuid.uuid4().hex[:8]
    log.error("%s failed (ref %s): %s", what, reference, type(error).__name__, exc_info=error)
    return f"Something went wrong (ref {reference}). Nothing was changed; please try again."


async def run_command(
    services: Services, command: Command, resolve: Resolve, source_key: str, text: str
) -> Reply:
    """A command's reply; a stranger gets the plain refusal (or the command's `stranger`
    answer), and a refusal or failure becomes a Notice."""
    try:
        email = await resolve()
    except UnknownPerson as error:
        if command.stranger:
            return command.stranger(services, error.message)
        return Notice("Not in the directory", error.message)
    return await _answered(services, command.what, command.run, Asked(email, source_key), text)


async def run_button(
    services: Services, button: Button, resolve: Resolve, source_key: str, value: str
) -> Answer:
    """A click's answer; a refusal or failure becomes a Notice."""
    try:
        email = await resolve()
    except UnknownPerson as error:
        return Notice("Not in the directory", error.message)
    return await _answered(services, button.what, button.run, Asked(email, source_key), value)


async def _answered(
    services: Services,
    what: str,
    run: Callable[[Services, Asked, str], Awaitable[R]],
    asked: Asked,
    argument: str,
) -> R | Notice:
    try:
        reply = await run(services, asked, argument)
    except Exception as error:
        return Notice("Not done", apology(error, what))
    services.wake_outbox()
    return reply


async def run_submit(
    services: Services,
    submit: Submit,
    resolve: Resolve,
    source_key: str,
    context: Mapping[str, str],
    values: Mapping[str, object],
) -> Answer:
    """A submission's answer. FormInvalid goes back to the channel (to show by each field);
    any other refusal or failure becomes a Notice titled `submit.failed`."""
    try:
        asked = Asked(await resolve(), source_key)
        answer = await submit.run(services, asked, context, values)
    except FormInvalid:
        raise
    except Exception as error:
        return Notice(submit.failed, apology(error, submit.what))
    services.wake_outbox()
    return answer


async def run_files(
    services: Services,
    files: Files,
    resolve: Resolve,
    source_key: str,
    text: str,
    uploads: Sequence[Upload],
) -> Notice:
    """The answer to files sent in chat; a refusal or failure becomes a Notice."""
    try:
        asked = Asked(await resolve(), source_key)
        answer = await files.run(services, asked, text, uploads)
    except Exception as error:
        return Notice("Not kept", apology(error, files.what))
    services.wake_outbox()
    return answer


async def run_search(
    services: Services, search: Search, resolve: Resolve, query: str, values: Mapping[str, object]
) -> list[Option]:
    """The options for what the person typed; none at all for a stranger or on a failure."""
    try:
        return await search.run(services, await resolve(), query, values)
    except UnknownPerson:
        return []
    except Exception as error:
        apology(error, search.what)
        return []
