# The front desk: every command, form, button and search of every flow, described once and
# served by each channel (handlers/slack, handlers/teams), which only parse and render.
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.forms import Form, Option
from bot.messages import Message
from bot.services import Services


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


@dataclass(frozen=True)
class Pages:
    """Messages shown privately to the person (a register, a status); `cut` says what to add
    when only the first `shown` fit."""

    pages: Sequence[Message]
    cut: Callable[[int], str] = field(
        default=lambda shown: f"Only the first {shown} pages fit here; App Home shows the rest."
    )


Reply = Notice | OpenForm | Pages | None


@dataclass(frozen=True)
class Command:
    """A command: on Slack the slash command `slack` (with `word` as its first word, when it
    is a sub-command such as `/policybot summary`); on Teams a message to the bot starting with
    `teams` (for example "report misuse"). `run` gets the rest of the text."""

    slack: str
    teams: str
    what: str
    run: Callable[[Services, Asked, str], Awaitable[Reply]]
    word: str | None = None
    aliases: tuple[str, ...] = ()  # other first words for the same sub-command


@dataclass(frozen=True)
class Submit:
    """A form's submission: `run(services, asked, ref, values)`; raises FormInvalid for field
    errors, PolicyError for a refusal in plain words. `failed` titles the apology."""

    form_id: str
    what: str
    run: Callable[[Services, Asked, str, dict[str, object]], Awaitable[Reply]]
    failed: str = "Not changed"


@dataclass(frozen=True)
class Button:
    """A button on a message: `run(services, asked, value)`, authorised inside the flow."""

    action_id: str
    what: str
    run: Callable[[Services, Asked, str], Awaitable[Reply]]


@dataclass(frozen=True)
class Search:
    """Options for a SEARCH field as the person types: `run(services, email, query)`."""

    field: str
    run: Callable[[Services, str, str], Awaitable[list[Option]]]


@dataclass(frozen=True)
class Desk:
    """Everything one flow (or the whole bot) offers in chat."""

    commands: tuple[Command, ...] = ()
    submits: tuple[Submit, ...] = ()
    buttons: tuple[Button, ...] = ()
    searches: tuple[Search, ...] = ()

    def __add__(self, other: Desk) -> Desk:
        return Desk(
            self.commands + other.commands,
            self.submits + other.submits,
            self.buttons + other.buttons,
            self.searches + other.searches,
        )
