# Consent and pupils: what a change withdraws, names for look-ups, birthdays, audit state.
from __future__ import annotations

from datetime import date

import pytest

from bot.consent.model import Consent, Media, Pupil, Scope, search_key

ALL = Consent(True, True, True, True)
NONE = Consent()


def pupil(**changes: object) -> Pupil:
    values: dict[str, object] = {
        "site_id": "willow",
        "mis_id": "WIL-1",
        "first_name": "Amelia",
        "last_name": "Hart",
        "date_of_birth": date(2016, 5, 1),
        "consent": ALL,
    }
    return Pupil(**(values | changes))  # type: ignore[arg-type]


def test_withdrawing_everything_lists_every_use_in_order() -> None:
    assert ALL.withdrawn_in(NONE) == [
        (Media.IMAGES, Scope.SCHOOL),
        (Media.VIDEOS, Scope.SCHOOL),
        (Media.IMAGES, Scope.TRUST),
        (Media.VIDEOS, Scope.TRUST),
    ]
    assert NONE.withdrawn_in(ALL) == []


def test_narrowing_to_school_only_withdraws_the_trust_uses() -> None:
    school_only = Consent(images_school=True, videos_school=True)
    assert ALL.withdrawn_in(school_only) == [
        (Media.IMAGES, Scope.TRUST),
        (Media.VIDEOS, Scope.TRUST),
    ]
    assert school_only.given_in(ALL) == [(Media.IMAGES, Scope.TRUST), (Media.VIDEOS, Scope.TRUST)]


def test_a_swap_both_withdraws_and_gives() -> None:
    images = Consent(images_school=True)
    videos = Consent(videos_school=True)
    assert images.withdrawn_in(videos) == [(Media.IMAGES, Scope.SCHOOL)]
    assert images.given_in(videos) == [(Media.VIDEOS, Scope.SCHOOL)]


@pytest.mark.parametrize(
    "consent", [ALL, NONE, Consent(images_trust=True), Consent(True, False, False, True)]
)
def test_ticked_boxes_round_trip(consent: Consent) -> None:
    assert Consent.of(consent.ticked()) == consent


def test_unknown_box_names_are_ignored() -> None:
    assert Consent.of(["images_school", "photos_everywhere"]) == Consent(images_school=True)


def test_describe_says_no_consent_plainly() -> None:
    assert NONE.describe() == "No consent for images or videos"
    assert Consent(images_school=True).describe() == "Yes: images on the school's accounts"


def test_search_key_folds_case_and_accents() -> None:
    assert search_key("Zoë", None, "Fennelworth") == "zoe fennelworth"
    assert search_key("Óisín", "Osh", "MOSS-Wick") == "oisin osh moss-wick"


def test_search_name_holds_first_preferred_and_last_names() -> None:
    assert pupil(preferred_name="Millie").search_name == "amelia millie hart"


def test_display_name_is_short() -> None:
    assert pupil().display_name == "Amelia H."
    assert pupil(preferred_name="Millie").display_name == "Millie H."


@pytest.mark.parametrize(
    ("born", "eighteenth"),
    [
        (date(2008, 11, 24), date(2026, 11, 24)),
        (date(2008, 2, 29), date(2026, 3, 1)),  # no 29 February in 2026
        (date(2012, 2, 29), date(2030, 3, 1)),
    ],
)
def test_eighteenth_birthday(born: date, eighteenth: date) -> None:
    child = pupil(date_of_birth=born)
    assert child.birthday(18) == eighteenth
    assert child.age_on(eighteenth) == 18


def test_audit_state_has_no_names() -> None:
    state = pupil(preferred_name="Millie", id=7).state()
    assert not {"Amelia", "Hart", "Millie"} & {str(v) for v in state.values()}
    assert state["images_trust"] is True and state["version"] == 1


def test_same_details_ignores_the_date_and_source_of_consent() -> None:
    assert pupil().same_details(pupil(consent_changed_on=date(2026, 9, 1)))
    assert not pupil().same_details(pupil(year_group="Year 4"))
    assert not pupil().same_details(pupil(consent=NONE))
