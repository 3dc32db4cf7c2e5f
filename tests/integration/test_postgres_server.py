# The real server on PostgreSQL: `policybot db upgrade`, then a report end to end.
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.harness import ROOT, SAMPLE, BotServer, People, seed_users
from tests.fakes.slack_api import FakeSlack
from tests.integration.conftest import fresh_postgres


def test_serve_on_postgres_after_db_upgrade(postgres_admin: str, tmp_path: Path) -> None:
    url, drop = fresh_postgres(postgres_admin)
    try:
        with FakeSlack(bot_token="xoxb-e2e") as fake:
            server = BotServer(tmp_path, fake, database_url=url)
            shutil.copy(SAMPLE, server.directory_file)
            refused = subprocess.run(
                [sys.executable, "-m", "bot", "serve"],
                cwd=tmp_path,
                env=server.env(),
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert refused.returncode == 1 and "policybot db upgrade" in refused.stderr
            upgraded = subprocess.run(
                [sys.executable, "-m", "bot", "db", "upgrade"],
                cwd=ROOT,
                env=server.env(),
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert upgraded.returncode == 0, upgraded.stderr
            server.start()
            try:
                people = People(server, fake, seed_users(fake, Path(SAMPLE)))
                ref = people.report("d.hughes@willow.example")
                card = people.card("s.thompson@willow.example", ref, containing="Acknowledge")
                people.click("s.thompson@willow.example", card, "Acknowledge")
                people.card("d.hughes@willow.example", ref, containing="was acknowledged")
            finally:
                server.stop()
    finally:
        drop()  # type: ignore[operator]
