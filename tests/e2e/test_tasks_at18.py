# End to end: the server's scheduler asks the school office about a pupil who has turned 18
# (rule C2), once; the office closes the task with its button.
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.consent.mis_csv import EXPECTED_HEADER
from tests.e2e.harness import BotServer, People
from tests.fakes.slack_api import FakeSlack

OFFICE = "k.holt@willow.example"
HEAD = "s.thompson@willow.example"


def test_a_pupil_who_turned_18_is_a_task_for_the_office(
    people: People, server: BotServer, fake_slack: FakeSlack
) -> None:
    today = datetime.now(ZoneInfo("Europe/London")).date()
    born = (
        today.replace(year=today.year - 18, day=1)
        if today.day > 1
        else today.replace(year=today.year - 19)
    )
    export = server.workdir / "sixth-form.csv"
    export.write_text(
        ",".join(EXPECTED_HEADER)
        + f"\nWIL-6001,Juniper,Mossford,,{born.isoformat()},Year 13,Yes,Yes,No,No,\n",
        encoding="utf-8",
    )
    server.import_consent(export)

    def task_cards(f: FakeSlack) -> list[dict]:
        return [m for m in f.messages_to(people.uid(OFFICE)) if "Consent at 18" in str(m["blocks"])]

    [card] = fake_slack.wait_for(task_cards)
    assert card["text"].startswith("A pupil on your consent register has turned 18")
    assert "Juniper" not in card["text"]
    assert "Juniper M. (Year 13) turned 18 on" in str(card["blocks"])
    assert server.scalar("SELECT count(*) FROM task WHERE kind = 'consent_at_18'") == 1

    people.click(HEAD, card, "Done")  # not the office: refused, privately
    fake_slack.wait_for(lambda f: f.ephemerals_to(people.uid(HEAD)))
    assert server.scalar("SELECT status FROM task WHERE kind = 'consent_at_18'") == "open"

    people.click(OFFICE, card, "Done")
    fake_slack.wait_for(lambda f: "closed by Karen Holt" in str(task_cards(f)))
    assert server.scalar("SELECT status FROM task WHERE kind = 'consent_at_18'") == "done"
    assert len(task_cards(fake_slack)) == 1, "one task, one card, however often the job ran"
