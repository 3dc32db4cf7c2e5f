# `policybot retention run` as an IT person runs it: a dry run counts and changes nothing; a
# real run applies retention as the nightly job does, audited, and prints the same counts.
from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

from tests.e2e.harness import SAMPLE
from tests.e2e.test_cli import policybot

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "training-export.csv"


def counts(db: Path) -> tuple[int, int, int]:
    """Training completions, audit events, and `retention.applied` events."""
    with sqlite3.connect(db) as connection:
        return (
            connection.execute("SELECT count(*) FROM training_completion").fetchone()[0],
            connection.execute("SELECT count(*) FROM audit_event").fetchone()[0],
            connection.execute(
                "SELECT count(*) FROM audit_event WHERE action = 'retention.applied'"
            ).fetchone()[0],
        )


def training_line(output: str, verb: str) -> int:
    found = re.search(rf"training completions {verb}: (\d+)", output)
    assert found, output
    return int(found[1])


def test_a_dry_run_changes_nothing_then_a_run_removes_what_it_counted(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "directory.yml")
    db = tmp_path / "bot.db"
    # training is kept one day here, so the example's completions (September 2026) are due
    env = {"DATABASE_URL": f"sqlite:///{db}", "RETENTION_TRAINING_DAYS": "1"}
    imported = policybot("training", "import", str(EXAMPLE), cwd=tmp_path, env=env)
    assert imported.returncode == 0, imported.stderr
    before = counts(db)

    dry = policybot("retention", "run", "--dry-run", cwd=tmp_path, env=env)

    assert dry.returncode == 0, dry.stderr
    assert "dry run, nothing was changed" in dry.stdout
    would = training_line(dry.stdout, "to delete")
    assert would > 0 and "audit events to prune: 0" in dry.stdout
    assert counts(db) == before  # no record removed, no audit event written

    done = policybot("retention", "run", cwd=tmp_path, env=env)

    assert done.returncode == 0, done.stderr
    assert "retention applied" in done.stdout
    assert training_line(done.stdout, "deleted") == would
    trained, events, applied = counts(db)
    assert (trained, events, applied) == (before[0] - would, before[1] + 1, 1)
    with sqlite3.connect(db) as connection:
        detail = connection.execute(
            "SELECT detail FROM audit_event WHERE action = 'retention.applied'"
        ).fetchone()[0]
    assert f'"training_deleted": {would}' in detail

    again = policybot("retention", "run", "--dry-run", cwd=tmp_path, env=env)
    assert again.returncode == 0 and "total: 0" in again.stdout
