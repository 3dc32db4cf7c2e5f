# Tests for reading a school MIS consent export: header, values, refusals and their line numbers.
from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from bot.consent.mis_csv import (
    ALIASES,
    EXPECTED_HEADER,
    OPTIONAL_COLUMNS,
    CsvInvalid,
    PupilRow,
    Refusal,
    count_rows,
    read_mis_csv,
)
from bot.consent.model import Consent

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "consent-willow.csv"
TODAY = date(2026, 11, 24)
HEADER = ",".join(EXPECTED_HEADER)
ROW = "A100,Bramble,Thistlewick,Bram,2018-03-03,Year 3,Yes,No,yes,no,2026-09-03"


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    return path


def read(tmp_path: Path, text: str, encoding: str = "utf-8") -> list[PupilRow | Refusal]:
    return list(read_mis_csv(write(tmp_path, text, encoding), today=TODAY))


def one(tmp_path: Path, row: str, header: str = HEADER) -> PupilRow | Refusal:
    [result] = read(tmp_path, f"{header}\n{row}\n")
    return result


def pupil(tmp_path: Path, row: str, header: str = HEADER) -> PupilRow:
    result = one(tmp_path, row, header)
    assert isinstance(result, PupilRow), result
    return result


def refusal(tmp_path: Path, row: str, header: str = HEADER) -> Refusal:
    result = one(tmp_path, row, header)
    assert isinstance(result, Refusal), result
    return result


def with_value(column: str, value: str) -> str:
    values = ROW.split(",")
    values[EXPECTED_HEADER.index(column)] = value
    return ",".join(values)


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_consent_csv", ROOT / "bench" / "make_consent_csv.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- whole files ---


def test_reads_every_value_of_a_documented_row(tmp_path: Path) -> None:
    assert pupil(tmp_path, ROW) == PupilRow(
        line=2,
        mis_id="A100",
        first_name="Bramble",
        last_name="Thistlewick",
        preferred_name="Bram",
        date_of_birth=date(2018, 3, 3),
        year_group="Year 3",
        consent=Consent(images_school=True, videos_school=False, images_trust=True),
        consent_date=date(2026, 9, 3),
    )


def test_example_file_reads_with_no_refusals() -> None:
    rows = list(read_mis_csv(EXAMPLE, today=TODAY))
    assert all(isinstance(row, PupilRow) for row in rows), [
        row for row in rows if isinstance(row, Refusal)
    ]
    assert 25 <= len(rows) <= 35
    assert count_rows(EXAMPLE) == len(rows)
    assert [row.line for row in rows] == list(range(2, len(rows) + 2))
    turning_18 = [
        row
        for row in rows
        if isinstance(row, PupilRow)
        and date(2026, 9, 1) <= row.date_of_birth.replace(year=row.date_of_birth.year + 18)
        and row.date_of_birth.replace(year=row.date_of_birth.year + 18) <= date(2027, 8, 31)
    ]
    assert len(turning_18) >= 2


def test_bench_generator_output_reads_with_no_refusals(tmp_path: Path) -> None:
    bench = bench_module()
    path = bench.write_consent_csv(tmp_path / "bench.csv", rows=500, seed=1)
    rows = list(read_mis_csv(path, today=TODAY))
    assert len(rows) == 500
    assert [row for row in rows if isinstance(row, Refusal)] == []
    assert count_rows(path) == 500
    again = bench.write_consent_csv(tmp_path / "again.csv", rows=500, seed=1)
    other = bench.write_consent_csv(tmp_path / "other.csv", rows=500, seed=2)
    assert again.read_bytes() == path.read_bytes()
    assert other.read_bytes() != path.read_bytes()


def test_reads_a_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    rows = read(tmp_path, f"{HEADER}\r\n{ROW}\r\n", encoding="utf-8-sig")
    assert isinstance(rows[0], PupilRow)
    assert rows[0].mis_id == "A100"


def test_columns_may_come_in_any_order(tmp_path: Path) -> None:
    header = list(reversed(EXPECTED_HEADER))
    row = ",".join(reversed(ROW.split(",")))
    assert pupil(tmp_path, row, ",".join(header)) == pupil(tmp_path, ROW)


def test_header_ignores_case_spaces_and_underscores(tmp_path: Path) -> None:
    header = ",".join(f"  {name.upper().replace('_', ' ')} " for name in EXPECTED_HEADER)
    assert pupil(tmp_path, ROW, header) == pupil(tmp_path, ROW)


