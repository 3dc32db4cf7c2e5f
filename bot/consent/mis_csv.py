# Reads a school MIS consent export (CSV) into checked pupil rows and plain-worded refusals.
"""The consent export of a school's MIS, read and checked row by row; nothing is stored here.

The documented header is `EXPECTED_HEADER`, in any order; header names ignore case, surrounding
spaces and the difference between `_` and a space, and the common MIS names in `ALIASES` are
accepted too. Every data row becomes a `PupilRow` or a `Refusal` whose reason never holds the
pupil's name, so that it can be logged and shown to the office.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from bot.consent.model import Consent
from bot.csv_files import (
    CsvInvalid,
    Reader,
    Refusal,
    count_rows,
    data_rows,
    filled,
    header_key,
    header_row,
    missing_columns,
    open_csv,
)

__all__ = [
    "ALIASES",
    "EXPECTED_HEADER",
    "OPTIONAL_COLUMNS",
    "CsvInvalid",
    "PupilRow",
    "Refusal",
    "count_rows",
    "read_mis_csv",
]

EXPECTED_HEADER: tuple[str, ...] = (
    "mis_id",
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "year_group",
    "images_school",
    "videos_school",
    "images_trust",
    "videos_trust",
    "consent_date",
)
OPTIONAL_COLUMNS = frozenset({"preferred_name", "year_group", "consent_date"})
CONSENT_COLUMNS = ("images_school", "videos_school", "images_trust", "videos_trust")

# Other names MIS exports give the columns. Keys are as `header_key` makes them (lower case,
# `_` as a space), so "Date of Birth" and "Year Group" need no entry: they are the documented names.
ALIASES: dict[str, str] = {
    "upn": "mis_id",
    "admission no": "mis_id",
    "adno": "mis_id",
    "forename": "first_name",
    "legal forename": "first_name",
    "surname": "last_name",
    "legal surname": "last_name",
    "preferred forename": "preferred_name",
    "known as": "preferred_name",
    "dob": "date_of_birth",
    "year": "year_group",
    "nc year": "year_group",
    "date of consent": "consent_date",
}

MAX_MIS_ID = 40
MAX_NAME = 100
MAX_YEAR_GROUP = 20  # the register's column is this wide
MAX_AGE_YEARS = 25
_BOOLEANS = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_NAME_PARTS = re.compile(r"[\s'’.-]+")


@dataclass(frozen=True)
class PupilRow:
    """One pupil as the export gives them, every value checked; `line` is the file's line."""

    line: int
    mis_id: str
    first_name: str
    last_name: str
    preferred_name: str | None
    date_of_birth: date
    year_group: str | None
    consent: Consent
    consent_date: date | None


@dataclass(frozen=True)
class _Columns:
    """Where each known column is in the file, and its name as the file writes it."""

    index: dict[str, int]
    label: dict[str, str]
    width: int


def read_mis_csv(path: str | Path, *, today: date) -> Iterator[PupilRow | Refusal]:
    """Read a consent export: one `PupilRow` or `Refusal` per data row, in file order.

    The file is decoded and its header checked when this is called, so `CsvInvalid` (not UTF-8,
    empty, a required column missing or given twice) comes before any row. Blank lines are
    skipped; `line` is the physical line in the file, the header being line 1. `today` bounds the
    dates of birth: none in the future or more than 25 years ago.
    """
    reader = open_csv(path)
    columns = _header(reader)
    return _rows(reader, columns, today)


def _column(name: str) -> str | None:
    key = header_key(name)
    canonical = key.replace(" ", "_")
    return canonical if canonical in EXPECTED_HEADER else ALIASES.get(key)


def _expected() -> str:
    optional = ", ".join(c for c in EXPECTED_HEADER if c in OPTIONAL_COLUMNS)
    return (
        f"The expected header is: {', '.join(EXPECTED_HEADER)} "
        f"(in any order; {optional} may be left out)."
    )


def _header(reader: Reader) -> _Columns:
    """Find and check the header row (the first non-blank one)."""
    fields = header_row(reader, _expected())
    index: dict[str, int] = {}
    label: dict[str, str] = {}
    problems: list[str] = []
    for position, name in enumerate(fields):
        column = _column(name)
        if column is None:
            continue  # an extra column of the export, not ours
        if column in index:
            problems.append(
                f"The columns '{label[column]}' and '{name.strip()}' both give {column}; "
                "keep one of them."
            )
            continue
        index[column] = position
        label[column] = name.strip()
    missing = [c for c in EXPECTED_HEADER if c not in index and c not in OPTIONAL_COLUMNS]
    problems += missing_columns(missing, fields)
    if problems:
        raise CsvInvalid(" ".join([*problems, _expected()]))
    return _Columns(index=index, label=label, width=len(fields))


def _rows(reader: Reader, columns: _Columns, today: date) -> Iterator[PupilRow | Refusal]:
    seen: dict[str, int] = {}
    earliest = _years_before(today, MAX_AGE_YEARS)
    for row in data_rows(reader):
        if isinstance(row, Refusal):
            yield row
            continue
        line, fields = row
        if len(fields) > columns.width and filled(fields[columns.width :]):
            yield Refusal(line, _too_many(len(fields), columns.width))
        else:
            yield _row(fields, line, columns, seen, (earliest, today))


