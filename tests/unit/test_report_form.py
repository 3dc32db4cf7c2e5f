# Tests for the misuse report form: its fields and defaults, parse_report's checks, clean_values.
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.directory import Directory, load_directory
from bot.errors import FormInvalid, PolicyError
from bot.forms import Field, FieldKind, Form, Option, clean_values
from bot.reports.form import (
    PLATFORMS,
    REPORT_FORM,
    SAFEGUARDING,
    SCHOOL_DEVICE,
    ReportInput,
    parse_report,
    report_form,
)
from bot.reports.model import CATEGORY_LABELS, Category

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "directory.yml"
TODAY = date(2026, 3, 12)
REPORTER = "d.hughes@willow.example"


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory(SAMPLE)


@pytest.fixture(scope="module")
def form(directory: Directory) -> Form:
    return report_form(directory, REPORTER)


def answers(**changes: object) -> dict[str, object]:
    """A complete, valid set of answers, with changes (None removes an answer)."""
    raw: dict[str, object] = {
        "category": "pupil_misuse",
        "platform": "Instagram",
        "happened_on": "2026-03-10",
        "description": "A pupil posted a photo of a classmate with an unkind caption.",
        "site_id": "willow",
    }
    raw.update(changes)
    return {key: value for key, value in raw.items() if value is not None}


def parse(form: Form, directory: Directory, **changes: object) -> ReportInput:
    return parse_report(form, answers(**changes), directory=directory, today=TODAY)


def errors_of(form: Form, directory: Directory, **changes: object) -> dict[str, str]:
    with pytest.raises(FormInvalid) as raised:
        parse(form, directory, **changes)
    assert isinstance(raised.value, PolicyError)
    return raised.value.errors


# --- report_form ---------------------------------------------------------------------------------


