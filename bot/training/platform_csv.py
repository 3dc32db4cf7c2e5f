# Reads a training platform's export (CSV) into checked completions and plain-worded refusals.
"""A training platform's export of completed courses, read and checked row by row.

The documented header is `EXPECTED_HEADER`, in any order; header names ignore case, spaces and
the difference between `_` and a space, and the names platforms commonly use (`ALIASES`) are
accepted too. Only `email` and `completed_on` are required: an empty or missing course is the
Trust's course. The file is UTF-8, with or without a byte-order mark; dates are ISO
(2026-03-03, optionally with a time) or UK (03/03/2026). Nothing is stored here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Set
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.csv_files import (
    CsvInvalid,
    Reader,
    Refusal,
    count_rows,
    data_rows,
    header_key,
    header_row,
    missing_columns,
    open_csv,
)
from bot.training.forms import is_https_link
from bot.training.model import COURSE, COURSES, course_named

__all__ = [
    "ALIASES",
    "EXPECTED_HEADER",
    "CompletionRow",
    "CsvInvalid",
    "Refusal",
    "count_rows",
    "read_training_csv",
]

EXPECTED_HEADER = ("email", "course", "completed_on", "certificate_url")
REQUIRED = ("email", "completed_on")
ALIASES: dict[str, str] = {
    "e-mail": "email",
    "email address": "email",
    "e-mail address": "email",
    "user email": "email",
    "learner email": "email",
    "work email": "email",
    "course name": "course",
    "course title": "course",
    "completed": "completed_on",
    "completed at": "completed_on",
    "completed date": "completed_on",
    "completion date": "completed_on",
    "date completed": "completed_on",
    "date of completion": "completed_on",
    "certificate": "certificate_url",
    "certificate link": "certificate_url",
    "certificate address": "certificate_url",
}
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?")
_UK = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?: [0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?")


@dataclass(frozen=True)
class CompletionRow:
    """One completion as the export gives it, checked; `line` is the file's line."""

    line: int
    email: str
    course: str
    completed_on: date
    certificate_url: str | None


def read_training_csv(
    path: str | Path, *, today: date, known: Set[str]
) -> Iterator[CompletionRow | Refusal]:
    """One `CompletionRow` or `Refusal` per data row, in file order. `known` holds the
    directory's e-mails (lower case): anyone else is refused, as is a date after `today`.
    The header is checked when this is called, so `CsvInvalid` comes before any row."""
    reader = open_csv(path)
    index = _header(reader)
    return _rows(reader, index, today, known)


def _column(name: str) -> str | None:
    key = header_key(name)
    canonical = key.replace(" ", "_")
    return canonical if canonical in EXPECTED_HEADER else ALIASES.get(key)


def _expected() -> str:
    return (
        f"The expected header is: {', '.join(EXPECTED_HEADER)} (in any order; course and "
        "certificate_url may be left out)."
    )


def _header(reader: Reader) -> dict[str, int]:
    fields = header_row(reader, _expected())
    index: dict[str, int] = {}
    problems = []
    for position, name in enumerate(fields):
        column = _column(name)
        if column is not None and column in index:
            problems.append(f"Two columns give {column}; keep one of them.")
        elif column is not None:
            index[column] = position
    problems += missing_columns([c for c in REQUIRED if c not in index], fields)
    if problems:
        raise CsvInvalid(" ".join([*problems, _expected()]))
    return index


def _rows(
    reader: Reader, index: dict[str, int], today: date, known: Set[str]
) -> Iterator[CompletionRow | Refusal]:
    for row in data_rows(reader):
        if isinstance(row, Refusal):
            yield row
            continue
        line, fields = row
        value = {c: fields[i].strip() if i < len(fields) else "" for c, i in index.items()}
        yield _row(value, line, today, known)


def _row(value: dict[str, str], line: int, today: date, known: Set[str]) -> CompletionRow | Refusal:
    """Check one row; every problem found goes into the refusal's reason."""
    problems = []
    email = value["email"].lower()
    if not email:
        problems.append("email is empty")
    elif not EMAIL.match(email):
        problems.append(f"'{_short(value['email'])}' in email is not an e-mail address")
    elif email not in known:
        problems.append(f"unknown e-mail {email}: nobody in the directory has it")
    course = course_named(value.get("course", "")) if value.get("course") else COURSE
    if course is None:
        problems.append(
            f"course '{_short(value['course'])}' is not one policybot keeps ({', '.join(COURSES)})"
        )
    done = parse_day(value["completed_on"])
    if done is None:
        found = (
            f"'{_short(value['completed_on'])}' is not a date"
            if value["completed_on"]
            else "is empty"
        )
        problems.append(f"completed_on {found} (write dates as 2026-03-03 or 03/03/2026)")
    elif done > today:
        problems.append(f"completed_on {done.isoformat()} is in the future")
    link = value.get("certificate_url") or None
    if link and not is_https_link(link):
        problems.append("certificate_url is not a whole https:// link")
    if problems or done is None or course is None:
        return Refusal(line, "; ".join(problems))
    return CompletionRow(line, email, course, done, link)


def parse_day(text: str) -> date | None:
    """2026-03-03 (a time may follow), 03/03/2026 or 3/3/2026 (day first); else None."""
    if match := _ISO.fullmatch(text):
        year, month, day = match.groups()
    elif match := _UK.fullmatch(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
