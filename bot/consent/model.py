# A pupil on the consent register, what their consent allows, and how it changed.
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum


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


@dataclass(frozen=True)
class Consent:
    """What may be posted of a pupil: images and videos, on school and on Trust accounts."""

    images_school: bool = False
    videos_school: bool = False
    images_trust: bool = False
    videos_trust: bool = False

    def allows(self, media: Media, scope: Scope) -> bool:
        return bool(getattr(self, f"{media.value}_{scope.value}"))

    def withdrawn_in(self, new: Consent) -> list[tuple[Media, Scope]]:
        """The uses this consent allowed and `new` no longer does (a withdrawal or narrowing)."""
        return [use for use in USES if self.allows(*use) and not new.allows(*use)]

    def describe(self) -> str:
        allowed = [f"{m.value} on {s.value} accounts" for m, s in USES if self.allows(m, s)]
        return "Yes: " + ", ".join(allowed) if allowed else "No consent for images or videos"


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

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

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
