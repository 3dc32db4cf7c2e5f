# Tests for screen_post: each kind of finding, found as written; ordinary school posts left alone.
from __future__ import annotations

import dataclasses

import pytest

from bot.posts.screening import (
    DEFAULT_POLITICAL_TERMS,
    Finding,
    FindingKind,
    Severity,
    blocking,
    screen_post,
)


def found(text: str, **kwargs: object) -> list[tuple[FindingKind, str]]:
    return [(f.kind, f.words) for f in screen_post(text, **kwargs)]  # type: ignore[arg-type]


def words_of(kind: FindingKind, text: str, **kwargs: object) -> list[str]:
    return [w for k, w in found(text, **kwargs) if k == kind]


# Full names (policy rule A4)


def test_a_full_name_with_pupil_images_blocks_the_post() -> None:
    findings = screen_post(
        "Well done to Amelia Hart for her painting!",
        pupil_full_names=["Amelia Hart"],
        shows_pupil_images=True,
    )
    assert findings == [
        Finding(
            FindingKind.FULL_NAME,
            "Amelia Hart",
            "The text names a pupil in full: “Amelia Hart”. Pupils' full names must never "
            "appear with their images; use the first name only.",
            Severity.BLOCKING,
        )
    ]
    assert blocking(findings) == findings


def test_a_full_name_without_images_is_advice() -> None:
    findings = screen_post("Well done to Amelia Hart!", pupil_full_names=["Amelia Hart"])
    assert [(f.kind, f.severity) for f in findings] == [(FindingKind.FULL_NAME, Severity.ADVICE)]
    assert "first name" in findings[0].message
    assert blocking(findings) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("AMELIA HART won", "AMELIA HART"),
        ("well done amelia  hart", "amelia  hart"),
        ("Amelia\nHart read aloud", "Amelia\nHart"),
        ("Amelia Hart's poem", "Amelia Hart"),
        ("(Amelia Hart, Year 4)", "Amelia Hart"),
    ],
)
def test_full_names_are_found_as_written(text: str, words: str) -> None:
    assert words_of(FindingKind.FULL_NAME, text, pupil_full_names=["Amelia Hart"]) == [words]


def test_either_apostrophe_matches_in_a_name() -> None:
    text = "Sean O’Brien scored"
    assert words_of(FindingKind.FULL_NAME, text, pupil_full_names=["Sean O'Brien"]) == [
        "Sean O’Brien"
    ]


@pytest.mark.parametrize(
    "text", ["Well done Amelia!", "Amelia Hartley won", "Mr Hart and Amelia", "AmeliaHart"]
)
def test_a_first_name_or_a_longer_name_is_not_a_full_name(text: str) -> None:
    assert found(text, pupil_full_names=["Amelia Hart"], shows_pupil_images=True) == []


def test_every_listed_pupil_is_checked() -> None:
    text = "Ben Cole and Amelia Hart ran."
    names = ["Amelia Hart", "Ben Cole", "Chloe Day", ""]
    assert words_of(FindingKind.FULL_NAME, text, pupil_full_names=names) == [
        "Ben Cole",
        "Amelia Hart",
    ]


# Contact details and addresses


@pytest.mark.parametrize(
    "number",
    ["07700 900123", "+44 7700 900123", "020 7946 0958", "01632 960961", "(01632) 960961"],
)
def test_uk_phone_numbers_are_found_as_written(number: str) -> None:
    findings = screen_post(f"For tickets ring {number} after 3pm.")
    assert [(f.kind, f.words, f.severity) for f in findings] == [
        (FindingKind.PHONE, number, Severity.ADVICE)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "We won 12 to 3 in the 2024 final.",
        "Term dates for 2024/2025 and 2025-2026 are out.",
        "On 03/03/2025 at 10:30 we raised £1,250.",
        "Registered charity 1123456.",
        "Room 12345 67890",
    ],
)
def test_years_scores_and_reference_numbers_are_not_phone_numbers(text: str) -> None:
    assert words_of(FindingKind.PHONE, text) == []


def test_email_addresses_are_found() -> None:
    text = "Write to miss.jones99@gmail.com or Office@Willow.sch.uk."
    assert words_of(FindingKind.EMAIL, text) == ["miss.jones99@gmail.com", "Office@Willow.sch.uk"]