def test_form_identity_and_field_order(form: Form) -> None:
    assert form.id == REPORT_FORM
    assert [f.name for f in form.fields] == [
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
    assert form.intro and "don't need to choose" in form.intro


def test_site_defaults_to_the_reporters_site(directory: Directory) -> None:
    assert report_form(directory, REPORTER).field("site_id").initial == "willow"
    assert report_form(directory, "o.davies@oakfield.example").field("site_id").initial == (
        "oakfield"
    )
    assert report_form(directory, "m.jennings@trust.example").field("site_id").initial == "hub"


def test_two_site_teacher_defaults_to_their_first_site(directory: Directory) -> None:
    assert report_form(directory, "e.clarke@willow.example").field("site_id").initial == "willow"


def test_someone_without_a_site_gets_no_default(directory: Directory) -> None:
    assert report_form(directory, "r.ashworth@trust.example").field("site_id").initial is None
    assert report_form(directory, "nobody@nowhere.example").field("site_id").initial is None


def test_every_site_is_an_option(directory: Directory, form: Form) -> None:
    options = form.field("site_id").options
    assert [(o.value, o.label) for o in options] == [(s.id, s.name) for s in directory.sites]


def test_every_category_is_an_option_with_its_label(form: Form) -> None:
    field = form.field("category")
    assert field.kind is FieldKind.SELECT and field.required
    assert {o.value: o.label for o in field.options} == {
        c.value: label for c, label in CATEGORY_LABELS.items()
    }
    assert {o.value for o in field.options} == {c.value for c in Category}


def test_platforms_and_flags_are_options(form: Form) -> None:
    assert [o.value for o in form.field("platform").options] == list(PLATFORMS)
    flags = form.field("flags")
    assert flags.kind is FieldKind.CHECKBOXES and not flags.required
    assert [o.value for o in flags.options] == [SAFEGUARDING, SCHOOL_DEVICE]


def test_required_fields_and_limits(form: Form) -> None:
    required = {f.name for f in form.fields if f.required}
    assert required == {"category", "platform", "happened_on", "description", "site_id"}
    assert form.field("description").max_length == 3000
    assert form.field("links").max_length == 1000
    assert form.field("subject_name").max_length == 100
    assert form.field("subject_staff").kind is FieldKind.PERSON


# --- parse_report: good answers ------------------------------------------------------------------


def test_minimal_answers_parse(form: Form, directory: Directory) -> None:
    result = parse(form, directory)

    assert result == ReportInput(
        site_id="willow",
        category=Category.PUPIL_MISUSE,
        description="A pupil posted a photo of a classmate with an unkind caption.",
        happened_on=date(2026, 3, 10),
        platform="Instagram",
        subject_staff=None,
        subject_name=None,
        links=None,
        safeguarding=False,
        on_school_device=False,
    )


def test_full_answers_parse(form: Form, directory: Directory) -> None:
    result = parse(
        form,
        directory,
        category="staff_misuse",
        subject_staff="L.Barnes@Willow.example",
        subject_name="  Jo Bloggs ",
        description="  Posted about a pupil.  ",
        happened_on=TODAY.isoformat(),
        links="https://x.example/a",
        flags=[SAFEGUARDING, SCHOOL_DEVICE],
    )

    assert result.category is Category.STAFF_MISUSE
    assert result.subject_staff == "l.barnes@willow.example"
    assert result.subject_name == "Jo Bloggs"
    assert result.description == "Posted about a pupil."
    assert result.happened_on == TODAY
    assert result.safeguarding is True
    assert result.on_school_device is True


@pytest.mark.parametrize(
    ("flags", "safeguarding", "on_school_device"),
    [
        (None, False, False),
        ([], False, False),
        ([SAFEGUARDING], True, False),
        ([SCHOOL_DEVICE], False, True),
        (SCHOOL_DEVICE, False, True),  # a single value, not a list
        ((SAFEGUARDING, SCHOOL_DEVICE), True, True),
    ],
)
def test_flags_become_booleans(
    form: Form,
    directory: Directory,
    flags: object,
    safeguarding: bool,
    on_school_device: bool,
) -> None:
    result = parse(form, directory, flags=flags)

    assert (result.safeguarding, result.on_school_device) == (safeguarding, on_school_device)


def test_good_links_are_normalised_one_per_line(form: Form, directory: Directory) -> None:
    raw = "  https://x.example/post/1 \n\n http://y.example/a?b=c  https://z.example/#top\n"
    result = parse(form, directory, links=raw)

    assert (
        result.links == "https://x.example/post/1\nhttp://y.example/a?b=c\nhttps://z.example/#top"
    )


def test_blank_links_become_none(form: Form, directory: Directory) -> None:
    assert parse(form, directory, links="  \n  ").links is None


def test_every_category_parses(form: Form, directory: Directory) -> None:
    for category in Category:
        staff = "l.barnes@willow.example" if category is Category.STAFF_MISUSE else None
        result = parse(form, directory, category=category.value, subject_staff=staff)
        assert result.category is category


# --- parse_report: bad answers -------------------------------------------------------------------


def test_missing_required_fields_each_get_a_plain_words_error(
    form: Form, directory: Directory
) -> None:
    errors = errors_of(
        form,
        directory,
        category=None,
        platform="",
        happened_on=None,
        description="   ",
        site_id=None,
    )

    assert set(errors) == {"category", "platform", "happened_on", "description", "site_id"}
    for name, message in errors.items():
        assert message == f"Please fill in “{form.field(name).label}”."


def test_nothing_at_all_lists_every_required_field(form: Form, directory: Directory) -> None:
    with pytest.raises(FormInvalid) as raised:
        parse_report(form, {}, directory=directory, today=TODAY)

    assert set(raised.value.errors) == {
        "category",
        "platform",
        "happened_on",
        "description",
        "site_id",
    }
    assert raised.value.message == "Some answers need another look."


def test_description_of_3000_characters_is_accepted(form: Form, directory: Directory) -> None:
    assert len(parse(form, directory, description="x" * 3000).description) == 3000


def test_description_of_3001_characters_names_the_limit(form: Form, directory: Directory) -> None:
    errors = errors_of(form, directory, description="x" * 3001)

    assert set(errors) == {"description"}
    assert "3000" in errors["description"] and "3001" in errors["description"]


def test_too_long_pupil_name_and_links(form: Form, directory: Directory) -> None:
    errors = errors_of(
        form, directory, subject_name="n" * 101, links="https://x.example/" + "a" * 1000
    )

    assert set(errors) == {"subject_name", "links"}
    assert "100" in errors["subject_name"]
    assert "1000" in errors["links"]


def test_a_date_in_the_future_is_refused(form: Form, directory: Directory) -> None:
    errors = errors_of(form, directory, happened_on="2026-03-13")

    assert set(errors) == {"happened_on"}
    assert "future" in errors["happened_on"]


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "12/03/2026"])
def test_a_date_that_is_not_a_date_is_refused(form: Form, directory: Directory, value: str) -> None:
    errors = errors_of(form, directory, happened_on=value)

    assert errors == {"happened_on": "Please pick a date from the calendar."}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("category", "gossip"),
        ("platform", "MySpace"),
        ("site_id", "atlantis"),
        ("category", "Pupil_Misuse"),
    ],
)
def test_an_unknown_option_value_is_refused(
    form: Form, directory: Directory, name: str, value: str
) -> None:
    errors = errors_of(form, directory, **{name: value})

    assert errors == {name: "Please choose one of the options shown."}


