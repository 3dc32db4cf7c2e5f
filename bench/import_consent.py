# Times `policybot consent import` of 20,000 made-up pupils on a fresh SQLite database.
"""Times the consent import through the real command line, on a fresh SQLite database:

    .venv/bin/python bench/import_consent.py            # 20000 rows
    .venv/bin/python bench/import_consent.py --rows 5000 --keep

Three runs of `python -m bot consent import FILE --site willow`, each a new process (so the
figures include start-up, reading the CSV, diffing, writing and committing):

1. a first import of the file into an empty register (every row added);
2. the same file again (every row unchanged: nothing is written);
3. a file in which 10% of the pupils changed (half of those withdrew a consent).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from make_consent_csv import HEADER, write_consent_csv  # noqa: E402

TARGET_SECONDS = 10.0


def changed_copy(source: Path, out: Path, every: int = 10) -> int:
    """Copy the export, changing one pupil in `every`: the year group, or (every other one)
    a consent withdrawn. Returns how many rows changed."""
    with source.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    year, images = HEADER.index("year_group"), HEADER.index("images_school")
    changed = 0
    for number, row in enumerate(rows[1:]):
        if number % every:
            continue
        if (number // every) % 2:
            row[year] = row[year] + " (moved)"
        else:
            row[images] = "No" if row[images] == "Yes" else "Yes"
        changed += 1
    with out.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows(rows)
    return changed


def run_import(workdir: Path, csv_file: Path) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE"))}
    env |= {"DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}", "DIRECTORY_FILE": "directory.yml"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "consent", "import", str(csv_file), "--site", "willow"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"import failed ({result.returncode}):\n{result.stderr}")
    return took, result.stdout.splitlines()[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="pupils in the file (20000)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="policybot-bench-"))
    try:
        shutil.copy(ROOT / "examples" / "directory.yml", workdir / "directory.yml")
        first = write_consent_csv(workdir / "consent.csv", args.rows, seed=1)
        changed = changed_copy(first, workdir / "consent-changed.csv")
        # Migrating a new database is not the import's cost: do it before timing.
        run_import(workdir, _empty_file(workdir))
        print(f"{args.rows} rows, fresh SQLite database in {workdir}")
        runs = (
            ("first import (all added)", first),
            ("same file again (all unchanged)", first),
            (f"{changed} rows changed (10%)", workdir / "consent-changed.csv"),
        )
        worst = 0.0
        for label, path in runs:
            took, summary = run_import(workdir, path)
            worst = max(worst, took)
            print(f"{label:34} {took:6.2f} s   {summary}")
        verdict = "within" if worst < TARGET_SECONDS else "OVER"
        print(f"slowest {worst:.2f} s: {verdict} the {TARGET_SECONDS:.0f} s target")
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _empty_file(workdir: Path) -> Path:
    path = workdir / "empty.csv"
    path.write_text(",".join(HEADER) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    main()
