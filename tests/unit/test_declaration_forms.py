# Relationship declarations without a database: the form's checks in plain words, the yearly
# re-confirmation date, and who receives and may see a declaration (rule D1).
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.declarations.forms import PUPIL_FIELD, declaration_form, parse_declaration
from bot.declarations.model import Declaration, Mail, Relationship, Status, a_year_after
from bot.declarations.service import leads_for, may_see
from bot.directory import load_directory
from bot.errors import FormInvalid
from tests.e2e.harness import SAMPLE

DIRECTORY = load_directory(SAMPLE)
TODAY = date(2026, 11, 24)
TEACHER = "d.hughes@willow.example"  # Willow staff
WILLOW_DSL = "j.whitaker@willow.example"  # Willow's only Safeguarding Lead
WILLOW_HEAD = "s.thompson@willow.example"
HUB_DSL = "c.donnelly@trust.example"
OAK_DSLS = ("r.lawson@oakfield.example", "h.fraser@oakfield.example")
RIVER_DSL = "n.hussain@riverside.example"
COMMS = "h.whitfield@trust.example"
STRANGER = "someone@elsewhere.example"


@pytest.fixture(scope="module")
def form():  # type: ignore[no-untyped-def]
    return declaration_form(DIRECTORY, TEACHER)


def answers(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        PUPIL_FIELD: "42",
        "relationship": "relative",
        "platforms": ["Facebook", "WhatsApp"],
        "since": "2025-09-01",
        "note": "My sister's son.",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_the_form_offers_every_school_and_starts_on_the_declarers_own() -> None:
    field = declaration_form(DIRECTORY, "e.clarke@willow.example").field("pupil_site")
    assert [o.value for o in field.options] == ["willow", "oakfield", "riverside"]
    assert field.initial == "willow"
    assert declaration_form(DIRECTORY, HUB_DSL).field("pupil_site").initial is None


def test_a_pupil_picked_from_the_register_reads_back(form) -> None:  # type: ignore[no-untyped-def]
    data = parse_declaration(form, answers(), TODAY)
    assert (data.pupil_id, data.pupil_name, data.site_id) == (42, None, None)
    assert data.relationship is Relationship.RELATIVE and data.description is None
    assert data.platforms == ("Facebook", "WhatsApp")
    assert data.since == date(2025, 9, 1) and data.note == "My sister's son."


def test_a_typed_name_reads_back_with_its_school(form) -> None:  # type: ignore[no-untyped-def]
    data = parse_declaration(
        form,
        answers(
            **{PUPIL_FIELD: None},
            pupil_name="  Sam Example ",
            pupil_site="riverside",
            relationship="other",
            description="Godparent",
            note="",
            since=TODAY.isoformat(),
        ),
        TODAY,
    )
    assert (data.pupil_id, data.pupil_name, data.site_id) == (None, "Sam Example", "riverside")
    assert data.relationship is Relationship.OTHER and data.description == "Godparent"
    assert data.note is None and data.since == TODAY


def test_a_description_is_dropped_unless_the_connection_is_other(form) -> None:  # type: ignore[no-untyped-def]
    data = parse_declaration(form, answers(description="Ignored"), TODAY)
    assert data.description is None


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({PUPIL_FIELD: None}, PUPIL_FIELD, "pick the pupil, or type their name"),
        ({"pupil_name": "Sam Example", "pupil_site": "willow"}, "pupil_name", "not both"),
        ({PUPIL_FIELD: None, "pupil_name": "Sam Example"}, "pupil_site", "choose the pupil's"),
        ({PUPIL_FIELD: "Sam"}, PUPIL_FIELD, "from the list again"),
        ({"relationship": "other"}, "description", "say how you are connected"),
        ({"relationship": "neighbour"}, "relationship", "options shown"),
        ({"since": "2026-11-25"}, "since", "not in the future"),
        ({"since": None}, "since", "fill in"),
        ({"note": "x" * 1001}, "note", "1000 characters or fewer (it is 1001)"),
        ({"platforms": ["Facebook", "MySpace"]}, "platforms", "options shown"),
        ({"platforms": []}, "platforms", "tick at least one"),
    ],
)
def test_each_mistake_comes_back_on_its_field_in_plain_words(form, changes, field, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FormInvalid) as caught:
        parse_declaration(form, answers(**changes), TODAY)
    assert words in caught.value.errors[field]
    assert set(caught.value.errors) == {field}, "one mistake, one message"


