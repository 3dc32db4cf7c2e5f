# Writing an export as UTF-8 CSV, safe to open in a spreadsheet.
from __future__ import annotations

import csv
from typing import TextIO

from bot.exports.service import Export

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula (a comment's author
    such as "=HYPERLINK(...)" or "@name") gets a leading apostrophe, as OWASP advises."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def write_csv(export: Export, stream: TextIO) -> None:
    """The header, then one line per row, in the export's columns."""
    writer = csv.writer(stream)
    writer.writerow(export.columns)
    for row in export.rows:
        writer.writerow([cell(row.get(name, "")) for name in export.columns])
