# Files people give the bot (a screenshot for the abuse log): what a channel says of each, how the
# bot fetches its bytes, and the fingerprint it keeps.
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, Protocol

MAX_BYTES = 10 * 1024 * 1024  # Slack's own limit for a file in a form
MAX_SIZE = "10 MB"  # MAX_BYTES in words
TOO_BIG = f"the file is bigger than {MAX_SIZE}"  # a FetchFailed reason people are told as it is
PICTURE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/heic")
EVIDENCE_TYPES = (*PICTURE_TYPES, "application/pdf")
EVIDENCE_EXTENSIONS = ("png", "jpg", "jpeg", "gif", "webp", "heic", "pdf")


@dataclass(frozen=True)
class Upload:
    """A file as a channel hands it over: `channel` and `file_id` name it there (a Slack file
    id; a Teams attachment), `url` is where to fetch it when the channel gives an address (Teams'
    short-lived download address), and `auth` says the address wants the bot's own token."""

    channel: str
    file_id: str
    name: str
    mimetype: str
    size: int | None = None
    url: str | None = None
    auth: bool = False

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Upload:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    @property
    def evidence(self) -> bool:
        """A picture or a PDF, by what the channel says it is."""
        extension = self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""
        return self.mimetype.lower() in EVIDENCE_TYPES or extension in EVIDENCE_EXTENSIONS


class FetchFailed(Exception):
    """The file could not be fetched. `permanent`: trying again will not help (gone, refused,
    too big); otherwise the next attempt may work (an outage, a 429)."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def too_big() -> FetchFailed:
    """The failure for a file over MAX_BYTES: permanent, and said to the person as such."""
    return FetchFailed(TOO_BIG, permanent=True)


class FileFetcher(Protocol):
    """Fetches an upload's bytes from its channel, at most `limit` of them (else FetchFailed)."""

    async def fetch(self, upload: Upload, *, limit: int) -> bytes: ...


def fingerprint(content: bytes) -> str:
    """The SHA-256 of the bytes, as 64 lower-case hex digits: what shows a later copy is the
    same file."""
    return hashlib.sha256(content).hexdigest()
