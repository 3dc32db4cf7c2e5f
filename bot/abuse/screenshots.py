# Screenshots of abuse log entries: given with the form (Slack) or sent in chat later (Teams),
# then fetched, fingerprinted (SHA-256) and kept by the bot, retried until they are.
from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta

from bot.abuse import messages
from bot.abuse.model import FETCH_TRIES, MAX_SCREENSHOTS, AbuseEntry, Screenshot, ShotState
from bot.audit import audit_change, record
from bot.errors import NotAllowed, NotFound, PolicyError
from bot.files import MAX_BYTES, FetchFailed, FileFetcher, Upload, fingerprint
from bot.messages import Message
from bot.outbox import OutboxItem
from bot.ports import UnitOfWork

log = logging.getLogger(__name__)
LATER_WINDOW = timedelta(hours=24)  # a file sent in chat goes with your entry of the last day
REF = re.compile(r"\bAL-\d{4}-\d{4,}\b", re.IGNORECASE)
BATCH = 10  # files fetched per run of the job


async def add_uploads(
    uow: UnitOfWork,
    entry: AbuseEntry,
    uploads: Sequence[Upload],
    *,
    by: str,
    at: datetime,
    source_key: str,
) -> list[Screenshot]:
    """Inside the caller's transaction: record files to fetch for `entry`, once per key."""
    added = []
    for index, upload in enumerate(uploads):
        shot = Screenshot(entry_ref=entry.ref, added_by=by, added_at=at, upload=upload)
        if await uow.abuse.add_screenshot(shot, source_key=f"{source_key}:file:{index}"):
            added.append(shot)
    return added


async def attach(
    uow: UnitOfWork,
    *,
    by: str,
    text: str,
    uploads: Sequence[Upload],
    source_key: str,
    cards: Callable[[UnitOfWork, AbuseEntry], Awaitable[None]],
    may_act: Callable[[AbuseEntry, str], bool],
    now: datetime,
) -> tuple[AbuseEntry, int]:
    """Files sent in chat: keep them with the entry named in `text` (AL-YYYY-NNNN), which the
    person logged or keeps, or else with the newest entry they logged in the last day. Returns
    the entry and how many files are new. Raises NotFound or NotAllowed in plain words."""
    named = REF.search(text or "")
    async with uow:
        if named:
            entry = await uow.abuse.get(named.group(0).upper(), for_update=True)
            if entry is None:
                raise NotFound(f"There is no abuse log entry {named.group(0).upper()}.")
            if entry.logged_by != by and not may_act(entry, by):
                raise NotAllowed("You can add screenshots only to entries you logged or keep.")
        else:
            entry = await uow.abuse.latest_logged_by(by, now - LATER_WINDOW)
            if entry is None:
                raise NotFound(
                    "I keep files only with an abuse log entry, and you haven't logged one "
                    "today. Log the comment first (abuse log), then send the screenshot here; "
                    "to add to an older entry, put its reference (AL-...) in the message."
                )
        held = (await uow.abuse.screenshots_of([entry.ref]))[entry.ref]
        if len(held) + len(uploads) > MAX_SCREENSHOTS:
            raise PolicyError(
                f"{entry.ref} can keep {MAX_SCREENSHOTS} screenshots and has {len(held)}; "
                "please send fewer."
            )
        added = await add_uploads(uow, entry, uploads, by=by, at=now, source_key=source_key)
        if added:
            entry.revision += 1
            await uow.abuse.save(entry)
            await cards(uow, entry)
        await uow.commit()
    return entry, len(added)


