# End to end: a misuse report from the slash command to the Headteacher's acknowledgement.
from __future__ import annotations

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