def _too_many(found: int, width: int) -> str:
    return (
        f"the line has {found} values but the header has {width} columns; "
        "a value with a comma in it must be in double quotes"
    )


def _row(
    fields: list[str],
    line: int,
    columns: _Columns,
    seen: dict[str, int],
    born_between: tuple[date, date],
) -> PupilRow | Refusal:
    """Check one data row; every problem found goes into the refusal's reason."""
    if len(fields) < columns.width:
        fields = fields + [""] * (columns.width - len(fields))
    value = {column: fields[i].strip() for column, i in columns.index.items()}
    label = columns.label
    names = (value["first_name"], value["last_name"], value.get("preferred_name", ""))
    problems: list[str] = []
    mis_id = _mis_id(value["mis_id"], label["mis_id"], line, seen, names, problems)
    first_name = _name(value["first_name"], label["first_name"], problems) or ""
    last_name = _name(value["last_name"], label["last_name"], problems) or ""
    preferred = _optional_name(value.get("preferred_name", ""), label, problems)
    born = _birth_date(
        value["date_of_birth"], label["date_of_birth"], born_between, names, problems
    )
    year_group = _year_group(value.get("year_group", ""), label, problems)
    allowed = {c: _boolean(value[c], label[c], names, problems) for c in CONSENT_COLUMNS}
    consent_date = None
    if value.get("consent_date"):
        consent_date = _date(value["consent_date"], label["consent_date"], names, problems)
    if problems or born is None:
        return Refusal(line, "; ".join(problems))
    return PupilRow(
        line=line,
        mis_id=mis_id,
        first_name=first_name,
        last_name=last_name,
        preferred_name=preferred,
        date_of_birth=born,
        year_group=year_group,
        consent=Consent(**allowed),
        consent_date=consent_date,
    )


def _mis_id(
    mis_id: str,
    label: str,
    line: int,
    seen: dict[str, int],
    names: tuple[str, ...],
    problems: list[str],
) -> str:
    if not mis_id:
        problems.append(f"{label} is empty")
    elif len(mis_id) > MAX_MIS_ID:
        problems.append(f"{label} is {len(mis_id)} characters long; the most is {MAX_MIS_ID}")
    elif mis_id in seen:
        problems.append(
            f"{label}{_shown(mis_id, names)} appears again; first on line {seen[mis_id]}"
        )
    else:
        seen[mis_id] = line
    return mis_id


def _name(name: str, label: str, problems: list[str]) -> str | None:
    if not name:
        problems.append(f"{label} is empty")
    elif len(name) > MAX_NAME:
        problems.append(f"{label} is longer than {MAX_NAME} characters")
    return name or None


def _optional_name(name: str, label: dict[str, str], problems: list[str]) -> str | None:
    if name and len(name) > MAX_NAME:
        problems.append(f"{label['preferred_name']} is longer than {MAX_NAME} characters")
    return name or None


def _year_group(year_group: str, label: dict[str, str], problems: list[str]) -> str | None:
    if len(year_group) > MAX_YEAR_GROUP:
        problems.append(f"{label['year_group']} is longer than {MAX_YEAR_GROUP} characters")
    return year_group or None


def _boolean(text: str, label: str, names: tuple[str, ...], problems: list[str]) -> bool:
    answer = _BOOLEANS.get(text.lower())
    if answer is None:
        problems.append(
            f"{label} is empty (use Yes or No)"
            if not text
            else f"{label}{_shown(text, names)} is not Yes or No"
        )
        return False
    return answer


def _date(text: str, label: str, names: tuple[str, ...], problems: list[str]) -> date | None:
    day = _parse_date(text)
    if day is None:
        found = "is empty" if not text else f"{_shown(text, names)} is not a date".lstrip()
        problems.append(f"{label} {found} (write dates as 2015-03-03 or 03/03/2015)")
    return day


def _birth_date(
    text: str,
    label: str,
    born_between: tuple[date, date],
    names: tuple[str, ...],
    problems: list[str],
) -> date | None:
    born = _date(text, label, names, problems)
    earliest, today = born_between
    if born is not None and born > today:
        problems.append(f"{label} {text} is in the future")
    elif born is not None and born < earliest:
        problems.append(f"{label} {text} is more than {MAX_AGE_YEARS} years ago")
    return born


@lru_cache(maxsize=8192)
def _parse_date(text: str) -> date | None:
    """2015-03-03, 03/03/2015 or 3/3/2015 (day first); None for anything else."""
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _UK_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _shown(text: str, names: tuple[str, ...]) -> str:
    """' 'text'' to quote a bad value, or '' when it is long or may hold the pupil's name.

    Values land in the wrong column when a row has a value too few, so a name can turn up where
    a date or a Yes/No was expected; such a value is left out of the reason.
    """
    lowered = text.casefold()
    parts = {p for name in names for p in _NAME_PARTS.split(name.casefold()) if len(p) > 1}
    if len(text) > 40 or any(p in lowered or (len(lowered) > 1 and lowered in p) for p in parts):
        return ""
    return f" '{text}'"


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