def test_reads_a_header_of_mis_names(tmp_path: Path) -> None:
    header = (
        "Admission No,Legal Forename,Legal Surname,Known As,Date of Birth,NC Year,"
        "images_school,videos_school,images_trust,videos_trust,Date of consent"
    )
    assert pupil(tmp_path, ROW, header) == pupil(tmp_path, ROW)


@pytest.mark.parametrize(
    ("alias", "column"),
    [
        *ALIASES.items(),
        ("Date of Birth", "date_of_birth"),
        ("Year Group", "year_group"),
        ("Consent Date", "consent_date"),
    ],
)
def test_each_alias_names_its_column(tmp_path: Path, alias: str, column: str) -> None:
    header = HEADER.split(",")
    header[EXPECTED_HEADER.index(column)] = alias.title()
    assert pupil(tmp_path, ROW, ",".join(header)) == pupil(tmp_path, ROW)


def test_optional_columns_may_be_left_out(tmp_path: Path) -> None:
    kept = [i for i, name in enumerate(EXPECTED_HEADER) if name not in OPTIONAL_COLUMNS]
    header = ",".join(EXPECTED_HEADER[i] for i in kept)
    row = ",".join(ROW.split(",")[i] for i in kept)
    result = pupil(tmp_path, row, header)
    assert (result.preferred_name, result.year_group, result.consent_date) == (None, None, None)


def test_empty_optional_values_are_none(tmp_path: Path) -> None:
    row = "A100,Bramble,Thistlewick,  ,2018-03-03, ,Yes,No,Yes,No,"
    result = pupil(tmp_path, row)
    assert (result.preferred_name, result.year_group, result.consent_date) == (None, None, None)


def test_other_columns_of_the_export_are_ignored(tmp_path: Path) -> None:
    result = pupil(tmp_path, f"7B,{ROW},", f"Reg Group,{HEADER},Notes")
    assert result.mis_id == "A100"


def test_short_rows_read_missing_optional_values_as_empty(tmp_path: Path) -> None:
    result = pupil(tmp_path, ROW.rsplit(",", 1)[0])
    assert result.consent_date is None


def test_values_are_trimmed(tmp_path: Path) -> None:
    row = " A100 , Bramble ,  Thistlewick ,Bram , 2018-03-03 ,Year 3, Yes ,No,YES,no,2026-09-03"
    assert pupil(tmp_path, row) == pupil(tmp_path, ROW)


def test_quoted_values_keep_their_commas(tmp_path: Path) -> None:
    result = pupil(tmp_path, with_value("last_name", '"Thistlewick, Jr"'))
    assert result.last_name == "Thistlewick, Jr"


# --- booleans and dates ---


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("Yes", True), ("yes", True), ("YES", True), ("Y", True), ("y", True), ("true", True),
        ("TRUE", True), ("True", True), ("1", True), (" yes ", True),
        ("No", False), ("no", False), ("NO", False), ("N", False), ("n", False),
        ("false", False), ("FALSE", False), ("False", False), ("0", False), (" No ", False),
    ],
)  # fmt: skip
def test_every_boolean_spelling(tmp_path: Path, text: str, allowed: bool) -> None:
    row = with_value("videos_trust", text)
    assert pupil(tmp_path, row).consent.videos_trust is allowed


@pytest.mark.parametrize("text", ["maybe", "yes please", "2", "x", "✓", "Ja"])
def test_other_booleans_refuse_the_row(tmp_path: Path, text: str) -> None:
    assert refusal(tmp_path, with_value("images_trust", text)) == Refusal(
        2, f"images_trust '{text}' is not Yes or No"
    )


def test_an_empty_boolean_refuses_the_row(tmp_path: Path) -> None:
    assert refusal(tmp_path, with_value("videos_school", " ")) == Refusal(
        2, "videos_school is empty (use Yes or No)"
    )


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2015-03-03", date(2015, 3, 3)),
        ("03/03/2015", date(2015, 3, 3)),
        ("3/3/2015", date(2015, 3, 3)),
        ("04/03/2015", date(2015, 3, 4)),  # day first
        ("4/11/2015", date(2015, 11, 4)),
        ("31/12/2015", date(2015, 12, 31)),
        (" 2015-12-31 ", date(2015, 12, 31)),
    ],
)
def test_both_date_formats(tmp_path: Path, text: str, day: date) -> None:
    result = pupil(tmp_path, with_value("consent_date", text))
    assert result.consent_date == day
    assert pupil(tmp_path, with_value("date_of_birth", text)).date_of_birth == day


