# Teams cards of every form and of a message of each flow: JSON snapshots, and their behaviour.
from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.abuse.forms import screenshot_form
from bot.forms import Field, FieldKind, Option
from bot.messages import Action, Message, Section, Style
from handlers.teams import cards, parse, verbs
from handlers.teams.cards import attachment, form_card, message_card, notice_card, pages_card
from handlers.teams.inputs import FILE_IN_CHAT, SEARCH_KINDS, has_search
from tests.unit import teams_samples
from tests.unit.teams_client import button, buttons, inputs, press, walk

NOW_EDIT = datetime(2026, 11, 27, 9, tzinfo=UTC)
SNAPSHOTS = Path(__file__).parent / "snapshots" / "teams"
FORMS = teams_samples.forms()
MESSAGES = teams_samples.messages()


def check_snapshot(name: str, card: dict[str, Any]) -> None:
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(card, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(), f"{path.name} changed: check it, then UPDATE_SNAPSHOTS=1"


def post_request_with_errors() -> dict[str, Any]:
    form = FORMS["post_request"]
    values = parse.card_values(form, {"text": "Sports day *is* on Friday", "shows": "images"})
    errors = {
        "text": "Please keep this to 3000 characters or fewer (it is 3001).",
        "pupils": "Please choose every pupil shown, or choose “No pupils” above.",
    }
    return form_card(form, errors=errors, values=values)


def consent_pick_after_search() -> dict[str, Any]:
    form = FORMS["consent_pick"]
    data = press(form_card(form), button(form_card(form), "search:consent_pick"))
    field, _query = parse.search_query(form, data) or ("", "")
    found = parse.found_choices(form, data, field, teams_samples.PUPILS)
    return form_card(form, values=parse.card_values(form, data), choices=found)


EXTRA = {
    "post_request_errors": post_request_with_errors,
    "consent_pick_found": consent_pick_after_search,
    "notice": lambda: notice_card("Report sent", "Thank you. R-0042 went to *the* right people."),
    "pages": lambda: pages_card(list(MESSAGES.values()), lambda n: f"Only {n} fit here."),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_form_snapshot(name: str) -> None:
    check_snapshot(f"form_{name}", form_card(FORMS[name]))


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_message_snapshot(name: str) -> None:
    check_snapshot(f"message_{name}", message_card(MESSAGES[name]))


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_other_snapshots(name: str) -> None:
    check_snapshot(name, EXTRA[name]())


def main_input(held: dict[str, dict[str, Any]], field: Field) -> dict[str, Any]:
    """The input named after the field; for a search field with no options yet (a choice set
    needs one), its query box."""
    if field.kind in SEARCH_KINDS and field.name not in held:
        return held[field.name + ".query"]
    return held[field.name]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_field_has_its_input_with_the_field_name_as_id(name: str) -> None:
    form = FORMS[name]
    card = form_card(form)
    held = inputs(card)
    for field in form.fields:
        if field.kind is FieldKind.FILE:  # no input: the card says to send the file in chat
            assert field.name not in held and (field.elsewhere or FILE_IN_CHAT) in str(card)
            continue
        assert main_input(held, field)["label"].startswith(field.label)
    assert not {f.name for f in form.fields} & verbs.RESERVED  # inputs would overwrite them
    for field in form.fields:  # Teams joins a multi-select's values with commas
        assert not any("," in o.value for o in (*field.options, *field.initial_options))


def test_a_form_of_files_only_says_how_to_send_them_and_offers_no_button() -> None:
    """Submitting it could only ever answer "please add a file"."""
    card = form_card(screenshot_form("AL-2026-0007"))
    assert "actions" not in card and not inputs(card)
    assert "send it to me in this chat instead" in str(card) and "AL-2026-0007" in str(card)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_required_inputs_are_checked_by_teams_unless_a_search_button_would_be_blocked(
    name: str,
) -> None:
    form = FORMS[name]
    held = inputs(form_card(form))
    for field in (f for f in form.fields if f.kind is not FieldKind.FILE):
        element = main_input(held, field)
        checked = field.required and not has_search(form)
        assert element.get("isRequired", False) is checked
        assert ("errorMessage" in element) is checked
        if has_search(form) and not field.required:
            assert "optional" in element["label"].lower()


def test_a_required_text_says_what_is_missing_in_the_words_of_bot_forms() -> None:
    element = inputs(form_card(FORMS["report_note"]))["text"]
    assert element["isRequired"] and element["errorMessage"].startswith("Please fill in “")


@pytest.mark.parametrize("name", sorted(FORMS))
def test_submit_and_cancel_follow_the_verb_and_data_conventions(name: str) -> None:
    form = FORMS[name]
    card = form_card(form)
    submit, cancel = card["actions"]
    assert submit["type"] == cancel["type"] == "Action.Execute"
    assert submit["verb"] == "form:" + form.id and submit["title"] == form.submit
    assert submit["data"]["form"] == form.id
    assert submit["data"]["context"] == dict(form.context)
    assert cancel["verb"] == "cancel" and cancel["associatedInputs"] == "none"
    assert card["version"] == "1.5" and card["fallbackText"] == form.title


def test_field_errors_show_under_their_input_and_the_answers_are_kept() -> None:
    card = post_request_with_errors()
    body = card["body"]
    ids = [e.get("id") for e in body]
    text_at = ids.index("text")
    assert body[text_at]["value"] == "Sports day *is* on Friday"
    assert body[text_at + 1]["color"] == "Attention"
    assert "3000 characters" in body[text_at + 1]["text"]
    find_pupils = ids.index("pupils.query") + 1
    assert body[find_pupils]["type"] == "ActionSet"
    assert body[find_pupils + 1]["text"].startswith("Please choose every pupil")
    assert inputs(card)["shows"]["value"] == "images"
    assert any(e.get("text") == cards.CHECK_ANSWERS for e in body)


def test_an_error_for_no_field_is_shown_at_the_top() -> None:
    card = form_card(FORMS["report_note"], errors={"": "This report is closed."})
    assert [e["text"] for e in card["body"] if e.get("color") == "Attention"] == [
        "This report is closed."
    ]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_values_given_back_come_out_of_the_card_unchanged(name: str) -> None:
    form = FORMS[name]
    answers = teams_samples.answers(form)
    card = form_card(form, values=answers)
    data = press(card, card["actions"][0])
    assert parse.card_values(form, data) == answers


def test_a_search_keeps_the_answers_and_the_options_chosen_before() -> None:
    form = FORMS["post_edit"]
    card = form_card(form)
    assert inputs(card)["pupils"]["value"] == "12,13"
    assert inputs(card)["blurred"]["value"] == "13"
    find = button(card, "search:post_request", search="blurred")
    data = press(card, find, **{"blurred.query": " Ali ", "text": "New words"})
    assert parse.search_query(form, data) == ("blurred", "Ali")
    found = parse.found_choices(form, data, "blurred", [Option("20", "Ali Khan · Year 5")])
    again = form_card(form, values=parse.card_values(form, data), choices=found)
    held = inputs(again)
    assert held["text"]["value"] == "New words"
    assert held["blurred"]["value"] == "13"
    assert [c["value"] for c in held["blurred"]["choices"]] == ["13", "20"]
    assert [c["title"] for c in held["pupils"]["choices"]] == [
        o.label for o in teams_samples.PUPILS
    ]


def test_after_field_errors_a_chosen_search_option_keeps_its_label() -> None:
    form = FORMS["consent_pick"]
    card = consent_pick_after_search()
    data = press(card, card["actions"][0], consent_pupil="13")
    again = form_card(
        form,
        errors={"consent_pupil": "Not on your register."},
        values=parse.card_values(form, data),
        choices=parse.card_choices(data),
    )
    choice_set = inputs(again)["consent_pupil"]
    assert choice_set["value"] == "13"
    assert {"title": "Noah Price · Year 4", "value": "13"} in choice_set["choices"]


def test_choices_carried_in_data_that_cannot_be_read_are_dropped() -> None:
    data = {"choices": {"pupils": [["1", "A"], ["2"], [3, "C"], "x"], "blurred": "x"}}
    assert parse.card_choices(data) == {"pupils": [Option("1", "A")]}
    assert parse.card_choices({"choices": []}) == {}


def test_a_chosen_option_without_a_known_label_is_kept() -> None:
    form = FORMS["consent_pick"]
    card = form_card(form, values={"consent_pupil": "99"})
    assert inputs(card)["consent_pupil"]["choices"] == [{"title": "99", "value": "99"}]


def test_a_search_button_for_another_form_or_field_is_not_a_search() -> None:
    form = FORMS["consent_pick"]
    assert parse.search_query(form, {"search": "pupils"}) is None
    assert parse.search_query(form, {}) is None


def test_a_datetime_is_a_date_and_a_time_in_the_trust_zone() -> None:
    form = FORMS["post_edit"]  # publish_at 2026-11-27 09:00 UTC, which is 09:00 in London
    held = inputs(form_card(form))
    assert held["publish_at"]["value"] == "2026-11-27"
    assert held["publish_at.time"]["value"] == "09:00"
    summer = str(int(datetime(2026, 7, 1, 8, tzinfo=UTC).timestamp()))
    held = inputs(form_card(form, values={"publish_at": summer}))
    assert (held["publish_at"]["value"], held["publish_at.time"]["value"]) == (
        "2026-07-01",
        "09:00",
    )
    data = press(form_card(form), button(form_card(form), "form:post_request"))
    assert data["zone"] == "Europe/London"
    assert parse.card_values(form, data)["publish_at"] == str(int(NOW_EDIT.timestamp()))


def test_message_buttons_are_execute_actions_with_the_action_id_and_value() -> None:
    message = Message(
        notification="A report needs you",
        title="R-1",
        actions=(
            Action("report_ack", "Acknowledge", "R-1", Style.PRIMARY),
            Action("report_close", "Close", "R-1", Style.DANGER),
            Action("report_note", "Add a note", "R-1"),
        ),
    )
    ack, close, note = message_card(message)["actions"]
    assert ack == {
        "type": "Action.Execute",
        "title": "Acknowledge",
        "verb": "report_ack",
        "data": {"value": "R-1"},
        "style": "positive",
    }
    assert close["style"] == "destructive" and "style" not in note


def test_more_buttons_than_teams_shows_go_into_action_sets() -> None:
    many = tuple(Action(f"a{i}", f"Button {i}", str(i)) for i in range(8))
    card = message_card(Message("n", "t", actions=many))
    assert "actions" not in card
    sets = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert [len(s["actions"]) for s in sets] == [6, 2]


def test_people_s_words_are_not_read_as_markdown() -> None:
    message = Message(
        notification="n",
        title="t",
        body="*not bold* and _not italic_ [no](link)\n- not a list\n1. nor this",
        facts=(("Who", "a_b*c"),),
        sections=(Section("Notes", "line one\nline two"),),
        footer="{{DATE(2026-01-01T00:00:00Z)}}",
    )
    card = message_card(message)
    texts = [e.get("text") for e in card["body"]]
    assert texts[1] == (
        "\\*not bold\\* and \\_not italic\\_ \\[no\\](link)\n\n\\- not a list\n\n1\\. nor this"
    )
    assert card["body"][2]["facts"] == [{"title": "Who", "value": "a\\_b\\*c"}]
    assert "line one\n\nline two" in texts
    assert "{{DATE(" not in json.dumps(card)


def test_a_whole_line_in_slack_bold_is_bold() -> None:
    card = form_card(FORMS["consent_change"])
    assert card["body"][1]["text"].startswith("**Amelia Hart")


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_no_pupil_name_in_what_notifications_show(name: str) -> None:
    card = message_card(MESSAGES[name])
    assert card["fallbackText"] == MESSAGES[name].notification
    for pupil in ("Amelia", "Hart", "Noah"):
        assert pupil not in card["fallbackText"]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_no_pupil_name_in_a_form_s_fallback(name: str) -> None:
    assert "Amelia" not in form_card(FORMS[name])["fallbackText"]


def test_pages_are_cut_to_the_size_teams_accepts_with_the_note() -> None:
    big = Message("Register", "A page", sections=(Section("Lines", "x" * 2900),) * 2)
    card = pages_card([big] * 30, lambda shown: f"Only the first {shown} pages fit here.")
    assert cards.card_size(card) <= cards.MAX_CARD_BYTES
    shown = sum(1 for e in card["body"] if e["type"] == "Container")
    assert 0 < shown < 30
    assert card["body"][-1]["text"] == f"Only the first {shown} pages fit here."


def test_pages_that_fit_are_all_shown_without_a_note() -> None:
    card = pages_card(list(MESSAGES.values()), lambda shown: "cut")
    assert sum(1 for e in card["body"] if e["type"] == "Container") == len(MESSAGES)
    assert all(e.get("text") != "cut" for e in card["body"])
    assert card["fallbackText"] == next(iter(MESSAGES.values())).notification
    assert all(b["verb"] for b in buttons(card))


def test_attachment_wraps_the_card() -> None:
    card = notice_card("Done", "Saved.")
    assert attachment(card) == {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "content": card,
    }


def test_search_fields_have_a_query_box_and_a_find_button() -> None:
    form = FORMS["access_account"]
    card = form_card(form)
    field = next(f for f in form.fields if f.kind is FieldKind.SEARCH_MANY)
    assert field.name + ".query" in inputs(card)
    find = button(card, "search:" + form.id, search=field.name)
    assert find["data"]["form"] == form.id and "associatedInputs" not in find
    assert not any(e.get("isRequired") for e in walk(card))