def test_an_unknown_flag_is_refused(form: Form, directory: Directory) -> None:
    errors = errors_of(form, directory, flags=[SAFEGUARDING, "urgent"])

    assert errors == {"flags": "Please choose from the options shown."}


def test_a_staff_member_not_in_the_directory_is_refused(form: Form, directory: Directory) -> None:
    errors = errors_of(form, directory, subject_staff="stranger@elsewhere.example")

    assert errors == {"subject_staff": "Please choose the member of staff from the list."}


def test_staff_misuse_needs_the_member_of_staff(form: Form, directory: Directory) -> None:
    errors = errors_of(form, directory, category="staff_misuse")

    assert errors == {"subject_staff": "Please choose the member of staff this is about."}


def test_other_categories_do_not_need_a_member_of_staff(form: Form, directory: Directory) -> None:
    assert parse(form, directory, category="allegation_staff").subject_staff is None


@pytest.mark.parametrize(
    "links",
    [
        "www.example.com/post",
        "ftp://files.example/x",
        "javascript:alert(1)",
        "https://",
        "https://ok.example/a\nnot-a-link",
    ],
)
def test_links_that_are_not_http_are_refused(form: Form, directory: Directory, links: str) -> None:
    errors = errors_of(form, directory, links=links)

    assert set(errors) == {"links"}
    assert "https://" in errors["links"]


def test_cross_field_errors_come_together(form: Form, directory: Directory) -> None:
    errors = errors_of(
        form,
        directory,
        category="staff_misuse",
        happened_on="2027-01-01",
        links="ftp://x.example",
    )

    assert set(errors) == {"subject_staff", "happened_on", "links"}


def test_missing_fields_and_cross_field_errors_come_together(
    form: Form, directory: Directory
) -> None:
    errors = errors_of(
        form,
        directory,
        description=None,
        subject_staff="stranger@elsewhere.example",
        happened_on="2026-12-25",
    )

    assert set(errors) == {"description", "subject_staff", "happened_on"}


@pytest.mark.parametrize(
    "garbage",
    [42, {"safeguarding": True}, [SAFEGUARDING, 7], b"safeguarding", True, [["x"]]],
)
def test_checkboxes_with_a_garbage_value_give_an_error_not_a_crash(
    form: Form, directory: Directory, garbage: object
) -> None:
    errors = errors_of(form, directory, flags=garbage)

    assert errors == {"flags": "This answer could not be read; please fill it in again."}


@pytest.mark.parametrize("garbage", [42, ["Instagram"], {"x": 1}, date(2026, 3, 1)])
def test_a_text_field_with_a_garbage_value_gives_an_error(
    form: Form, directory: Directory, garbage: object
) -> None:
    errors = errors_of(form, directory, platform=garbage)

    assert errors == {"platform": "This answer could not be read; please fill it in again."}


# --- clean_values for every FieldKind -----------------------------------------------------------

