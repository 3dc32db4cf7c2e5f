# School terms in the directory file: read, checked line by line, and the holiday rule they give.
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.directory import Directory, Term, check_directory, load_directory
from tests.unit.test_directory import SAMPLE, VALID, line_of, write

TERMS = """\
terms:
  - {name: Autumn 1, start: 2026-09-02, end: 2026-10-23}
  - name: Autumn 2
    start: 2026-11-02
    end: 2026-12-18
"""


def with_terms(terms: str) -> str:
    return VALID.replace("people:\n", terms + "people:\n")


def test_terms_are_read_in_date_order(tmp_path: Path) -> None:
    text = with_terms(
        "terms:\n"
        "  - {name: Spring, start: 2027-01-05, end: 2027-03-26}\n"
        "  - {name: Autumn, start: 2026-09-02, end: 2026-12-18}\n"
    )
    directory = load_directory(write(tmp_path, text))
    assert [t.name for t in directory.terms] == ["Autumn", "Spring"]
    assert directory.terms[0] == Term("Autumn", date(2026, 9, 2), date(2026, 12, 18))


def test_days_in_and_out_of_term(tmp_path: Path) -> None:
    directory = load_directory(write(tmp_path, with_terms(TERMS)))
    assert directory.in_term(date(2026, 9, 2)) and directory.in_term(date(2026, 10, 23))
    assert not directory.in_term(date(2026, 10, 26)), "half term is a holiday"
    assert not directory.in_term(date(2026, 9, 1)) and not directory.in_term(date(2026, 12, 21))
    assert not directory.in_term(date(2027, 9, 6)), "after the last term every day is a holiday"
    term = directory.term_on(date(2026, 11, 24))
    assert term is not None and term.name == "Autumn 2"


def test_without_terms_there_is_no_holiday_rule(tmp_path: Path) -> None:
    directory = load_directory(write(tmp_path, VALID))
    assert directory.terms == ()
    assert directory.in_term(date(2026, 8, 15)) and directory.term_on(date(2026, 8, 15)) is None
    assert Directory(trust=directory.trust).in_term(date(2026, 12, 25))


def test_the_sample_lists_the_school_year() -> None:
    sample = load_directory(SAMPLE)
    assert len(sample.terms) == 6
    assert sample.in_term(date(2026, 11, 24)) and not sample.in_term(date(2026, 12, 24))


@pytest.mark.parametrize(
    ("terms", "needle", "words"),
    [
        (
            "terms:\n  - {name: Autumn, start: 2026-12-18, end: 2026-09-02}\n",
            "name: Autumn",
            ['the term "Autumn" ends on 2026-09-02, before it starts on 2026-12-18'],
        ),
        (
            "terms:\n"
            "  - {name: Autumn, start: 2026-09-02, end: 2026-12-18}\n"
            "  - {name: Winter, start: 2026-12-01, end: 2027-01-10}\n",
            "name: Winter",
            ['"Winter" (2026-12-01 to 2027-01-10) overlaps "Autumn" (line ', "must not overlap"],
        ),
        (
            "terms:\n  - {name: Autumn, start: 2 September, end: 2026-12-18}\n",
            "name: Autumn",
            ['terms[0].start should be a date like 2026-11-30, not "2 September"'],
        ),
        (
            "terms:\n  - {name: Autumn, start: 2026-09-02}\n",
            "name: Autumn",
            ["terms[0].end is missing"],
        ),
        (
            "terms:\n  - {start: 2026-09-02, end: 2026-12-18}\n",
            "start: 2026-09-02",
            ["terms[0].name is missing"],
        ),
        ("terms: Autumn\n", "terms: Autumn", ["terms should be a list"]),
    ],
    ids=["ends before it starts", "overlap", "not a date", "no end", "no name", "not a list"],
)
def test_term_problems_name_the_line(
    tmp_path: Path, terms: str, needle: str, words: list[str]
) -> None:
    text = with_terms(terms)
    problems = check_directory(write(tmp_path, text))
    assert len(problems) == 1, problems
    assert problems[0].line == line_of(text, needle), problems
    for word in words:
        assert word in problems[0].message, problems[0].message


def test_a_misspelt_key_is_named(tmp_path: Path) -> None:
    text = with_terms("terms:\n  - {name: Autumn, begins: 2026-09-02, end: 2026-12-18}\n")
    messages = [p.message for p in check_directory(write(tmp_path, text))]
    assert messages[0].startswith('unknown key "begins" in terms[0]'), messages
    assert "terms[0].start is missing" in messages


def test_an_empty_terms_section_means_no_terms(tmp_path: Path) -> None:
    directory = load_directory(write(tmp_path, with_terms("terms:\n")))
    assert directory.terms == ()
