# Teams' card_values and Slack's view_values read the same answers to every form alike.
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.errors import FormInvalid
from bot.forms import FieldKind, Form, clean_values
from bot.posts.form import parse_request
from handlers.slack.parse import view_values
from handlers.teams import parse
from handlers.teams.cards import form_card
from tests.unit.teams_client import button, press
from tests.unit.teams_samples import FORMS_BY_NAME, LONDON, SUMMER, answers

SLACK_TYPES = {
    FieldKind.TEXT: "plain_text_input",
    FieldKind.LONG_TEXT: "plain_text_input",
    FieldKind.SELECT: "static_select",
    FieldKind.PERSON: "external_select",
    FieldKind.SEARCH: "external_select",
    FieldKind.SEARCH_MANY: "multi_external_select",
    FieldKind.CHECKBOXES: "checkboxes",
    FieldKind.DATE: "datepicker",
    FieldKind.DATETIME: "datetimepicker",
    FieldKind.FILE: "file_input",
}


def slack_view(form: Form, given: dict[str, object]) -> dict[str, Any]:
    """The view Slack sends on submission when a person gave `given`."""
    state: dict[str, Any] = {}
    for field in form.fields:
        value = given[field.name]
        action: dict[str, Any] = {"type": SLACK_TYPES[field.kind]}
        if field.kind in (FieldKind.CHECKBOXES, FieldKind.SEARCH_MANY):
            assert isinstance(value, list)
            action["selected_options"] = [{"text": {}, "value": v} for v in value]
        elif field.kind in (FieldKind.SELECT, FieldKind.PERSON, FieldKind.SEARCH):
            action["selected_option"] = {"text": {}, "value": value} if value else None
        elif field.kind is FieldKind.DATE:
            action["selected_date"] = value
        elif field.kind is FieldKind.DATETIME:
            action["selected_date_time"] = int(str(value)) if value else None
        elif field.kind is FieldKind.FILE:
            action["files"] = []  # none given: what a Teams card always reads as
        else:
            action["value"] = value
        state[field.name] = {field.name: action}
    return {"callback_id": form.id, "state": {"values": state}}


def teams_data(form: Form, given: dict[str, object], *, blank: str | None = None) -> dict[str, Any]:
    """The data Teams sends when the person gave `given` on the form's card: the submit
    button's own data, then each input as a string; an empty input is left out (or sent as
    `blank`)."""
    card = form_card(form)
    data: dict[str, Any] = dict(button(card, "form:" + form.id)["data"])
    for field in form.fields:
        value = given[field.name]
        if field.kind is FieldKind.DATETIME and value:
            assert value == str(int(SUMMER.timestamp()))
            data[field.name] = SUMMER.astimezone(LONDON).date().isoformat()
            data[field.name + ".time"] = SUMMER.astimezone(LONDON).strftime("%H:%M")
        elif isinstance(value, list) and value:
            data[field.name] = ",".join(value)
        elif value:
            data[field.name] = value
        elif blank is not None:
            data[field.name] = blank
            if field.kind is FieldKind.DATETIME:
                data[field.name + ".time"] = blank
    return data


@pytest.mark.parametrize("name", sorted(FORMS_BY_NAME))
@pytest.mark.parametrize("empty", [False, True], ids=["filled", "empty"])
def test_slack_and_teams_read_the_same_answers_alike(name: str, empty: bool) -> None:
    form = FORMS_BY_NAME[name]
    given = answers(form, empty=empty)
    from_slack = view_values(slack_view(form, given))
    from_teams = parse.card_values(form, teams_data(form, given))
    assert from_teams == from_slack == given
    assert [type(v) for v in from_teams.values()] == [type(v) for v in from_slack.values()]


@pytest.mark.parametrize("name", sorted(FORMS_BY_NAME))
def test_inputs_sent_as_empty_strings_read_as_not_given(name: str) -> None:
    form = FORMS_BY_NAME[name]
    given = answers(form, empty=True)
    assert parse.card_values(form, teams_data(form, given, blank="")) == given


@pytest.mark.parametrize("name", sorted(FORMS_BY_NAME))
def test_the_form_s_own_checks_agree_on_both_channels(name: str) -> None:
    form = FORMS_BY_NAME[name]
    for empty in (False, True):
        given = answers(form, empty=empty)
        outcomes = []
        for values in (
            view_values(slack_view(form, given)),
            parse.card_values(form, teams_data(form, given)),
        ):
            try:
                outcomes.append(clean_values(form, values))
            except FormInvalid as invalid:
                outcomes.append(invalid.errors)
        assert outcomes[0] == outcomes[1]


def test_a_post_request_from_teams_parses_as_from_slack() -> None:
    form = FORMS_BY_NAME["post_request"]
    given = {
        **answers(form),
        "account": "willow-x",
        "shows": "images",
        "blurred": ["13"],
        "confirmations": ["content", "device", "no_other_id"],
        "media_links": "https://drive.example/a\nhttps://drive.example/b",
    }
    now = datetime(2026, 6, 1, tzinfo=UTC)
    slack = parse_request(
        form, view_values(slack_view(form, given)), allowed_accounts=["willow-x"], now=now
    )
    teams = parse_request(
        form,
        parse.card_values(form, teams_data(form, given)),
        allowed_accounts=["willow-x"],
        now=now,
    )
    assert teams == slack
    assert teams.publish_at == SUMMER


def test_the_context_and_form_id_travel_in_the_data() -> None:
    form = FORMS_BY_NAME["post_changes"]
    data = press(form_card(form), button(form_card(form), "form:post_changes"))
    assert parse.form_id(data) == "post_changes"
    assert parse.context(data) == {"ref": "P-0007", "version": "1"}
    assert parse.context({"context": "not a mapping"}) == {}


def test_a_datetime_that_cannot_be_read_is_refused_in_plain_words() -> None:
    form = FORMS_BY_NAME["post_request"]
    data = {"publish_at": "2026-02-30", "publish_at.time": "09:00"}
    values = parse.card_values(form, data)
    with pytest.raises(FormInvalid) as invalid:
        clean_values(form, values)
    assert invalid.value.errors["publish_at"] == "Please pick a date and a time."


def test_a_date_without_a_time_is_not_given() -> None:
    form = FORMS_BY_NAME["post_request"]
    assert parse.card_values(form, {"publish_at": "2026-07-01"})["publish_at"] is None


def test_an_unknown_zone_falls_back_to_the_trust_s() -> None:
    form = FORMS_BY_NAME["post_request"]
    data = {"publish_at": "2026-07-01", "publish_at.time": "14:45", "zone": "Mars/Olympus"}
    assert parse.card_values(form, data)["publish_at"] == str(int(SUMMER.timestamp()))


def test_an_answer_that_is_not_text_is_passed_on_for_the_form_to_refuse() -> None:
    form = FORMS_BY_NAME["report_note"]
    values = parse.card_values(form, {"text": {"x": 1}})
    with pytest.raises(FormInvalid):
        clean_values(form, values)


def test_a_message_button_s_value() -> None:
    assert parse.action_value({"value": "R-0042"}) == "R-0042"
    assert parse.action_value({}) == ""
