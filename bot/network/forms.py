# The network forms as data: a platform for pupils on the school network, a site to unblock,
# and the reason for declining either; with their checks.
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from bot.directory import PLATFORMS, Directory, Site
from bot.errors import FormInvalid
from bot.forms import Field, FieldKind, Form, Option, clean_partly, clean_values

PLATFORM_FORM = "network_platform_form"
UNBLOCK_FORM = "network_unblock_form"
DECLINE_FORM = "network_decline_form"
MAX_REASON = 1000
MAX_ADDRESS = 500


@dataclass(frozen=True)
class PlatformInput:
    site_id: str
    class_name: str
    platform: str
    starts_on: date
    ends_on: date
    reason: str


@dataclass(frozen=True)
class UnblockInput:
    site_id: str
    address: str
    reason: str


def schools_of(directory: Directory, email: str) -> list[Site]:
    """The person's sites that have pupils and a Headteacher to ask."""
    return [s for s in directory.sites_of(email) if s.kind == "school" and s.headteacher]


def _site_field(sites: list[Site], label: str) -> Field:
    return Field(
        "site_id",
        label,
        FieldKind.SELECT,
        options=tuple(Option(s.id, s.name) for s in sites),
        initial=sites[0].id if sites else None,
    )


def platform_form(directory: Directory, email: str) -> Form:
    """Ask for pupils to use a platform on the school network for a curriculum activity."""
    return Form(
        id=PLATFORM_FORM,
        title="Network access",
        submit="Ask",
        intro="Pupils use social media on the school network only with the Headteacher's "
        "permission, and after the IT provider has applied security measures (policy sections "
        "6 and 9). Your Headteacher will be asked; you'll hear at each step.",
        fields=(
            _site_field(schools_of(directory, email), "Which school?"),
            Field(
                "class_name",
                "Which class or group?",
                FieldKind.TEXT,
                max_length=100,
                placeholder="For example Year 6 Maple",
            ),
            Field(
                "platform",
                "Platform",
                FieldKind.SELECT,
                options=tuple(Option(p, p) for p in PLATFORMS),
            ),
            Field("starts_on", "From", FieldKind.DATE),
            Field("ends_on", "To", FieldKind.DATE),
            Field(
                "reason",
                "What is the activity, and why does it need this platform?",
                FieldKind.LONG_TEXT,
                max_length=MAX_REASON,
            ),
        ),
    )


def parse_platform(form: Form, raw: Mapping[str, object], *, today: date) -> PlatformInput:
    """Check a platform request: the dates are in order and not in the past."""
    values, errors = clean_partly(form, raw)
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if isinstance(starts, date) and starts < today:
        errors["starts_on"] = "Please choose today or a later day."
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        errors["ends_on"] = "Please choose a day on or after the first day."
    if errors:
        raise FormInvalid(errors)
    assert isinstance(starts, date) and isinstance(ends, date)
    return PlatformInput(
        site_id=str(values["site_id"]),
        class_name=str(values["class_name"]),
        platform=str(values["platform"]),
        starts_on=starts,
        ends_on=ends,
        reason=str(values["reason"]),
    )


def unblock_form(directory: Directory, email: str) -> Form:
    """Ask the IT provider to unblock a site that was blocked in error."""
    sites = directory.sites_of(email)
    return Form(
        id=UNBLOCK_FORM,
        title="Unblock a site",
        submit="Ask",
        intro="If a site you need was blocked in error, the Trust's IT provider can unblock it "
        "(policy section 9). You'll hear when it is done or declined.",
        fields=(
            _site_field(sites, "Where is it blocked?"),
            Field(
                "address",
                "Address of the site",
                FieldKind.TEXT,
                max_length=MAX_ADDRESS,
                placeholder="https://",
            ),
            Field("reason", "Why do you need it?", FieldKind.LONG_TEXT, max_length=MAX_REASON),
        ),
    )


def parse_unblock(form: Form, raw: Mapping[str, object]) -> UnblockInput:
    """Check an unblock request: the address is a whole https address."""
    values, errors = clean_partly(form, raw)
    address = str(values.get("address") or "")
    if address and not is_https_address(address):
        errors["address"] = "Please give the whole address, starting with https://"
    if errors:
        raise FormInvalid(errors)
    return UnblockInput(
        site_id=str(values["site_id"]), address=address, reason=str(values["reason"])
    )


def is_https_address(text: str) -> bool:
    """An https address with a host name and no spaces."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme == "https" and "." in host and not any(c.isspace() for c in text)


def decline_form(ref: str) -> Form:
    return Form(
        id=DECLINE_FORM,
        title="Decline the request",
        submit="Decline",
        context={"ref": ref},
        fields=(
            Field(
                "reason",
                f"Why decline {ref}?",
                FieldKind.LONG_TEXT,
                max_length=MAX_REASON,
                hint="The person will see this.",
            ),
        ),
    )


def parse_reason(ref: str, raw: Mapping[str, object]) -> str:
    return str(clean_values(decline_form(ref), raw)["reason"])
