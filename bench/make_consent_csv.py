# Writes a large, valid, made-up MIS consent export for benchmarking bot/consent/mis_csv.py.
"""Writes a consent export as a school MIS would (every value valid, all names made up):

    .venv/bin/python bench/make_consent_csv.py OUT.csv --rows 20000 --seed 1

The same seed, row count and school year give the same file, byte for byte. Pupils are spread
over Reception to Year 13 of the school year starting in September of --school-year (2026), with
dates of birth to match, so Year 13 are 17 and turn 18 during it. Dates are written day first
(03/03/2015) and the file starts with a byte order mark, as Excel's "CSV UTF-8" does.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

HEADER = (
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
FIRST_NAMES = (
    "Bramble", "Pip", "Zoë", "Barnaby", "Hazel", "Ottoline", "Rupert", "Siân", "Clementine",
    "Fergus", "Marigold", "Ignatius", "Óisín", "Tansy", "Wilfred", "Posy", "Juniper", "Cosmo",
    "Perpetua", "Lysander", "Araminta", "Thaddeus", "Saffron", "Horatio", "Esmé", "Ptolemy",
    "Mirabel", "Dorian", "Persephone", "Caspian", "Wren", "Bartholomew", "Clover", "Peregrine",
)  # fmt: skip
PREFERRED = {
    "Barnaby": "Barney", "Ottoline": "Otty", "Clementine": "Clemmie", "Ignatius": "Iggy",
    "Wilfred": "Wilf", "Perpetua": "Pet", "Araminta": "Minty", "Ptolemy": "Tolly",
    "Persephone": "Percy", "Bartholomew": "Barty", "Peregrine": "Perry",
}  # fmt: skip
SURNAME_STARTS = (
    "Thistle", "Puddle", "Fennel", "Quill", "Snicker", "Bumble", "Giggle", "Wobble", "Toad",
    "Bramble", "Crumpet", "Moss", "Fiddle", "Nettle", "Button", "Sprocket", "Gum", "Hob",
    "Crumble", "Wiggle", "Pickle", "Tumble", "Spindle", "Apple", "Grumble", "Moon", "Noodle",
)  # fmt: skip
SURNAME_ENDS = (
    "wick", "jump", "worth", "feather", "doodle", "ford", "whistle", "ton", "stool", "bury",
    "son", "bottom", "sticks", "combe", "snout", "weed", "pickle", "nob", "crumble", "-Jinks",
)  # fmt: skip
YEAR_GROUPS = ("Reception", *(f"Year {n}" for n in range(1, 14)))
CONSENTS = (  # (weight, images_school, videos_school, images_trust, videos_trust)
    (70, True, True, True, True),
    (12, True, True, False, False),
    (6, True, False, True, False),
    (4, True, False, False, False),
    (8, False, False, False, False),
)


def consent_rows(rows: int, seed: int, school_year: int = 2026) -> Iterator[list[str]]:
    """`rows` made-up pupils as CSV values in HEADER order, the same for the same arguments."""
    rng = random.Random(seed)
    weights = [c[0] for c in CONSENTS]
    for number in rng.sample(range(10**12), rows):  # unique, like UPNs
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(SURNAME_STARTS) + rng.choice(SURNAME_ENDS)
        year = rng.randrange(len(YEAR_GROUPS))  # 0 is Reception
        cohort = date(school_year - 5 - year, 9, 1)  # born from 1 Sep to 31 Aug a year later
        born = cohort + timedelta(days=rng.randrange(365))
        consent = rng.choices(CONSENTS, weights)[0][1:]
        given = date(school_year - rng.randrange(min(year, 6) + 1), 9, 1)  # a September
        consent_date = given + timedelta(days=rng.randrange(45))
        yield [
            f"{rng.choice('ABCDEFGHJKLMNPRTUVWXYZ')}{number:012d}",
            first,
            last,
            PREFERRED.get(first, "") if rng.random() < 0.5 else "",
            born.strftime("%d/%m/%Y"),
            YEAR_GROUPS[year],
            *("Yes" if allowed else "No" for allowed in consent),
            consent_date.strftime("%d/%m/%Y") if rng.random() < 0.9 else "",
        ]


def write_consent_csv(out: str | Path, rows: int, seed: int, school_year: int = 2026) -> Path:
    """Write the header and `rows` made-up pupils to `out` (CSV UTF-8 with BOM); return its path."""
    path = Path(out)
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(consent_rows(rows, seed, school_year))
    return path


def main(argv: list[str] | None = None) -> None:
    """Command line: OUT.csv [--rows N] [--seed S] [--school-year YYYY]."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the CSV file to write")
    parser.add_argument("--rows", type=int, default=20_000, help="data rows (20000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument(
        "--school-year", type=int, default=2026, help="the year its September starts in (2026)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    write_consent_csv(args.out, args.rows, args.seed, args.school_year)
    took = time.perf_counter() - started
    print(f"wrote {args.rows} rows to {args.out} in {took:.2f} s")


if __name__ == "__main__":
    main()
