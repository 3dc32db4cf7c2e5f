# `policybot export` as an IT person runs it for a role holder: CSV to a file or standard output,
# a progress bar on standard error, a refusal (exit 1) for someone without the role, audited;
# an entry's screenshots as files with SHA256SUMS, refused when they no longer match.
from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import shutil
import sqlite3
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.abuse import service as abuse
from bot.clock import SystemClock
from bot.directory import load_directory
from bot.files import Upload
from bot.working_time import WorkingHours
from storage.engine import create_engine, session_factory
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE
from tests.e2e.test_cli import policybot

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "training-export.csv"
COMMS, WILLOW_HEAD = "h.whitfield@trust.example", "s.thompson@willow.example"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copy(SAMPLE, tmp_path / "directory.yml")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    done = policybot("training", "import", str(EXAMPLE), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    return tmp_path


def run(workdir: Path, *args: str):  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": f"sqlite:///{workdir / 'bot.db'}"}
    return policybot("export", *args, cwd=workdir, env=env)


def emails(text: str) -> list[str]:
    return [row["email"] for row in csv.DictReader(io.StringIO(text))]


def test_export_help_lists_every_kind(workdir: Path) -> None:
    result = run(workdir, "--help")
    assert result.returncode == 0
    for kind in ("reports", "approvals", "declarations", "training", "abuse"):
        assert kind in result.stdout
    result = run(workdir, "training", "--help")
    assert all(o in result.stdout for o in ("--as", "--site", "--from", "--to", "--out"))


def test_training_for_the_head_of_comms_to_a_file_and_a_head_to_stdout(workdir: Path) -> None:
    out = workdir / "training.csv"
    result = run(workdir, "training", "--as", COMMS, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Exporting training" in result.stderr and "wrote 11 row(s)" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("email,name,sites,course,completed_on")
    assert len(emails(text)) == 11

    mine = run(workdir, "training", "--as", WILLOW_HEAD, "--site", "willow")
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout and all(e.endswith("@willow.example") for e in emails(mine.stdout))
    assert set(emails(mine.stdout)) < set(emails(text))

    with sqlite3.connect(workdir / "bot.db") as db:
        detail = db.execute(
            "SELECT detail FROM audit_event WHERE action = 'export.made' ORDER BY id"
        ).fetchall()
    assert len(detail) == 2 and '"count": 11' in detail[0][0]


def test_someone_without_the_role_is_refused(workdir: Path) -> None:
    result = run(workdir, "training", "--as", "d.hughes@willow.example")
    assert result.returncode == 1 and result.stdout == ""
    assert "holds no role that may export training" in result.stderr
    unknown = run(workdir, "abuse", "--as", COMMS, "--site", "mars")
    assert unknown.returncode == 1 and "There is no site 'mars'" in unknown.stderr


def test_a_subject_access_bundle_is_a_folder_of_csv_files(workdir: Path) -> None:
    out = workdir / "sar"
    result = run(
        workdir, "person", WILLOW_HEAD, "--as", "r.ashworth@trust.example", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "abuse.csv",
        "approvals.csv",
        "audit.csv",
        "declarations.csv",
        "reports.csv",
        "training.csv",
    ]
    assert emails((out / "training.csv").read_text(encoding="utf-8")) == [WILLOW_HEAD]
    refused = run(workdir, "person", WILLOW_HEAD, "--as", COMMS, "--out", str(workdir / "no"))
    assert refused.returncode == 1 and "subject access" in refused.stderr
    assert not (workdir / "no").exists()


PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


class OneFile:
    """Slack's files, as the bot's fetcher sees them: this picture for any id."""

    async def fetch(self, upload: Upload, *, limit: int) -> bytes:
        return PICTURE


async def logged_with_a_screenshot(workdir: Path) -> str:
    """An abuse log entry about Willow whose screenshot the bot has kept; its reference."""
    engine = create_engine(f"sqlite:///{workdir / 'bot.db'}")
    clock = SystemClock()
    uow = lambda: SqlUnitOfWork(session_factory(engine), clock)  # noqa: E731
    hours = WorkingHours(ZoneInfo("Europe/London"), time(8), time(17), frozenset(range(5)))
    deps = abuse.AbuseDeps(load_directory(workdir / "directory.yml"), clock, hours)
    values = {
        "site": "willow",
        "platform": "Facebook",
        "account": "Willow PTA",
        "link": "https://facebook.com/p/1",
        "author": "@someone",
        "seen_at": str(int(clock.now().timestamp()) - 60),
        "kind": "threatening",
        "screenshot_file": (Upload("slack", "F1", "the comment.png", "image/png"),),
    }
    done = await abuse.submit(
        uow(), deps, by="d.hughes@willow.example", values=values, source_key="test:1"
    )
    assert await abuse.keep_screenshots(uow, deps, {"slack": OneFile()}) == 1
    await engine.dispose()
    return done.entry.ref


def test_the_screenshots_of_an_entry_come_with_their_sha256_sums(workdir: Path) -> None:
    ref = asyncio.run(logged_with_a_screenshot(workdir))
    out = workdir / "evidence"
    result = run(workdir, "screenshots", ref, "--as", WILLOW_HEAD, "--out", str(out))
    assert result.returncode == 0, result.stderr
    name = f"{ref}-1-the_comment.png"
    assert sorted(p.name for p in out.iterdir()) == sorted(["SHA256SUMS", name])
    assert (out / name).read_bytes() == PICTURE
    digest = hashlib.sha256(PICTURE).hexdigest()
    assert (out / "SHA256SUMS").read_text() == f"{digest}  {name}\n"

    refused = run(
        workdir, "screenshots", ref, "--as", "m.obrien@oakfield.example", "--out", str(out / "x")
    )
    assert refused.returncode == 1 and "may not see" in refused.stderr
    with sqlite3.connect(workdir / "bot.db") as db:
        db.execute("UPDATE abuse_screenshot SET content = ?", (PICTURE + b"!",))
    changed = run(workdir, "screenshots", ref, "--as", COMMS, "--out", str(out / "y"))
    assert changed.returncode == 1 and "no longer match" in changed.stderr
    assert not (out / "x").exists() and not (out / "y").exists()
