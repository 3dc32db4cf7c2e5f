# The training repository: completions, refresher campaigns and nudge counts in and out of rows.
from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import exists, func, insert, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.training.model import COURSE, Campaign, Completion, NudgeState, Source
from storage.dialect import insert_into, locked
from storage.refs import next_ref
from storage.tables import TrainingCampaignRow, TrainingCompletionRow, TrainingNudgeRow

COMPLETION = TrainingCompletionRow.__table__  # type: ignore[attr-defined]
CAMPAIGN = TrainingCampaignRow.__table__  # type: ignore[attr-defined]
NUDGE = TrainingNudgeRow.__table__  # type: ignore[attr-defined]
CHUNK = 900  # values per IN (...), well under SQLite's limit of bound values


class SqlTrainingStore:
    """Implements bot.training.ports.TrainingStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, completion: Completion) -> bool:
        return await self.add_many([completion]) == 1

    async def add_many(self, completions: Sequence[Completion]) -> int:
        if not completions:
            return 0
        added = 0
        for chunk in _chunks(list(completions), CHUNK // 8):
            statement = (
                insert_into(self._session, COMPLETION)
                .values([_completion_values(c) for c in chunk])
                .on_conflict_do_nothing(index_elements=["email", "course", "completed_on"])
                .returning(COMPLETION.c.id)
            )
            added += len((await self._session.execute(statement)).all())
        return added

    async def recorded(self, emails: Sequence[str]) -> set[tuple[str, str, date]]:
        found: set[tuple[str, str, date]] = set()
        columns = (COMPLETION.c.email, COMPLETION.c.course, COMPLETION.c.completed_on)
        for chunk in _chunks(list(emails), CHUNK):
            rows = await self._session.execute(
                select(*columns).where(COMPLETION.c.email.in_(chunk))
            )
            found |= {(e, c, d) for e, c, d in rows.all()}
        return found

    async def latest(self, email: str) -> Completion | None:
        row = (
            (
                await self._session.execute(
                    select(COMPLETION)
                    .where(COMPLETION.c.email == email, COMPLETION.c.course == COURSE)
                    .order_by(COMPLETION.c.completed_on.desc(), COMPLETION.c.id.desc())
                    .limit(1)
                )
            )
            .mappings()
            .first()
        )
        return _completion(row) if row else None

    async def latest_days(self) -> dict[str, date]:
        rows = await self._session.execute(
            select(COMPLETION.c.email, func.max(COMPLETION.c.completed_on))
            .where(COMPLETION.c.course == COURSE)
            .group_by(COMPLETION.c.email)
        )
        return {email: day for email, day in rows.all()}

    async def for_export(
        self, *, emails: Sequence[str] | None, since: date | None, until: date | None
    ) -> list[Completion]:
        """Completions on days since..until (inclusive; None: open-ended) of these people (None:
        anyone's), oldest first (an export)."""
        query = select(COMPLETION)
        if since is not None:
            query = query.where(COMPLETION.c.completed_on >= since)
        if until is not None:
            query = query.where(COMPLETION.c.completed_on <= until)
        chunks = (
            [query]
            if emails is None
            else [
                query.where(COMPLETION.c.email.in_(chunk))
                for chunk in _chunks(sorted(emails), CHUNK)
            ]
        )
        found = [
            _completion(row)
            for chunk in chunks
            for row in (await self._session.execute(chunk)).mappings().all()
        ]
        return sorted(found, key=lambda c: (c.completed_on, c.id or 0))

    async def any_records(self) -> bool:
        query = select(or_(exists().select_from(COMPLETION), exists().select_from(CAMPAIGN)))
        return bool((await self._session.execute(query)).scalar())

    async def next_ref(self, year: int) -> str:
        return await next_ref(self._session, "TC", year)

    async def add_campaign(self, campaign: Campaign, *, source_key: str) -> Campaign:
        values = {
            "ref": campaign.ref,
            "source_key": source_key,
            "site_id": campaign.site_id,
            "starts_on": campaign.starts_on,
            "deadline": campaign.deadline,
            "reason": campaign.reason,
            "started_by": campaign.started_by,
            "started_at": campaign.started_at,
        }
        result = await self._session.execute(insert(CAMPAIGN).values(values).returning(CAMPAIGN))
        return _campaign(result.mappings().one())

    async def campaign_by_source_key(self, key: str) -> Campaign | None:
        query = select(CAMPAIGN).where(CAMPAIGN.c.source_key == key)
        row = (await self._session.execute(query)).mappings().first()
        return _campaign(row) if row else None

    async def campaigns(self) -> list[Campaign]:
        query = select(CAMPAIGN).order_by(CAMPAIGN.c.starts_on.desc(), CAMPAIGN.c.id.desc())
        return [_campaign(row) for row in (await self._session.execute(query)).mappings()]

    async def states(self, emails: Sequence[str]) -> dict[str, NudgeState]:
        found: dict[str, NudgeState] = {}
        for chunk in _chunks(list(emails), CHUNK):
            rows = await self._session.execute(select(NUDGE).where(NUDGE.c.email.in_(chunk)))
            found |= {row["email"]: _state(row) for row in rows.mappings()}
        return found

    async def to_nudge(self, emails: Sequence[str], week_start: date) -> list[NudgeState]:
        known = await self.states(emails)
        missing = [e for e in emails if e not in known]
        waiting = [e for e, s in known.items() if not _since(s, week_start)]
        if not missing and not waiting:
            return []  # everyone due was nudged this week: nothing more to do
        for chunk in _chunks(missing, CHUNK):
            await self._session.execute(
                insert_into(self._session, NUDGE)
                .values([{"email": e, "nudges": 0, "last_nudged_on": None} for e in chunk])
                .on_conflict_do_nothing(index_elements=["email"])
            )
        found: list[NudgeState] = []
        for chunk in _chunks(sorted({*missing, *waiting}), CHUNK):
            query = (
                select(NUDGE)
                .where(
                    NUDGE.c.email.in_(chunk),
                    or_(NUDGE.c.last_nudged_on.is_(None), NUDGE.c.last_nudged_on < week_start),
                )
                .order_by(NUDGE.c.email)
            )
            query = locked(self._session, query, skip_locked=True)
            found += [_state(row) for row in (await self._session.execute(query)).mappings()]
        return found

    async def save_states(self, states: Sequence[NudgeState]) -> None:
        if not states:
            return
        rows = [
            {"email": s.email, "nudges": s.nudges, "last_nudged_on": s.last_nudged_on}
            for s in states
        ]
        statement = insert_into(self._session, NUDGE)
        statement = statement.on_conflict_do_update(
            index_elements=["email"],
            set_={
                "nudges": statement.excluded.nudges,
                "last_nudged_on": statement.excluded.last_nudged_on,
            },
        )
        for chunk in _chunks(rows, CHUNK // 3):
            await self._session.execute(statement.values(chunk))

    async def reset_nudges(self, emails: Sequence[str]) -> None:
        for chunk in _chunks(list(emails), CHUNK):
            await self._session.execute(
                update(NUDGE).where(NUDGE.c.email.in_(chunk)).values(nudges=0)
            )


def _since(state: NudgeState, week_start: date) -> bool:
    return state.last_nudged_on is not None and state.last_nudged_on >= week_start


def _completion_values(completion: Completion) -> dict[str, Any]:
    return {
        "email": completion.email,
        "course": completion.course,
        "completed_on": completion.completed_on,
        "source": completion.source.value,
        "certificate_url": completion.certificate_url,
        "recorded_by": completion.recorded_by,
        "recorded_at": completion.recorded_at,
    }


def _completion(row: Any) -> Completion:
    return Completion(
        id=row["id"],
        email=row["email"],
        course=row["course"],
        completed_on=row["completed_on"],
        source=Source(row["source"]),
        certificate_url=row["certificate_url"],
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
    )


def _campaign(row: Any) -> Campaign:
    return Campaign(
        id=row["id"],
        ref=row["ref"],
        site_id=row["site_id"],
        starts_on=row["starts_on"],
        deadline=row["deadline"],
        reason=row["reason"],
        started_by=row["started_by"],
        started_at=row["started_at"],
    )


def _state(row: Any) -> NudgeState:
    return NudgeState(row["email"], row["nudges"], row["last_nudged_on"])


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
