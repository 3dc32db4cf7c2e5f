# A pupil on the consent register, what their consent allows, and how it changed.
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum

from bot.errors import PolicyError


class Media(StrEnum):
    IMAGES = "images"
    VIDEOS = "videos"


class Scope(StrEnum):
    SCHOOL = "school"  # the school's own accounts
    TRUST = "trust"  # the Trust-wide accounts


class Source(StrEnum):
    """How a consent record came: the school's MIS, or a letter or e-mail to the office."""

    MIS_IMPORT = "mis_import"
    LETTER = "letter"
    EMAIL = "email"
    FORM = "consent_form"


SOURCE_LABELS = {
    Source.MIS_IMPORT: "school MIS export",
    Source.LETTER: "letter",
    Source.EMAIL: "e-mail",
    Source.FORM: "consent form",
}
USES = (
    (Media.IMAGES, Scope.SCHOOL),
    (Media.VIDEOS, Scope.SCHOOL),
    (Media.IMAGES, Scope.TRUST),
    (Media.VIDEOS, Scope.TRUST),
)
USE_LABELS = {
    (Media.IMAGES, Scope.SCHOOL): "Images on the school's accounts",
    (Media.VIDEOS, Scope.SCHOOL): "Videos on the school's accounts",
    (Media.IMAGES, Scope.TRUST): "Images on the Trust's accounts",
    (Media.VIDEOS, Scope.TRUST): "Videos on the Trust's accounts",
}


def use_key(media: Media, scope: Scope) -> str:
    """The name of a use as a field of Consent, e.g. "images_school"."""
    return f"{media.value}_{scope.value}"


def describe_uses(uses: Iterable[tuple[Media, Scope]]) -> str:
    """ "images and videos on the school's accounts" style words for a list of uses."""
    return ", ".join(USE_LABELS[use].lower() for use in uses) or "nothing"


@dataclass(frozen=True)
class Consent:
    """What may be posted of a pupil: images and videos, on school and on Trust accounts."""

    images_school: bool = False
    videos_school: bool = False
    images_trust: bool = False
    videos_trust: bool = False

    @classmethod
    def of(cls, ticked: Iterable[str]) -> Consent:
        """Consent from the names of the uses allowed (as the form's checkboxes send them)."""
        chosen = set(ticked)
        return cls(**{f.name: f.name in chosen for f in fields(cls)})

    def allows(self, media: Media, scope: Scope) -> bool:
        return bool(getattr(self, use_key(media, scope)))

    def ticked(self) -> tuple[str, ...]:
        """The names of the uses allowed, in the order of USES."""
        return tuple(use_key(*use) for use in USES if self.allows(*use))

    def flags(self) -> dict[str, bool]:
        """Every use and whether it is allowed (for the audit trail)."""
        return {use_key(*use): self.allows(*use) for use in USES}

    def withdrawn_in(self, new: Consent) -> list[tuple[Media, Scope]]:
        """The uses this consent allowed and `new` no longer does (a withdrawal or narrowing)."""
        return [use for use in USES if self.allows(*use) and not new.allows(*use)]

    def given_in(self, new: Consent) -> list[tuple[Media, Scope]]:
        """The uses `new` allows that this consent did not."""
        return [use for use in USES if new.allows(*use) and not self.allows(*use)]

    def describe(self) -> str:
        allowed = [USE_LABELS[use].lower() for use in USES if self.allows(*use)]
        return "Yes: " + ", ".join(allowed) if allowed else "No consent for images or videos"


def search_key(*names: str | None) -> str:
    """Names folded for look-ups: lower case, accents dropped ("Zoë" is found as "zoe")."""
    text = " ".join(n for n in names if n)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass
class Pupil:
    """The current record of a pupil; every change is also kept in the history."""

    site_id: str
    mis_id: str
    first_name: str
    last_name: str
    date_of_birth: date
    consent: Consent
    preferred_name: str | None = None
    year_group: str | None = None
    consent_changed_on: date | None = None
    source: Source = Source.MIS_IMPORT
    version: int = 1
    id: int | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self) -> str:
        """The name to show: preferred or first name and the surname's initial."""
        return f"{self.preferred_name or self.first_name} {self.last_name[:1]}."

    @property
    def search_name(self) -> str:
        return search_key(self.first_name, self.preferred_name, self.last_name)

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def birthday(self, age: int) -> date:
        """The day the pupil turns `age` (1 March for those born on 29 February)."""
        born = self.date_of_birth
        try:
            return born.replace(year=born.year + age)
        except ValueError:
            return date(born.year + age, 3, 1)

    def same_details(self, other: Pupil) -> bool:
        keys = (
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "year_group",
            "consent",
        )
        return all(getattr(self, k) == getattr(other, k) for k in keys)

    def amended(self, **changes: object) -> Pupil:
        return replace(self, version=self.version + 1, **changes)  # type: ignore[arg-type]

    @property
    def audit_key(self) -> tuple[str, str]:
        return ("pupil", str(self.id))

    def state(self) -> dict[str, object]:
        """What the audit trail keeps of a version: ids, the version and consent, never names."""
        return {
            "site_id": self.site_id,
            "mis_id": self.mis_id,
            "version": self.version,
            "source": self.source.value,
            **self.consent.flags(),
        }

    def details(self) -> dict[str, str]:
        """The details a version records besides consent (for the history's "what changed")."""
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "preferred_name": self.preferred_name or "",
            "date_of_birth": self.date_of_birth.isoformat(),
            "year_group": self.year_group or "",
        }


@dataclass(frozen=True)
class HistoryEntry:
    """One version of a pupil's record, as it was recorded."""

    version: int
    consent: Consent
    changed_on: date | None
    source: Source
    recorded_by: str
    recorded_at: datetime
    note: str | None = None
    details: dict[str, str] = field(default_factory=dict)


class StaleRecord(PolicyError):
    """The record changed since it was read (someone else recorded a version meanwhile)."""