KINDS_FORM = Form(
    id="kinds",
    title="Every kind",
    submit="Send",
    fields=(
        Field("text", "Short", FieldKind.TEXT, max_length=5),
        Field("long", "Long", FieldKind.LONG_TEXT, required=False, max_length=20),
        Field("pick", "Pick", FieldKind.SELECT, options=(Option("a", "A"), Option("b", "B"))),
        Field("who", "Who", FieldKind.PERSON, required=False),
        Field("when", "When", FieldKind.DATE),
        Field(
            "boxes",
            "Boxes",
            FieldKind.CHECKBOXES,
            options=(Option("x", "X"), Option("y", "Y")),
        ),
        Field("pupil", "Pupil", FieldKind.SEARCH, required=False),
        Field("pupils", "Pupils", FieldKind.SEARCH_MANY, required=False),
        Field("at", "At", FieldKind.DATETIME, required=False),
        Field("shots", "Shots", FieldKind.FILE, required=False),
    ),
)
GOOD = {
    "text": " hi ",
    "long": "line 1\nline 2",
    "pick": "b",
    "who": "a.patel@willow.example",
    "when": "2026-01-31",
    "boxes": ["y", "x"],
    "pupil": "12",
    "pupils": ["12", "13"],
    "at": "1795600800",
}


def test_clean_values_returns_a_value_of_the_right_type_for_every_kind() -> None:
    assert {f.kind for f in KINDS_FORM.fields} == set(FieldKind)

    assert clean_values(KINDS_FORM, GOOD) == {
        "text": "hi",
        "long": "line 1\nline 2",
        "pick": "b",
        "who": "a.patel@willow.example",
        "when": date(2026, 1, 31),
        "boxes": ["y", "x"],
        "pupil": "12",
        "pupils": ["12", "13"],
        "at": datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
        "shots": (),
    }


def test_a_date_and_time_comes_as_unix_seconds_or_iso_with_a_zone() -> None:
    iso = clean_values(KINDS_FORM, {**GOOD, "at": "2026-11-24T08:00:00+00:00"})["at"]
    assert iso == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    with pytest.raises(FormInvalid) as naive:
        clean_values(KINDS_FORM, {**GOOD, "at": "2026-11-24T08:00:00"})
    assert naive.value.errors == {"at": "Please pick a date and a time."}


def test_clean_values_optional_fields_may_be_missing() -> None:
    raw = {k: v for k, v in GOOD.items() if k not in ("long", "who")}

    values = clean_values(KINDS_FORM, raw)

    assert values["long"] is None and values["who"] is None


def test_clean_values_ignores_answers_the_form_does_not_ask() -> None:
    assert "extra" not in clean_values(KINDS_FORM, {**GOOD, "extra": "?"})


def test_clean_values_reports_every_field_error_at_once() -> None:
    with pytest.raises(FormInvalid) as raised:
        clean_values(
            KINDS_FORM,
            {
                "text": "toolong",
                "long": "x" * 21,
                "pick": "c",
                "who": 5,
                "when": "31/01/2026",
                "boxes": [],
            },
        )

    assert raised.value.errors == {
        "text": "Please keep this to 5 characters or fewer (it is 7).",
        "long": "Please keep this to 20 characters or fewer (it is 21).",
        "pick": "Please choose one of the options shown.",
        "who": "This answer could not be read; please fill it in again.",
        "when": "Please pick a date from the calendar.",
        "boxes": "Please tick at least one box for “Boxes”.",
    }


def test_clean_values_missing_required_answers_name_the_label() -> None:
    with pytest.raises(FormInvalid) as raised:
        clean_values(KINDS_FORM, {})

    assert raised.value.errors == {
        "text": "Please fill in “Short”.",
        "pick": "Please fill in “Pick”.",
        "when": "Please fill in “When”.",
        "boxes": "Please tick at least one box for “Boxes”.",
    }


def test_clean_values_length_counts_after_trimming() -> None:
    assert clean_values(KINDS_FORM, {**GOOD, "text": "   12345   "})["text"] == "12345"


def test_option_label_falls_back_to_the_value() -> None:
    pick = KINDS_FORM.field("pick")
    assert pick.option_label("a") == "A"
    assert pick.option_label("zzz") == "zzz"
