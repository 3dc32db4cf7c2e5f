# The access forms as data: ask to post on an account, propose a new account, and the reasons
# given for refusing, revoking or declining; with their checks.
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.access.model import TRUST, same_account, site_name
from bot.directory import PLATFORMS, Account, Directory
from bot.errors import FormInvalid
from bot.forms import Field, FieldKind, Form, Option, clean_partly, clean_values

ACCESS_FORM = "access_request_form"
REFUSE_FORM = "access_refuse_form"
REVOKE_FORM = "access_revoke_form"
ACCOUNT_FORM = "account_request_form"
DECLINE_FORM = "account_decline_form"
RUNNERS_FIELD = "runners"  # the SEARCH_MANY field of people who will run a new account
MAX_OPTIONS = 100


@dataclass(frozen=True)
class AccessInput:
    account_id: str
    reason: str


@dataclass(frozen=True)
class AccountInput:
    """A checked proposal for a new account."""

    site_id: str
    platform: str
    handle: str
    purpose: str
    audience: str
    runners: tuple[str, ...]


def access_form(directory: Directory, requester: str, accounts: Sequence[Account]) -> Form:
    """Ask to post on an account: the person's own sites' accounts first, then the Trust's,
    then the rest."""
    home = [s.id for s in directory.sites_of(requester)]

    def order(account: Account) -> tuple[int, int]:
        if account.site in home:
            return 0, home.index(account.site)
        return (1, 0) if account.site == TRUST else (2, 0)

    ordered = sorted(accounts, key=order)
    return Form(
        id=ACCESS_FORM,
        title="Ask to post",
        submit="Ask",
        intro="Only staff authorised by the Head of Communications and the Headteacher (an ELT "
        "member for Trust accounts) may post on an official account. Both will be asked; "
        "you'll hear at each step.",
        fields=(
            Field(
                "account_id",
                "Which account?",
                FieldKind.SELECT,
                options=tuple(Option(a.id, _label(a, directory)) for a in ordered[:MAX_OPTIONS]),
                initial=ordered[0].id if len(ordered) == 1 else None,
            ),
            Field(
                "reason",
                "Why do you need to post on it?",
                FieldKind.LONG_TEXT,
                max_length=1000,
                placeholder="For example: I run the school's sports news",
            ),
        ),
    )


def _label(account: Account, directory: Directory) -> str:
    return f"{account.handle} · {account.platform} · {site_name(directory, account.site)}"


def parse_access(form: Form, raw: Mapping[str, object]) -> AccessInput:
    values = clean_values(form, raw)
    return AccessInput(account_id=str(values["account_id"]), reason=str(values["reason"]))


def reason_form(form_id: str, ref: str, *, title: str, submit: str, label: str) -> Form:
    return Form(
        id=form_id,
        title=title,
        submit=submit,
        context={"ref": ref},
        fields=(
            Field(
                "reason",
                label,
                FieldKind.LONG_TEXT,
                max_length=1000,
                hint="The person will see this.",
            ),
        ),
    )


def refuse_form(ref: str) -> Form:
    return reason_form(
        REFUSE_FORM, ref, title="Refuse the request", submit="Refuse", label=f"Why refuse {ref}?"
    )


def revoke_form(ref: str) -> Form:
    return reason_form(
        REVOKE_FORM, ref, title="Revoke access", submit="Revoke", label=f"Why revoke {ref}?"
    )


def decline_form(ref: str) -> Form:
    return reason_form(
        DECLINE_FORM,
        ref,
        title="Decline the account",
        submit="Decline",
        label=f"Why decline {ref}?",
    )


def parse_reason(form: Form, raw: Mapping[str, object]) -> str:
    return str(clean_values(form, raw)["reason"])


def account_form(directory: Directory, requester: str) -> Form:
    """Propose a new official account: for one of the person's sites, or Trust-wide."""
    sites = directory.sites_of(requester)
    return Form(
        id=ACCOUNT_FORM,
        title="Propose an account",
        submit="Send",
        intro="New official accounts are agreed with the Head of Communications, who will talk "
        "with you about the account's purpose and content (policy section 2).",
        fields=(
            Field(
                "site_id",
                "For which school or site?",
                FieldKind.SELECT,
                options=(
                    *(Option(s.id, s.name) for s in sites),
                    Option(TRUST, "Trust-wide"),
                ),
                initial=sites[0].id if sites else TRUST,
            ),
            Field(
                "platform",
                "Platform",
                FieldKind.SELECT,
                options=tuple(Option(p, p) for p in PLATFORMS),
            ),
            Field(
                "handle",
                "Proposed name or handle",
                FieldKind.TEXT,
                max_length=100,
                placeholder="For example @WillowSport",
            ),
            Field(
                "purpose",
                "What is it for?",
                FieldKind.LONG_TEXT,
                max_length=1000,
                placeholder="What it will post, and why the existing accounts can't",
            ),
            Field(
                "audience",
                "Who is it for?",
                FieldKind.LONG_TEXT,
                max_length=500,
                placeholder="For example: parents of pupils in the school's sports teams",
            ),
            Field(
                RUNNERS_FIELD,
                "Who will run it?",
                FieldKind.SEARCH_MANY,
                hint="They will be able to post on it once it is approved.",
                placeholder="Type a name",
            ),
        ),
    )


def parse_account(
    form: Form, raw: Mapping[str, object], *, directory: Directory, accounts: Sequence[Account]
) -> AccountInput:
    """Check a proposal: the runners are in the directory, and the account is not already on
    the register."""
    values, errors = clean_partly(form, raw)
    runners = values.get(RUNNERS_FIELD) or []
    assert isinstance(runners, list)
    unknown = [r for r in runners if directory.person(r) is None]
    if unknown:
        errors[RUNNERS_FIELD] = "Please choose each person from the list."
    handle = str(values.get("handle") or "")
    platform = str(values.get("platform") or "")
    taken = next((a for a in accounts if same_account(a, platform, handle)), None)
    if handle and platform and taken:
        errors["handle"] = f"{taken.handle} on {taken.platform} is already an official account."
    if errors:
        raise FormInvalid(errors)
    return AccountInput(
        site_id=str(values["site_id"]),
        platform=platform,
        handle=handle,
        purpose=str(values["purpose"]),
        audience=str(values["audience"]),
        runners=tuple(dict.fromkeys(r.strip().lower() for r in runners)),
    )