def test_a_handle_is_not_an_email_address() -> None:
    assert words_of(FindingKind.EMAIL, "Follow @WillowPrimary for news, at 3 @ the hall") == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("She lives at 12 Acacia Avenue now.", ["12 Acacia Avenue"]),
        ("Meet at 3b Church Road, then 10 Downing St.", ["3b Church Road", "10 Downing St"]),
        ("It is 221, Upper Baker road.", ["221, Upper Baker road"]),
        ("Send it to SW1A 1AA or M1 1AE.", ["SW1A 1AA", "M1 1AE"]),
    ],
)
def test_street_addresses_and_postcodes_are_found(text: str, words: list[str]) -> None:
    assert words_of(FindingKind.ADDRESS, text) == words


@pytest.mark.parametrize(
    "text",
    [
        "We walked 2 miles down the lane to the close.",
        "Year 6 won 3 races on the way home.",
        "KS2 results are in; Y6 did well.",
    ],
)
def test_ordinary_sentences_are_not_addresses(text: str) -> None:
    assert words_of(FindingKind.ADDRESS, text) == []


@pytest.mark.parametrize(
    "words",
    [
        "born on 3 March 2015",
        "DOB 03/03/2015",
        "d.o.b.: 4/5/16",
        "Date of birth: 1st of June 2014",
        "born on Tuesday 3rd March",
        "born in March 2015",
    ],
)
def test_dates_of_birth_are_found(words: str) -> None:
    assert words_of(FindingKind.DATE_OF_BIRTH, f"Sam was {words}, and loves art.") == [words]


@pytest.mark.parametrize(
    "text",
    [
        "Sports day on 3 March",
        "Sports day is on 03/03/2025 and the baby was born last week.",
        "Born Free is our class book.",
    ],
)
def test_event_dates_are_not_dates_of_birth(text: str) -> None:
    assert words_of(FindingKind.DATE_OF_BIRTH, text) == []


# Offensive words (policy rule A3)


def test_offensive_words_are_reported_as_written() -> None:
    text = "What the F*ck, this is Sh1t and bullshit. Bull shit!"
    assert words_of(FindingKind.OFFENSIVE, text) == ["F*ck", "Sh1t", "bullshit", "Bull shit"]
    assert screen_post("crap")[0].severity == Severity.ADVICE


def test_a_word_starred_for_emphasis_is_still_found() -> None:
    assert words_of(FindingKind.OFFENSIVE, "That was **shit**") == ["shit"]


@pytest.mark.parametrize(
    "text",
    [
        "Our class passed every assessment.",
        "A trip to Scunthorpe and Sussex.",
        "Dick Whittington is this year's pantomime, then Puss in Boots.",
        "We counted blue tits and a great tit at the Big Schools' Birdwatch.",
        "Homo sapiens, the sperm whale and a vulgar fraction.",
        "The nativity: God, the Virgin Mary and the organ.",
        "Willy Wonka visited Chorlton-cum-Hardy.",
        "Relationships and sex education starts in Year 7.",
    ],
)
def test_ordinary_school_words_are_not_offensive(text: str) -> None:
    assert words_of(FindingKind.OFFENSIVE, text) == []


def test_a_word_allowed_in_a_phrase_is_flagged_alone() -> None:
    assert words_of(FindingKind.OFFENSIVE, "what a dick, nice tits") == ["dick", "tits"]


# Political terms


def test_political_terms_are_found_whole_and_in_any_case() -> None:
    text = "Vote for the Green\nParty! Lib Dems, Reform UK and the SNP at the referendum."
    assert words_of(FindingKind.POLITICAL, text) == [
        "Vote for",
        "Green\nParty",
        "Lib Dems",
        "Reform UK",
        "SNP",
        "referendum",
    ]


def test_political_terms_match_whole_words_only() -> None:
    text = "Our Protestant and Catholic pupils, the snipers' club and our conservation work."
    assert words_of(FindingKind.POLITICAL, text) == []


def test_the_political_terms_can_be_replaced() -> None:
    text = "Come to the bake sale before the election."
    assert words_of(FindingKind.POLITICAL, text, political_terms=["Bake Sale"]) == ["bake sale"]
    assert words_of(FindingKind.POLITICAL, text, political_terms=[]) == []
    assert "election" in DEFAULT_POLITICAL_TERMS


