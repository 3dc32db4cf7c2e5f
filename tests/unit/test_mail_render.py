# Messages as e-mail: subject and plain text, buttons replaced by one line.
from __future__ import annotations

from bot.messages import Action, Message, Section
from handlers.mail.render import ACT_IN_CHAT, render_mail


def test_every_part_of_a_message_is_in_the_text_in_order() -> None:
    message = Message(
        notification="Declaration from Ann Example",
        title="Relationship declaration: Ann Example",
        body="Ann Example declared a relationship.",
        facts=(("School", "Willow Primary"), ("Declared on", "23 Nov 2026")),
        sections=(Section("What they said", "We are related."), Section("Notes", "None yet.")),
        footer="Ref RD-2026-0001",
    )

    subject, text = render_mail(message)

    assert subject == "Relationship declaration: Ann Example"
    assert text == (
        "Ann Example declared a relationship.\n\n"
        "School: Willow Primary\nDeclared on: 23 Nov 2026\n\n"
        "What they said\nWe are related.\n\n"
        "Notes\nNone yet.\n\n"
        "Ref RD-2026-0001\n"
    )


def test_buttons_become_one_line_saying_where_to_act() -> None:
    message = Message(
        "n",
        "Please acknowledge",
        body="A declaration needs your acknowledgement.",
        actions=(Action("ack", "Acknowledge", "1"), Action("ask", "Ask a question", "1")),
        footer="Ref RD-2026-0002",
    )

    _, text = render_mail(message)

    assert text.count(ACT_IN_CHAT) == 1
    assert "Acknowledge" not in text and "Ask a question" not in text
    assert text.index(ACT_IN_CHAT) < text.index("Ref RD-2026-0002")


def test_a_message_without_buttons_has_no_act_line_and_only_what_it_holds() -> None:
    subject, text = render_mail(Message("n", "Just a title"))

    assert subject == "Just a title"
    assert ACT_IN_CHAT not in text
    assert text.strip() == ""


def test_the_subject_is_one_line() -> None:
    subject, _ = render_mail(Message("n", "Two\nlines  and\tspaces"))

    assert subject == "Two lines and spaces"