async def keep_waiting(
    uow_of: Callable[[], UnitOfWork],
    fetchers: Mapping[str, FileFetcher],
    *,
    now: Callable[[], datetime],
    cards: Callable[[UnitOfWork, AbuseEntry], Awaitable[None]],
) -> int:
    """Fetch each screenshot whose turn it is, outside any transaction; then keep its bytes and
    SHA-256, or count a failed try (backing off), in a transaction of its own. After the last
    try, or when trying again cannot help, the person is asked to send it again. Safe to run
    in two places at once: a screenshot is kept once. Returns how many were kept."""
    async with uow_of() as uow:
        waiting = await uow.abuse.screenshots_waiting(now(), limit=BATCH)
    kept = 0
    for shot in waiting:
        fetcher = fetchers.get(shot.upload.channel)
        try:
            if fetcher is None:
                raise FetchFailed(f"{shot.upload.channel} is not configured", permanent=False)
            content = await fetcher.fetch(shot.upload, limit=MAX_BYTES)
        except FetchFailed as failure:
            await _missed(uow_of(), shot, failure, now(), cards)
            continue
        kept += await _keep(uow_of(), shot, content, now(), cards)
    return kept


async def _keep(
    uow: UnitOfWork,
    shot: Screenshot,
    content: bytes,
    at: datetime,
    cards: Callable[[UnitOfWork, AbuseEntry], Awaitable[None]],
) -> int:
    async with uow:
        current = await uow.abuse.get_screenshot(shot.id or 0, for_update=True)
        entry = await uow.abuse.get(shot.entry_ref, for_update=True)
        if current is None or current.state is not ShotState.WAITING or entry is None:
            return 0  # kept elsewhere meanwhile, or its entry has gone
        current.state, current.sha256 = ShotState.KEPT, fingerprint(content)
        current.size, current.kept_at, current.problem = len(content), at, None
        current.upload = Upload(**{**current.upload.as_json(), "url": None})  # short-lived
        await uow.abuse.save_screenshot(current, content=content)
        await record(
            uow.audit,
            at,
            "system",
            "abuse.screenshot_kept",
            entry.audit_key,
            before=None,
            after=None,
            detail={"screenshot": current.id, "sha256": current.sha256, "bytes": current.size},
        )
        entry.revision += 1
        await uow.abuse.save(entry)
        await _settled(uow, entry, current, "kept", messages.screenshot_kept, cards)
        await uow.commit()
    log.info("abuse log %s: screenshot %s kept", entry.ref, current.id)
    return 1


async def _missed(
    uow: UnitOfWork,
    shot: Screenshot,
    failure: FetchFailed,
    at: datetime,
    cards: Callable[[UnitOfWork, AbuseEntry], Awaitable[None]],
) -> None:
    async with uow:
        current = await uow.abuse.get_screenshot(shot.id or 0, for_update=True)
        if current is None or current.state is not ShotState.WAITING:
            return
        current.tries += 1
        current.problem = failure.reason[:200]
        given_up = failure.permanent or current.tries >= FETCH_TRIES
        if given_up:
            current.state = ShotState.FAILED
        else:
            current.next_try_at = at + timedelta(minutes=2**current.tries)
        await uow.abuse.save_screenshot(current)
        entry = await uow.abuse.get(current.entry_ref, for_update=True)
        if given_up and entry is not None:
            before = entry.state()
            entry.revision += 1
            await uow.abuse.save(entry)
            await audit_change(
                uow.audit,
                at,
                "system",
                "abuse.screenshot_failed",
                entry,
                before=before,
                detail={"screenshot": current.id, "tries": current.tries},
            )
            await _settled(uow, entry, current, "failed", messages.screenshot_failed, cards)
        await uow.commit()
    log.warning(
        "abuse log screenshot %s not fetched (try %d%s): %s",
        current.id,
        current.tries,
        ", given up" if current.state is ShotState.FAILED else "",
        failure.reason,
    )


async def _settled(
    uow: UnitOfWork,
    entry: AbuseEntry,
    shot: Screenshot,
    outcome: str,
    message: Callable[[AbuseEntry, Screenshot], Message],
    cards: Callable[[UnitOfWork, AbuseEntry], Awaitable[None]],
) -> None:
    """A screenshot kept or given up: the keepers' cards refreshed, and whoever gave it told
    (once: `abuse:<ref>:shot:<id>:<outcome>`)."""
    await cards(uow, entry)
    key = f"abuse:{entry.ref}:shot:{shot.id}:{outcome}"
    await uow.outbox.add(OutboxItem(key, shot.added_by, message(entry, shot)))