@pytest.mark.parametrize(
    "text",
    ["2015/03/03", "03-03-2015", "3.3.2015", "03/03/15", "20150303", "2015-3-3", "31/02/2015",
     "12/31/2015", "2015-13-01", "3 March 2015", "2015-03-03 00:00", "2015-W10-2"],
)  # fmt: skip
def test_other_dates_refuse_the_row(tmp_path: Path, text: str) -> None:
    assert refusal(tmp_path, with_value("date_of_birth", text)) == Refusal(
        2, f"date_of_birth '{text}' is not a date (write dates as 2015-03-03 or 03/03/2015)"
    )
    assert refusal(tmp_path, with_value("consent_date", text)).reason.startswith(
        f"consent_date '{text}' is not a date"
    )


def test_an_empty_date_of_birth_refuses_the_row(tmp_path: Path) -> None:
    assert refusal(tmp_path, with_value("date_of_birth", "")).reason == (
        "date_of_birth is empty (write dates as 2015-03-03 or 03/03/2015)"
    )


def test_a_date_of_birth_in_the_future_refuses_the_row(tmp_path: Path) -> None:
    assert pupil(tmp_path, with_value("date_of_birth", "2026-11-24")).date_of_birth == TODAY
    assert refusal(tmp_path, with_value("date_of_birth", "25/11/2026")) == Refusal(
        2, "date_of_birth 25/11/2026 is in the future"
    )


def test_a_date_of_birth_over_25_years_ago_refuses_the_row(tmp_path: Path) -> None:
    assert pupil(tmp_path, with_value("date_of_birth", "2001-11-24")).date_of_birth.year == 2001
    assert refusal(tmp_path, with_value("date_of_birth", "2001-11-23")) == Refusal(
        2, "date_of_birth 2001-11-23 is more than 25 years ago"
    )


