# End to end: a misuse report from the slash command to the Headteacher's acknowledgement.
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.e2e.harness import People

TEACHER = "d.hughes@willow.example"
HEAD = "s.thompson@willow.example"


def test_report_reaches_headteacher_who_acknowledges_and_closes(people: People) -> None:
    ref = people.report(TEACHER, subject_name="A pupil in Year 5")

    card = people.card(HEAD, ref, containing="Acknowledge")
    assert card["text"] == f"New misuse report {ref} from Willow Primary School"
    assert "Unkind posts" in str(card["blocks"])
    receipt = people.card(TEACHER, ref, containing="received")
    assert "Unkind posts" not in str(receipt) and "Year 5" not in str(receipt)

    people.click(HEAD, card, "Acknowledge")
    updated = people.card(HEAD, ref, containing="Acknowledged")
    assert updated["ts"] == card["ts"], "the card is updated in place"
    people.card(TEACHER, ref, containing="was acknowledged")


def test_form_is_short_and_starts_with_sensible_defaults(people: People) -> None:
    view = people.open_form(TEACHER)
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == [
        "category",
        "subject_staff",
        "subject_name",
        "platform",
        "happened_on",
        "description",
        "links",
        "site_id",
        "flags",
    ]
    assert inputs["site_id"]["element"]["initial_option"]["value"] == "willow"
    today = datetime.now(ZoneInfo("Europe/London")).date()
    assert inputs["happened_on"]["element"]["initial_date"] == today.isoformat()
    assert inputs["description"]["element"]["max_length"] == 3000
    found = people.slack.block_suggestion(
        people.uid(TEACHER), "subject_staff", "subject_staff", "thomp", view
    ).json()
    assert [o["text"]["text"] for o in found["options"]] == ["Sarah Thompson"]
