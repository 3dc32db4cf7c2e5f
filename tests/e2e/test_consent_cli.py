# `policybot consent import` as the office's IT person runs it: summaries, line numbers, exit codes.
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.consent.mis_csv import EXPECTED_HEADER
from tests.e2e.harness import SAMPLE
from tests.e2e.test_cli import policybot

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "consent-willow.csv"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copy(SAMPLE, tmp_path / "directory.yml")
    return tmp_path


def env(workdir: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{workdir / 'bot.db'}"}


def pupils(workdir: Path) -> int:
    if not (workdir / "bot.db").exists():
        return 0
    with sqlite3.connect(workdir / "bot.db") as db:
        return int(db.execute("SELECT count(*) FROM pupil").fetchone()[0])


def test_import_help() -> None:
    result = policybot("consent", "import", "--help", cwd=EXAMPLE.parent)
    assert result.returncode == 0 and "Usage: policybot consent import" in result.stdout
    assert "--site" in result.stdout and "--dry-run" in result.stdout


def test_import_then_import_again(workdir: Path) -> None:
    first = policybot(
        "consent", "import", str(EXAMPLE), "--site", "willow", cwd=workdir, env=env(workdir)
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "Added 30, changed 0, unchanged 0, refused 0"
    assert pupils(workdir) == 30
    again = policybot(
        "consent", "import", str(EXAMPLE), "--site", "willow", cwd=workdir, env=env(workdir)
    )
    assert again.returncode == 0
    assert again.stdout.splitlines()[0] == "Added 0, changed 0, unchanged 30, refused 0"


def test_bad_rows_are_listed_by_line_and_the_rest_imported(workdir: Path) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace("2022-03-17", "not a day")  # line 3
    lines[5] = lines[5].replace(",Yes,", ",Maybe,", 1)  # line 6
    bad = workdir / "bad.csv"
    bad.write_text("\n".join(lines[:8]) + "\n", encoding="utf-8")
    result = policybot(
        "consent", "import", str(bad), "--site", "willow", cwd=workdir, env=env(workdir)
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[0] == "Added 5, changed 0, unchanged 0, refused 2"
    assert out[1].startswith("line 3: date_of_birth") and "not a day" in out[1]
    assert out[2].startswith("line 6: ") and "Maybe" in out[2]
    assert "Marigold" not in result.stdout and "Pip" not in result.stdout
    assert pupils(workdir) == 5


def test_a_file_that_cannot_be_read_changes_nothing(workdir: Path) -> None:
    broken = workdir / "broken.csv"
    header = [c for c in EXPECTED_HEADER if c != "date_of_birth"]
    broken.write_text(",".join(header) + "\nA1,Pip,Puddle,,Year 1,Yes,Yes,Yes,Yes,\n")
    result = policybot(
        "consent", "import", str(broken), "--site", "willow", cwd=workdir, env=env(workdir)
    )
    assert result.returncode == 1
    assert (
        "Missing column: date_of_birth" in result.stderr and "Nothing was changed" in result.stderr
    )
    assert "Traceback" not in result.stderr and pupils(workdir) == 0


@pytest.mark.parametrize("site", ["hub", "narnia"])
def test_a_site_that_is_not_a_school_is_refused(workdir: Path, site: str) -> None:
    result = policybot(
        "consent", "import", str(EXAMPLE), "--site", site, cwd=workdir, env=env(workdir)
    )
    assert result.returncode == 1
    assert f"There is no school '{site}'" in result.stderr and "willow" in result.stderr
    assert pupils(workdir) == 0


def test_a_database_that_cannot_be_opened_is_a_plain_error(workdir: Path) -> None:
    unreachable = {"DATABASE_URL": f"sqlite:///{workdir / 'missing' / 'dir' / 'bot.db'}"}
    result = policybot(
        "consent", "import", str(EXAMPLE), "--site", "willow", cwd=workdir, env=unreachable
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_dry_run_reads_and_compares_but_writes_nothing(workdir: Path) -> None:
    result = policybot(
        "consent",
        "import",
        str(EXAMPLE),
        "--site",
        "willow",
        "--dry-run",
        cwd=workdir,
        env=env(workdir),
    )
    assert result.returncode == 0, result.stderr
    assert "Dry run: nothing was changed" in result.stdout
    assert "Added 30, changed 0, unchanged 0, refused 0" in result.stdout
    assert pupils(workdir) == 0
