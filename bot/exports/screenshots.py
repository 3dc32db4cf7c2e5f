# The screenshots kept with one abuse log entry, handed out on behalf of someone who may see it,
# each checked against the SHA-256 recorded when the bot kept it; on the audit trail.
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.abuse.model import ShotState
from bot.abuse.service import may_see as may_see_entry
from bot.audit import record
from bot.errors import NotAllowed, NotFound, PolicyError
from bot.exports.model import Kind, check_may_export
from bot.exports.service import ExportDeps
from bot.files import fingerprint
from bot.ports import UnitOfWork

UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class EvidenceFile:
    file_name: str  # safe to write: REF-N-name
    sha256: str
    content: bytes


async def screenshot_files(
    uow: UnitOfWork, deps: ExportDeps, *, ref: str, as_email: str, actor: str
) -> list[EvidenceFile]:
    """The files kept with entry `ref`, for a Head of Comms or Headteacher who may see it.
    A file whose bytes no longer match the recorded SHA-256 stops the export (PolicyError)."""
    directory, as_email, ref = deps.directory, as_email.strip().lower(), ref.strip().upper()
    check_may_export(directory, Kind.ABUSE, as_email)
    found: list[EvidenceFile] = []
    async with uow:
        entry = await uow.abuse.get(ref)
        if entry is None:
            raise NotFound(f"There is no abuse log entry {ref}.")
        if not may_see_entry(directory, entry, as_email):
            raise NotAllowed(f"{as_email} may not see {ref}.")
        shots = (await uow.abuse.screenshots_of([ref]))[ref]
        for number, shot in enumerate(shots, start=1):
            if shot.state is not ShotState.KEPT or shot.id is None or not shot.sha256:
                continue
            content = await uow.abuse.screenshot_content(shot.id) or b""
            if fingerprint(content) != shot.sha256:
                raise PolicyError(
                    f"The bytes kept for screenshot {number} of {ref} no longer match the "
                    "SHA-256 recorded when they were kept."
                )
            name = UNSAFE.sub("_", shot.name).strip("._") or "screenshot"
            found.append(EvidenceFile(f"{ref}-{number}-{name}", shot.sha256, content))
        await record(
            uow.audit,
            deps.clock.now(),
            actor,
            "export.made",
            ("export", "screenshots"),
            before=None,
            after=None,
            detail={"as": as_email, "ref": ref, "count": len(found)},
        )
        await uow.commit()
    return found
