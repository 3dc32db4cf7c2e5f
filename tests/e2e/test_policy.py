# End to end through Slack: the policy review sent to ELT and ratified once, a policy change
# announced and acknowledged, who has acknowledged per role, and /policybot summary (P1, M8).
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from tests.e2e.harness import People
from tests.fakes.slack_api import FakeSlack

COMMS = "h.whitfield@trust.example"
ELT = ("r.ashworth@trust.example", "p.sharma@trust.example")
HEAD, TEACHER = "s.thompson@willow.example", "l.barnes@willow.example"
RIVERSIDE_HEAD = "a.fletcher@riverside.example"


def reply_to(people: People, fake: FakeSlack, email: str, text: str) -> dict[str, Any]:
    """What `/policybot TEXT` answers this person privately."""
    people.command(email, "/policybot", text)
    name = people.slack.last_response_url.rsplit("/", 1)[-1]  # type: ignore[union-attr]
    return fake.wait_for(lambda f: f.responses(name))[-1]


def open_with(people: People, fake: FakeSlack, email: str, text: str) -> dict[str, Any]:
    """The form `/policybot TEXT` opens."""
    before = len(fake.calls("views.open"))
    people.command(email, "/policybot", text)
    fake.wait_for(lambda f: len(f.calls("views.open")) > before)
    view = fake.last_view_opened()
    assert view is not None
    return view


def dm(people: People, fake: FakeSlack, email: str, words: str) -> dict[str, Any]:
    return fake.wait_for(
        lambda f: next(
            (m for m in reversed(f.messages_to(people.uid(email))) if words in str(m)), None
        )
    )


def test_a_review_goes_to_elt_and_the_first_decision_counts(
    people: People, fake_slack: FakeSlack
) -> None:
    refused = reply_to(people, fake_slack, TEACHER, "review")
    assert "review" in refused["text"].lower() and "Ratify" not in str(refused)
    form = open_with(people, fake_slack, COMMS, "review")
    errors = people.submit(COMMS, form, {"next_review": "2020-01-01"})
    assert errors["response_action"] == "errors" and "next_review" in errors["errors"]
    next_year = (date.today() + timedelta(days=365)).isoformat()
    done = people.submit(COMMS, form, {"next_review": next_year, "link": "https://x.example/p"})
    ref = re.search(r"RV-\d{4}-\d{4}", str(done)).group(0)  # type: ignore[union-attr]
    cards = [people.card(email, ref, containing="Ratify") for email in ELT]
    # The Head of Comms is not ELT: a forged click on Ratify is refused and changes nothing.
    people.click(COMMS, cards[0], "Ratify")
    assert "ELT" in people.told(COMMS, "ELT")
    people.click(ELT[0], cards[0], "Ratify")
    people.card(COMMS, ref, containing="ratified")
    for email in ELT:  # both cards now say who decided, without buttons
        people.card(email, ref, containing="Ratified by")
    people.click(ELT[1], cards[1], "Ratify")
    people.told(ELT[1], "already")
    assert people.server.scalar(f"SELECT state FROM policy_review WHERE ref = '{ref}'") == (
        "ratified"
    )


def test_a_change_is_announced_acknowledged_and_counted_per_site(
    people: People, fake_slack: FakeSlack
) -> None:
    assert "Head of Communications" in reply_to(people, fake_slack, TEACHER, "announce")["text"]
    form = open_with(people, fake_slack, COMMS, "announce")
    errors = people.submit(COMMS, form, {"summary": "New rules.", "link": "http://plain"})
    assert errors["response_action"] == "errors" and "link" in errors["errors"]
    done = people.submit(
        COMMS, form, {"summary": "Personal accounts: new rules.", "link": "https://t.example/p"}
    )
    ref = re.search(r"PC-\d{4}-\d{4}", str(done)).group(0)  # type: ignore[union-attr]
    card = dm(people, fake_slack, TEACHER, ref)
    people.click(TEACHER, card, "Acknowledge")
    people.card(TEACHER, ref, containing="Thank you for acknowledging")
    people.click(TEACHER, card, "Acknowledge")  # a second click changes nothing
    assert people.server.scalar(f"SELECT count(*) FROM policy_ack WHERE email = '{TEACHER}'") == 1
    willow = str(reply_to(people, fake_slack, HEAD, "acks"))
    assert "Willow Primary School" in willow and "Riverside" not in willow
    assert "1 of" in willow  # she has acknowledged
    trust = str(reply_to(people, fake_slack, COMMS, "acks"))
    assert "Willow Primary School" in trust and "Riverside Academy" in trust
    refused = reply_to(people, fake_slack, TEACHER, "acks")
    assert refused["text"].startswith("Only the Head of Communications, ELT and Headteachers")
    assert "Willow Primary School" not in str(refused)


def test_summary_is_for_those_who_oversee(people: People, fake_slack: FakeSlack) -> None:
    people.report(TEACHER)
    willow = str(reply_to(people, fake_slack, HEAD, "summary"))
    assert "Summary for Willow Primary School" in willow and "Misuse by a pupil" in willow
    trust = str(reply_to(people, fake_slack, ELT[0], "summary"))
    assert "Summary for the Trust" in trust and "By site" in trust
    refused = reply_to(people, fake_slack, TEACHER, "summary")
    assert refused["text"].startswith("The summary is for Headteachers")
    assert "Summary for" not in str(refused)
