# The front desk of the abuse log: /abuse-log (the form), /abuse-log list, screenshots (a form on
# Slack, files sent in chat on Teams), and the status buttons.
from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.abuse import forms
from bot.abuse import service as abuse
from bot.abuse.messages import ACTION_STATUS, AbuseAction, log_pages
from bot.abuse.model import STATUS_LABELS, Status
from bot.abuse.screenshots import REF
from bot.errors import NotAllowed
from bot.files import Upload
from bot.front import (
    Asked,
    Button,
    ButtonRun,
    Command,
    Desk,
    Files,
    Notice,
    OpenForm,
    Pages,
    Submit,
)
from bot.services import Services

COMMAND = "/abuse-log"


def desk() -> Desk:
    """Everything the abuse log offers in chat."""
    return Desk(
        commands=(
            Command(COMMAND, "abuse log", "abuse log", open_form),
            Command(COMMAND, "abuse log list", "abuse log list", show_log, word="list"),
            Command(
                COMMAND,
                "abuse log screenshot",
                "abuse log screenshot",
                add_screenshot,
                word="screenshot",
            ),
        ),
        submits=(
            Submit(forms.ABUSE_FORM, "abuse log entry", submit, failed="Not logged"),
            Submit(forms.SCREENSHOT_FORM, "abuse log screenshot", submit_files, failed="Not kept"),
        ),
        files=(Files("abuse log screenshot", files_in_chat),),
        buttons=tuple(
            Button(action, f"abuse log {status.value}", _move(status))
            for action, status in ACTION_STATUS.items()
        ),
    )


async def open_form(services: Services, asked: Asked, _text: str) -> OpenForm:
    return OpenForm(forms.abuse_form(services.directory, asked.email))


async def show_log(services: Services, asked: Asked, _text: str) -> Pages:
    """The entries this person may see, and no others."""
    deps = services.abuse_deps()
    scope, entries = await abuse.visible_to(services.uow(), deps, email=asked.email)
    return Pages(
        log_pages(entries, services.directory, deps.hours.zone, scope=scope),
        cut=lambda _shown: "The log is too long to show here in full.",
    )


async def submit(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    done = await abuse.submit(
        services.uow(),
        services.abuse_deps(),
        by=asked.email,
        values=values,
        source_key=asked.source_key,
    )
    entry = done.entry
    files = values.get("screenshot_file")
    if files:
        services.fetch_files()
        kept = (
            " The bot is fetching your screenshot and will send you its SHA-256 fingerprint "
            "when it is kept."
        )
    elif entry.screenshot_url:
        kept = ""
    else:
        kept = (
            " If you have a screenshot, add it: comments are often deleted. On Teams, send the "
            f"file to the bot in this chat; on Slack, use /abuse-log screenshot {entry.ref}."
        )
    return Notice(
        "Logged",
        f"Thank you. {entry.ref} is in the abuse log, recorded at the time you sent it. The "
        "Head of Communications (and the school's Headteacher) have it. If anyone is in danger, "
        f"call the police; if it is about a pupil, tell your Safeguarding Lead now.{kept}",
    )


async def add_screenshot(services: Services, asked: Asked, text: str) -> OpenForm:
    """The form to add screenshots to an entry the person logged or keeps."""
    named = REF.search(text)
    if not named:
        raise NotAllowed(
            "Please give the entry's reference, e.g. /abuse-log screenshot AL-2026-0001."
        )
    deps = services.abuse_deps()
    entry = await abuse.check_may_see(
        services.uow(), deps, ref=named.group(0).upper(), email=asked.email
    )
    return OpenForm(forms.screenshot_form(entry.ref))


async def submit_files(
    services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    form = forms.screenshot_form(context.get("ref", ""))
    uploads = forms.parse_files(form, values)
    return await _attach(services, asked, context.get("ref", ""), uploads)


async def files_in_chat(
    services: Services, asked: Asked, text: str, uploads: Sequence[Upload]
) -> Notice:
    """Files sent to the bot in chat: screenshots for the person's entry."""
    if any(not upload.evidence for upload in uploads):
        return Notice("Not kept", forms.NOT_A_PICTURE)
    return await _attach(services, asked, text, uploads)


async def _attach(services: Services, asked: Asked, text: str, uploads: Sequence[Upload]) -> Notice:
    entry, added = await abuse.attach_screenshots(
        services.uow(),
        services.abuse_deps(),
        by=asked.email,
        text=text,
        uploads=uploads,
        source_key=asked.source_key,
    )
    if added:
        services.fetch_files()
    count = "1 file" if len(uploads) == 1 else f"{len(uploads)} files"
    return Notice(
        "Screenshot received",
        f"Thank you: {count} for {entry.ref}. The bot is fetching and fingerprinting it and will "
        "send you its SHA-256 when it is kept.",
    )


def _move(status: Status) -> ButtonRun:
    async def move(services: Services, asked: Asked, ref: str) -> Notice:
        await abuse.set_status(
            services.uow(), services.abuse_deps(), ref=ref, by=asked.email, status=status
        )
        return Notice("Status changed", f"{ref}: {STATUS_LABELS[status]}.")

    return move


__all__ = ["AbuseAction", "desk"]
