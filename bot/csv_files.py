# Reading CSV exports (a school MIS, a training platform): UTF-8 text, the header row, and the
# data rows with their line numbers, refused in plain words when they cannot be read.
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

SAVE_AS = "save it as CSV UTF-8 (in Excel: File, Save As, 'CSV UTF-8') and import it again"


class CsvInvalid(Exception):
    """The file cannot be read at all (encoding, header); `message` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Refusal:
    """A data row that was not taken, and why; the reason never contains a person's name."""

    line: int
    reason: str


class Reader(Protocol):
    """A csv reader: its rows, and how many physical lines it has read so far."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


def open_csv(path: str | Path) -> Reader:
    """A reader over the file's text; CsvInvalid when it is not UTF-8 (a BOM is allowed)."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CsvInvalid(
            f"The file is not UTF-8 text (line {line} has a character that cannot be read); "
            f"{SAVE_AS}."
        ) from error
    return csv.reader(io.StringIO(text, newline=""))


def count_rows(path: str | Path) -> int:
    """The number of data rows (non-blank records after the header), as many as are read."""
    text = Path(path).read_bytes().decode("utf-8-sig", errors="replace")
    try:
        records = sum(1 for fields in csv.reader(io.StringIO(text, newline="")) if filled(fields))
    except csv.Error:
        return 0
    return max(records - 1, 0)


def filled(fields: list[str]) -> bool:
    return any(field.strip() for field in fields)


def header_key(name: str) -> str:
    """A header name as the aliases are written: lower case, `_` as a space, spaces single."""
    return " ".join(name.replace("_", " ").lower().split())


def header_row(reader: Reader, expected: str) -> list[str]:
    """The first non-blank row; CsvInvalid (ending with `expected`) when there is none."""
    try:
        fields = next((fields for fields in reader if filled(fields)), None)
    except csv.Error as error:
        raise CsvInvalid(f"The header cannot be read as CSV ({error}).") from error
    if fields is None:
        raise CsvInvalid(f"The file is empty. {expected}")
    return fields


def missing_columns(missing: list[str], fields: list[str]) -> list[str]:
    """The problems to report when required columns are missing from the header `fields`."""
    if not missing:
        return []
    problems = [f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}."]
    if len(fields) == 1 and (";" in fields[0] or "\t" in fields[0]):
        problems.append("The values must be separated by commas.")
    return problems


def data_rows(reader: Reader) -> Iterator[tuple[int, list[str]] | Refusal]:
    """Each non-blank data row with its line, or a Refusal when its values run over several
    lines; CsvInvalid, naming the line, when the rest of the file cannot be read."""
    end = reader.line_num
    try:
        for fields in reader:
            start, end = end + 1, reader.line_num
            if not filled(fields):
                continue
            if end != start:
                yield Refusal(
                    start,
                    f"the values run on from line {start} to line {end}; a value may have a "
                    'stray double quote (")',
                )
                continue
            yield start, fields
    except csv.Error as error:
        raise CsvInvalid(
            f"Line {end + 1} cannot be read as CSV ({error}); a value may have a stray "
            'double quote (").'
        ) from error