# Links to personal accounts


def test_an_official_handle_is_not_flagged_but_a_personal_profile_is() -> None:
    text = (
        "Follow https://www.facebook.com/WillowPrimarySchool and https://x.com/willowprimary, "
        "and see Mrs Jones at https://www.instagram.com/mrs.jones.teaches/."
    )
    findings = screen_post(text, official_handles=["WillowPrimarySchool", "@WillowPrimary"])
    assert [(f.kind, f.words) for f in findings] == [
        (FindingKind.PERSONAL_LINK, "https://www.instagram.com/mrs.jones.teaches/")
    ]
    assert "should not be shared from an official account" in findings[0].message


@pytest.mark.parametrize(
    "link",
    [
        "https://twitter.com/jsmith99/status/123",
        "https://www.tiktok.com/@mrsjones/video/1",
        "https://uk.linkedin.com/in/john-smith",
        "https://youtube.com/@JohnSmithMusic",
        "https://m.facebook.com/profile.php?id=1000123",
        "instagram.com/amy.h",
    ],
)
def test_links_to_personal_profiles_are_flagged(link: str) -> None:
    assert words_of(FindingKind.PERSONAL_LINK, f"See {link} today") == [link]


@pytest.mark.parametrize(
    "link",
    [
        "https://www.facebook.com/events/123",
        "https://www.youtube.com/watch?v=abc",
        "https://www.linkedin.com/company/willow-trust",
        "https://www.willowprimary.org.uk/news",
        "https://www.instagram.com/p/Cxyz/",
    ],
)
def test_links_that_are_not_profiles_are_not_flagged(link: str) -> None:
    assert words_of(FindingKind.PERSONAL_LINK, f"See {link} today") == []


def test_links_passed_apart_from_the_text_are_checked_and_come_last() -> None:
    findings = found(
        "Ring 020 7946 0958.",
        links=["https://x.com/WillowPrimary", "https://x.com/bob_smith"],
        official_handles=["https://x.com/WillowPrimary"],
    )
    assert findings == [
        (FindingKind.PHONE, "020 7946 0958"),
        (FindingKind.PERSONAL_LINK, "https://x.com/bob_smith"),
    ]


# Order and repeats


def test_blocking_findings_come_first_then_text_order_without_repeats() -> None:
    text = "Vote for us! Call 07700 900123. Amelia Hart, vote for us, call 07700 900123."
    assert found(text, pupil_full_names=["Amelia Hart"], shows_pupil_images=True) == [
        (FindingKind.FULL_NAME, "Amelia Hart"),
        (FindingKind.POLITICAL, "Vote for"),
        (FindingKind.PHONE, "07700 900123"),
        (FindingKind.POLITICAL, "vote for"),
    ]


def test_a_clean_post_has_no_findings() -> None:
    text = "Year 3 visited the museum today and learned about the Romans. Thank you, parents!"
    assert screen_post(text, pupil_full_names=["Amelia Hart"], shows_pupil_images=True) == []


def test_findings_are_immutable() -> None:
    finding = screen_post("crap")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.words = "fine"  # type: ignore[misc]


def test_a_long_post_is_screened_throughout() -> None:
    filler = "Our pupils had a wonderful week of learning, sport and music in every class. "
    parts = [
        filler * 7,
        "Amelia Hart sang beautifully. ",
        filler * 7,
        "Ring the office on 01632 960961. ",
        filler * 7,
        "Jo was born on 3 March 2015. ",
        filler * 7,
        "Vote for change! ",
        filler * 7,
        "See https://www.instagram.com/mr_smith_pe for more. ",
    ]
    text = "".join(parts)
    text += filler * ((3000 - len(text)) // len(filler)) + "What crap weather."
    assert 2900 < len(text) <= 3100
    assert found(text, pupil_full_names=["Amelia Hart"], shows_pupil_images=True) == [
        (FindingKind.FULL_NAME, "Amelia Hart"),
        (FindingKind.PHONE, "01632 960961"),
        (FindingKind.DATE_OF_BIRTH, "born on 3 March 2015"),
        (FindingKind.POLITICAL, "Vote for"),
        (FindingKind.PERSONAL_LINK, "https://www.instagram.com/mr_smith_pe"),
        (FindingKind.OFFENSIVE, "crap"),
    ]