def test_every_mistake_is_reported_at_once(form) -> None:  # type: ignore[no-untyped-def]
    raw = answers(
        **{PUPIL_FIELD: None},
        pupil_name="Sam Example",
        relationship="other",
        since="2027-01-01",
        platforms=["Bebo"],
    )
    with pytest.raises(FormInvalid) as caught:
        parse_declaration(form, raw, TODAY)
    assert set(caught.value.errors) == {"pupil_site", "description", "since", "platforms"}


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (date(2026, 11, 23), date(2027, 11, 23)),
        (date(2027, 2, 28), date(2028, 2, 28)),
        (date(2028, 2, 29), date(2029, 2, 28)),
        (date(2027, 12, 31), date(2028, 12, 31)),
    ],
)
def test_a_year_after(day: date, due: date) -> None:
    assert a_year_after(day) == due


def declaration(**changes: object) -> Declaration:
    values: dict[str, object] = {
        "ref": "RD-2026-0001",
        "declarer": TEACHER,
        "site_id": "willow",
        "pupil_name": "Sam Example",
        "relationship": Relationship.OWN_CHILD,
        "platforms": ("Facebook",),
        "created_at": datetime(2026, 11, 23, 10, tzinfo=UTC),
        "confirmed_on": date(2026, 11, 23),
        "leads": (WILLOW_DSL,),
        "mail": Mail.NOT_CONFIGURED,
    }
    values.update(changes)
    return Declaration(**values)  # type: ignore[arg-type]


def test_overdue_from_the_day_a_year_after_its_confirmation_while_in_force() -> None:
    made = declaration(status=Status.ACKNOWLEDGED)
    assert made.confirm_due == date(2027, 11, 23)
    assert not made.overdue(date(2027, 11, 22))
    assert made.overdue(date(2027, 11, 23)) and made.overdue(date(2028, 6, 1))
    assert declaration().overdue(date(2027, 11, 23)), "an unacknowledged one is overdue too"
    assert not declaration(status=Status.ENDED).overdue(date(2028, 6, 1))
    leap = declaration(confirmed_on=date(2028, 2, 29))
    assert not leap.overdue(date(2029, 2, 27)) and leap.overdue(date(2029, 2, 28))


def test_other_shows_its_description() -> None:
    assert declaration().relationship_label() == "My own child"
    other = declaration(relationship=Relationship.OTHER, description="Godparent")
    assert other.relationship_label() == "Other: Godparent"


@pytest.mark.parametrize(
    ("site_id", "declarer", "leads"),
    [
        ("willow", TEACHER, (WILLOW_DSL,)),
        ("willow", WILLOW_DSL, (HUB_DSL,)),  # the site's only lead: the hub's leads instead
        ("oakfield", TEACHER, OAK_DSLS),
        ("oakfield", OAK_DSLS[1], OAK_DSLS[:1]),  # the other lead, not the hub
        ("oakfield", WILLOW_DSL, OAK_DSLS),  # a lead elsewhere is an ordinary declarer here
        ("nowhere", TEACHER, (HUB_DSL,)),
    ],
)
def test_leads_for(site_id: str, declarer: str, leads: tuple[str, ...]) -> None:
    assert leads_for(DIRECTORY, site_id, declarer) == leads
    assert declarer not in leads


def test_nobody_receives_when_the_hub_lead_declares_with_no_other_lead() -> None:
    assert leads_for(DIRECTORY, "hub", HUB_DSL) == ()


@pytest.mark.parametrize(
    ("email", "sees"),
    [
        (TEACHER, True),
        (WILLOW_DSL, True),
        (WILLOW_HEAD, False),
        (HUB_DSL, False),  # Willow has its own lead
        (OAK_DSLS[0], False),
        (RIVER_DSL, False),
        (COMMS, False),
        (STRANGER, False),
    ],
)
def test_only_the_declarer_and_the_pupils_schools_leads_may_see(email: str, sees: bool) -> None:
    assert may_see(DIRECTORY, declaration(), email) is sees


def test_a_leads_own_declaration_is_seen_by_the_hub_not_by_their_colleagues() -> None:
    own = declaration(declarer=WILLOW_DSL, leads=(HUB_DSL,))
    assert may_see(DIRECTORY, own, WILLOW_DSL) and may_see(DIRECTORY, own, HUB_DSL)
    assert not may_see(DIRECTORY, own, WILLOW_HEAD)
    assert not may_see(DIRECTORY, own, TEACHER)
