# Reading a training platform's export: header names and aliases, BOM, ISO and UK dates, and
# refusals with their line numbers (unknown e-mail, bad date, future date, another course).
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.directory import load_directory
from bot.training.model import COURSE
from bot.training.platform_csv import (
    CompletionRow,
    CsvInvalid,
    Refusal,
    count_rows,
    parse_day,
    read_training_csv,
)
from tests.e2e.harness import SAMPLE

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "training-export.csv"
TODAY = date(2026, 11, 24)
KNOWN = frozenset(p.email for p in load_directory(SAMPLE).people)
HEADER = "email,course,completed_on,certificate_url"
TEACHER = "d.hughes@willow.example"


def read(tmp_path: Path, text: str, *, bom: bool = False) -> list[CompletionRow | Refusal]:
    path = tmp_path / "export.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return list(read_training_csv(path, today=TODAY, known=KNOWN))


def test_the_example_reads_without_refusals() -> None:
    rows = list(read_training_csv(EXAMPLE, today=TODAY, known=KNOWN))
    assert len(rows) == count_rows(EXAMPLE) == 11
    assert all(isinstance(r, CompletionRow) for r in rows), rows
    first = rows[0]
    assert isinstance(first, CompletionRow)
    assert (first.line, first.email, first.course) == (2, "s.thompson@willow.example", COURSE)
    assert first.certificate_url == "https://learning.example/certificates/1001"


@pytest.mark.parametrize("bom", [False, True], ids=["plain", "bom"])
def test_utf8_with_or_without_a_byte_order_mark(tmp_path: Path, bom: bool) -> None:
    [row] = read(tmp_path, f"{HEADER}\n{TEACHER},{COURSE},2026-11-02,\n", bom=bom)
    assert isinstance(row, CompletionRow) and row.completed_on == date(2026, 11, 2)
    assert row.certificate_url is None


def test_header_aliases_any_order_and_optional_columns(tmp_path: Path) -> None:
    text = (
        "Completion Date,Learner Email,Department,Course Name,Certificate\n"
        f"03/11/2026,D.Hughes@Willow.example,Year 3,social media & online safety,"
        "https://lms.example/c/9\n"
        f"2026-11-04T09:30:00Z,{TEACHER},Year 3,,\n"
    )
    first, second = read(tmp_path, text)
    assert isinstance(first, CompletionRow) and isinstance(second, CompletionRow)
    assert (first.email, first.course, first.completed_on) == (TEACHER, COURSE, date(2026, 11, 3))
    assert first.certificate_url == "https://lms.example/c/9"
    assert second.course == COURSE, "an empty course is the Trust's course"
    assert second.completed_on == date(2026, 11, 4)
    [only] = read(tmp_path, f"E-mail,Date completed\n{TEACHER},1/9/2026\n")
    assert isinstance(only, CompletionRow) and only.completed_on == date(2026, 9, 1)


def test_refusals_name_their_lines_and_reasons(tmp_path: Path) -> None:
    text = "\n".join(
        [
            HEADER,
            f"{TEACHER},{COURSE},2026-11-02,",  # 2: fine
            f"stranger@elsewhere.example,{COURSE},2026-11-02,",  # 3: unknown e-mail
            f"{TEACHER},{COURSE},last Tuesday,",  # 4: bad date
            f"{TEACHER},{COURSE},2026-11-25,",  # 5: future
            "",  # 6: blank, skipped
            f"{TEACHER},Fire safety,2026-11-02,",  # 7: another course
            f"{TEACHER},{COURSE},31/02/2026,",  # 8: no such day
            f"not-an-address,{COURSE},2026-11-02,http://lms.example/c",  # 9: two problems
            f",{COURSE},2026-11-02,",  # 10: no e-mail
        ]
    )
    rows = read(tmp_path, text + "\n")
    assert [type(r).__name__ for r in rows] == ["CompletionRow"] + ["Refusal"] * 7
    reasons = {r.line: r.reason for r in rows if isinstance(r, Refusal)}
    assert reasons == {
        3: "unknown e-mail stranger@elsewhere.example: nobody in the directory has it",
        4: "completed_on 'last Tuesday' is not a date (write dates as 2026-03-03 or 03/03/2026)",
        5: "completed_on 2026-11-25 is in the future",
        7: "course 'Fire safety' is not one policybot keeps (Social media and online safety)",
        8: "completed_on '31/02/2026' is not a date (write dates as 2026-03-03 or 03/03/2026)",
        9: "'not-an-address' in email is not an e-mail address; certificate_url is not a whole "
        "https:// link",
        10: "email is empty",
    }


def test_a_value_running_over_lines_is_refused_at_its_first_line(tmp_path: Path) -> None:
    text = f'{HEADER}\n{TEACHER},"{COURSE},2026-11-02,\n{TEACHER},{COURSE},2026-11-03,\n'
    [row] = read(tmp_path, text)
    assert isinstance(row, Refusal) and row.line == 2 and "line 2 to line 3" in row.reason


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "The file is empty"),
        ("name,completed_on\nDan,2026-11-02\n", "Missing column: email"),
        ("email;completed_on\n", "separated by commas"),
        ("email,e-mail,completed_on\n", "Two columns give email"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(CsvInvalid) as caught:
        read(tmp_path, text)
    assert words in caught.value.message and "expected header" in caught.value.message


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        f"{HEADER}\n{TEACHER},{COURSE},2026-11-02,\n".encode() + "Zoë,,\n".encode("cp1252")
    )
    with pytest.raises(CsvInvalid) as caught:
        read_training_csv(path, today=TODAY, known=KNOWN)
    assert "line 3" in caught.value.message and "CSV UTF-8" in caught.value.message


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-03-03", date(2026, 3, 3)),
        ("2026-03-03 14:05", date(2026, 3, 3)),
        ("2026-03-03T14:05:00+00:00", date(2026, 3, 3)),
        ("03/03/2026", date(2026, 3, 3)),
        ("3/4/2026", date(2026, 4, 3)),
        ("03/04/2026 09:00", date(2026, 4, 3)),
        ("2026/03/03", None),
        ("March 3rd", None),
        ("", None),
    ],
)
def test_iso_and_uk_dates(text: str, day: date | None) -> None:
    assert parse_day(text) == day