def test_25_years_before_29_february(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n{with_value('date_of_birth', '1999-02-28')}\n")
    [result] = read_mis_csv(path, today=date(2024, 2, 29))
    assert isinstance(result, PupilRow)


# --- names and ids ---


@pytest.mark.parametrize("column", ["first_name", "last_name", "mis_id"])
def test_an_empty_required_value_refuses_the_row(tmp_path: Path, column: str) -> None:
    assert refusal(tmp_path, with_value(column, "  ")) == Refusal(2, f"{column} is empty")


@pytest.mark.parametrize("column", ["first_name", "last_name", "preferred_name"])
def test_a_name_over_100_characters_refuses_the_row(tmp_path: Path, column: str) -> None:
    assert pupil(tmp_path, with_value(column, "Z" * 100))
    assert refusal(tmp_path, with_value(column, "Z" * 101)) == Refusal(
        2, f"{column} is longer than 100 characters"
    )


def test_a_mis_id_over_40_characters_refuses_the_row(tmp_path: Path) -> None:
    assert pupil(tmp_path, with_value("mis_id", "A" * 40)).mis_id == "A" * 40
    assert refusal(tmp_path, with_value("mis_id", "A" * 41)) == Refusal(
        2, "mis_id is 41 characters long; the most is 40"
    )


def test_a_year_group_over_20_characters_refuses_the_row(tmp_path: Path) -> None:
    assert refusal(tmp_path, with_value("year_group", "Y" * 21)) == Refusal(
        2, "year_group is longer than 20 characters"
    )


def test_the_same_mis_id_again_is_refused(tmp_path: Path) -> None:
    other = with_value("first_name", "Pip")
    rows = read(tmp_path, f"{HEADER}\n{ROW}\n{with_value('mis_id', 'B2')}\n{other}\n{ROW}\n")
    assert [type(row) for row in rows] == [PupilRow, PupilRow, Refusal, Refusal]
    assert rows[2:] == [
        Refusal(4, "mis_id 'A100' appears again; first on line 2"),
        Refusal(5, "mis_id 'A100' appears again; first on line 2"),
    ]


def test_a_refused_row_still_claims_its_mis_id(tmp_path: Path) -> None:
    bad = with_value("images_school", "maybe")
    rows = read(tmp_path, f"{HEADER}\n{bad}\n{ROW}\n")
    assert rows[1] == Refusal(3, "mis_id 'A100' appears again; first on line 2")


def test_a_refusal_names_the_column_as_the_file_does(tmp_path: Path) -> None:
    header = HEADER.replace("mis_id", "UPN").replace("date_of_birth", "DOB")
    row = with_value("date_of_birth", "2015/03/03")
    assert refusal(tmp_path, row, header).reason.startswith("DOB '2015/03/03' is not a date")


def test_every_problem_of_a_row_is_in_its_reason(tmp_path: Path) -> None:
    row = ",Bramble,,,2099-01-01,,Yes,perhaps,Yes,,03-03-2015"
    assert refusal(tmp_path, row).reason == "; ".join(
        [
            "mis_id is empty",
            "last_name is empty",
            "date_of_birth 2099-01-01 is in the future",
            "videos_school 'perhaps' is not Yes or No",
            "videos_trust is empty (use Yes or No)",
            "consent_date '03-03-2015' is not a date (write dates as 2015-03-03 or 03/03/2015)",
        ]
    )


def test_a_reason_never_shows_the_pupils_name(tmp_path: Path) -> None:
    # preferred_name left out of the line: every later value moves one column to the left
    row = "A100,Bramble,Thistlewick,2018-03-03,Year 3,Yes,No,Yes,Thistlewick,Yes,"
    reason = refusal(tmp_path, row).reason
    assert "date_of_birth 'Year 3' is not a date" in reason
    assert "images_trust is not Yes or No" in reason
    assert "Thistlewick" not in reason and "Bramble" not in reason
    spoken = with_value("images_school", "Bram")
    assert refusal(tmp_path, spoken).reason == "images_school is not Yes or No"


# --- line numbers, blank lines, broken lines ---


def test_blank_lines_are_skipped_and_lines_count_as_in_the_file(tmp_path: Path) -> None:
    b2 = with_value("mis_id", "B2")
    bad = with_value("mis_id", "C3").replace("Yes", "Maybe", 1)
    text = f"\n{HEADER}\r\n\r\n{ROW}\r\n  \r\n,,,,,,\r\n{b2}\n\n{bad}\n\n"
    rows = read(tmp_path, text)
    assert [row.line for row in rows] == [4, 7, 9]
    assert rows[2] == Refusal(9, "images_school 'Maybe' is not Yes or No")
    assert count_rows(write(tmp_path, text)) == 3


def test_too_many_values_refuse_the_row(tmp_path: Path) -> None:
    row = with_value("last_name", "Thistlewick, Jr")
    assert refusal(tmp_path, row) == Refusal(
        2,
        "the line has 12 values but the header has 11 columns; "
        "a value with a comma in it must be in double quotes",
    )
    assert pupil(tmp_path, f"{ROW},,").mis_id == "A100"  # empty cells after the last column


def test_a_value_over_several_lines_refuses_the_row(tmp_path: Path) -> None:
    row = with_value("first_name", '"Bram\nble"')
    rows = read(tmp_path, f"{HEADER}\n{row}\n{with_value('mis_id', 'B2')}\n")
    assert rows[0] == Refusal(
        2, 'the values run on from line 2 to line 3; a value may have a stray double quote (")'
    )
    assert isinstance(rows[1], PupilRow) and rows[1].line == 4


# --- files that cannot be read ---


def test_a_missing_column_is_invalid_before_any_row(tmp_path: Path) -> None:
    header = HEADER.replace(",images_trust", "").replace(",first_name", "")
    path = write(tmp_path, f"{header}\n{ROW}\n")
    with pytest.raises(CsvInvalid) as raised:
        read_mis_csv(path, today=TODAY)  # raised at the call, before iterating
    message = raised.value.message
    assert message.startswith("Missing columns: first_name, images_trust.")
    assert "The expected header is: " + ", ".join(EXPECTED_HEADER) in message
    assert str(raised.value) == message


def test_a_column_given_twice_is_invalid(tmp_path: Path) -> None:
    path = write(tmp_path, f"UPN,{HEADER}\nX1,{ROW}\n")
    with pytest.raises(CsvInvalid, match="'UPN' and 'mis_id' both give mis_id; keep one"):
        read_mis_csv(path, today=TODAY)


def test_a_semicolon_file_is_told_to_use_commas(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER.replace(",", ";") + "\n")
    with pytest.raises(CsvInvalid, match="separated by commas"):
        read_mis_csv(path, today=TODAY)


@pytest.mark.parametrize("text", ["", "\n\n", " , \n"])
def test_an_empty_file_is_invalid(tmp_path: Path, text: str) -> None:
    with pytest.raises(CsvInvalid, match="The file is empty"):
        read_mis_csv(write(tmp_path, text), today=TODAY)
    assert count_rows(write(tmp_path, text)) == 0


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_a_file_that_is_not_utf8_is_invalid(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, f"{HEADER}\n{ROW}\n{with_value('first_name', 'Zoë')}\n", encoding)
    with pytest.raises(CsvInvalid, match="save it as CSV UTF-8") as raised:
        read_mis_csv(path, today=TODAY)
    assert "Zoë" not in raised.value.message


def test_count_rows_counts_data_rows(tmp_path: Path) -> None:
    rows = "\n".join(with_value("mis_id", f"M{n}") for n in range(7))
    assert count_rows(write(tmp_path, f"{HEADER}\n{rows}\n\n")) == 7
