# Tests for misuse report routing (rules M1–M6): recipients, restriction, procedure, escalation.
from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory import Directory, load_directory
from bot.errors import PolicyError
from bot.reports.model import Category, RecipientRole
from bot.reports.routing import Route, leads_at, next_level, route_report

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "directory.yml"

# The sample trust (examples/directory.yml).
WILLOW_HEAD = "s.thompson@willow.example"
WILLOW_DSL = "j.whitaker@willow.example"
WILLOW_TEACHER = "d.hughes@willow.example"
TWO_SITE_TEACHER = "e.clarke@willow.example"  # staff at Willow and Oakfield
OAKFIELD_HEAD = "m.obrien@oakfield.example"
OAKFIELD_DSLS = ("r.lawson@oakfield.example", "h.fraser@oakfield.example")
RIVERSIDE_HEAD = "a.fletcher@riverside.example"
RIVERSIDE_TEACHER = "b.carter@riverside.example"
HUB_DSL = "c.donnelly@trust.example"
HUB_STAFF = "m.jennings@trust.example"
HUB_COLLEAGUE = "f.mcallister@trust.example"
ELT = ("r.ashworth@trust.example", "p.sharma@trust.example")
HEADS = (WILLOW_HEAD, OAKFIELD_HEAD, RIVERSIDE_HEAD)
COMMS = "h.whitfield@trust.example"
IT = "helpdesk@itpartner.example"
BOARD = "m.ellison@trust.example"

# A tiny trust: one ELT member, a Headteacher who is also a Safeguarding Lead.
TINY = """\
trust:
  name: Tiny Trust
  head_of_comms: [comms@t.example]
  elt: [ceo@t.example]
  it_provider: [it@t.example]
{board}
sites:
  - id: alpha
    name: Alpha School
    kind: school
    headteacher: [head@a.example]
    safeguarding_leads: [head@a.example, dsl@a.example]
    staff: [teacher@a.example]
  - id: hub
    name: Support Hub
    kind: hub
    safeguarding_leads: [hubdsl@t.example]
    staff: [clerk@t.example]
people:
  - {{email: comms@t.example, name: Comms Person}}
  - {{email: ceo@t.example, name: Chief Exec}}
  - {{email: it@t.example, name: IT Desk}}
  - {{email: chair@t.example, name: Chair Person}}
  - {{email: head@a.example, name: Head Teacher}}
  - {{email: dsl@a.example, name: Safe Guard}}
  - {{email: teacher@a.example, name: A Teacher}}
  - {{email: hubdsl@t.example, name: Hub Guard}}
  - {{email: clerk@t.example, name: Hub Clerk}}
"""


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory(SAMPLE)


def tiny(tmp_path: Path, *, board: bool = True) -> Directory:
    path = tmp_path / "directory.yml"
    path.write_text(TINY.format(board="  board: [chair@t.example]" if board else ""), "utf-8")
    return load_directory(path)


def route(
    directory: Directory,
    reporter: str,
    site_id: str,
    category: Category = Category.PUPIL_MISUSE,
    *,
    subject: str | None = None,
    safeguarding: bool = False,
    on_school_device: bool = False,
) -> Route:
    return route_report(
        directory,
        reporter=reporter,
        site_id=site_id,
        category=category,
        subject_staff=subject,
        safeguarding=safeguarding,
        on_school_device=on_school_device,
    )


def emails(result: Route, role: RecipientRole | None = None) -> list[str]:
    return [r.email for r in result.recipients if role is None or r.role is role]


# --- M1: school staff -> that school's Headteacher ---------------------------------------------


def test_school_staff_report_goes_to_their_headteacher_as_lead(directory: Directory) -> None:
    result = route(directory, WILLOW_TEACHER, "willow")

    assert emails(result) == [WILLOW_HEAD]
    lead = result.recipients[0]
    assert lead.role is RecipientRole.LEAD
    assert (lead.as_role, lead.site_id, lead.reason, lead.active) == (
        "headteacher",
        "willow",
        "routed",
        True,
    )
    assert result.lead_level == "headteacher"
    assert result.restricted is False
    assert result.notes == ()


@pytest.mark.parametrize(
    ("reporter", "site_id", "head"),
    [
        (WILLOW_TEACHER, "willow", WILLOW_HEAD),
        ("o.davies@oakfield.example", "oakfield", OAKFIELD_HEAD),
        (RIVERSIDE_TEACHER, "riverside", RIVERSIDE_HEAD),
        ("g.shaw@riverside.example", "riverside", RIVERSIDE_HEAD),  # office staff
    ],
)
def test_each_school_routes_to_its_own_headteacher(
    directory: Directory, reporter: str, site_id: str, head: str
) -> None:
    assert emails(route(directory, reporter, site_id)) == [head]


@pytest.mark.parametrize(
    ("site_id", "head"), [("willow", WILLOW_HEAD), ("oakfield", OAKFIELD_HEAD)]
)
def test_site_chosen_on_the_form_decides_for_a_two_site_teacher(
    directory: Directory, site_id: str, head: str
) -> None:
    result = route(directory, TWO_SITE_TEACHER, site_id)

    assert emails(result) == [head]
    assert result.recipients[0].site_id == site_id


# --- M2: Support Hub staff -> ELT, never a Headteacher ------------------------------------------


def test_hub_staff_report_goes_to_every_elt_member_never_a_headteacher(
    directory: Directory,
) -> None:
    result = route(directory, HUB_STAFF, "hub", Category.STAFF_MISUSE, subject=HUB_COLLEAGUE)

    assert sorted(emails(result)) == sorted(ELT)
    assert all(r.role is RecipientRole.LEAD for r in result.recipients)
    assert all((r.as_role, r.site_id) == ("elt", None) for r in result.recipients)
    assert not set(emails(result)) & set(HEADS)
    assert result.lead_level == "elt"
    assert result.notes == ()


# --- M3: safeguarding -> the site's Safeguarding Leads, restricted ------------------------------


def test_safeguarding_adds_every_site_dsl_restricted_under_safeguarding_procedure(
    directory: Directory,
) -> None:
    result = route(directory, "o.davies@oakfield.example", "oakfield", safeguarding=True)

    assert emails(result, RecipientRole.LEAD) == [OAKFIELD_HEAD]
    assert emails(result, RecipientRole.SAFEGUARDING) == list(OAKFIELD_DSLS)
    dsls = [r for r in result.recipients if r.role is RecipientRole.SAFEGUARDING]
    assert all((r.as_role, r.site_id) == ("safeguarding_lead", "oakfield") for r in dsls)
    assert result.restricted is True
    assert result.procedure == "Safeguarding & Child Protection Policy"


def test_safeguarding_procedure_wins_over_the_category_procedure(directory: Directory) -> None:
    result = route(
        directory, WILLOW_TEACHER, "willow", Category.CYBERBULLYING_PUPIL, safeguarding=True
    )

    assert result.procedure == "Safeguarding & Child Protection Policy"


def test_safeguarding_on_a_hub_report_goes_to_the_hub_dsl(directory: Directory) -> None:
    result = route(directory, HUB_STAFF, "hub", Category.OTHER, safeguarding=True)

    assert sorted(emails(result, RecipientRole.LEAD)) == sorted(ELT)
    assert emails(result, RecipientRole.SAFEGUARDING) == [HUB_DSL]
    assert result.restricted is True


def test_dsl_who_is_also_the_lead_is_not_listed_twice(tmp_path: Path) -> None:
    result = route(tiny(tmp_path), "teacher@a.example", "alpha", safeguarding=True)

    assert emails(result) == ["head@a.example", "dsl@a.example"]
    assert emails(result, RecipientRole.LEAD) == ["head@a.example"]
    assert emails(result, RecipientRole.SAFEGUARDING) == ["dsl@a.example"]


def test_when_the_sites_only_dsl_is_the_subject_the_hub_dsl_receives_it(
    directory: Directory,
) -> None:
    result = route(
        directory,
        WILLOW_TEACHER,
        "willow",
        Category.ALLEGATION_STAFF,
        subject=WILLOW_DSL,
        safeguarding=True,
    )

    assert WILLOW_DSL not in emails(result)
    assert emails(result, RecipientRole.SAFEGUARDING) == [HUB_DSL]
    hub_dsl = next(r for r in result.recipients if r.email == HUB_DSL)
    assert (hub_dsl.as_role, hub_dsl.site_id) == ("safeguarding_lead", "hub")


def test_one_of_two_dsls_as_subject_leaves_the_other_and_not_the_hub(
    directory: Directory,
) -> None:
    result = route(
        directory,
        "o.davies@oakfield.example",
        "oakfield",
        Category.ALLEGATION_STAFF,
        subject=OAKFIELD_DSLS[0],
        safeguarding=True,
    )

    assert emails(result, RecipientRole.SAFEGUARDING) == [OAKFIELD_DSLS[1]]


def test_without_safeguarding_no_dsl_and_not_restricted(directory: Directory) -> None:
    result = route(directory, "o.davies@oakfield.example", "oakfield")

    assert emails(result, RecipientRole.SAFEGUARDING) == []
    assert result.restricted is False


# --- M4: a pupil's friend/follow attempt -> the Headteacher ------------------------------------


def test_pupil_contact_goes_to_the_headteacher(directory: Directory) -> None:
    result = route(directory, RIVERSIDE_TEACHER, "riverside", Category.PUPIL_CONTACT)

    assert emails(result) == [RIVERSIDE_HEAD]
    assert result.recipients[0].role is RecipientRole.LEAD
    assert result.procedure is None


# --- M5: inappropriate content on a school computer -> also the IT provider --------------------


def test_inappropriate_content_on_a_school_device_adds_the_it_provider(
    directory: Directory,
) -> None:
    result = route(
        directory,
        RIVERSIDE_TEACHER,
        "riverside",
        Category.INAPPROPRIATE_CONTENT,
        on_school_device=True,
    )

    assert emails(result, RecipientRole.LEAD) == [RIVERSIDE_HEAD]
    assert emails(result, RecipientRole.IT) == [IT]
    it = next(r for r in result.recipients if r.role is RecipientRole.IT)
    assert (it.as_role, it.site_id) == ("it_provider", None)


def test_inappropriate_content_not_on_a_school_device_has_no_it_provider(
    directory: Directory,
) -> None:
    result = route(directory, RIVERSIDE_TEACHER, "riverside", Category.INAPPROPRIATE_CONTENT)

    assert emails(result) == [RIVERSIDE_HEAD]


@pytest.mark.parametrize(
    "category", [c for c in Category if c is not Category.INAPPROPRIATE_CONTENT]
)
def test_school_device_flag_alone_never_brings_in_the_it_provider(
    directory: Directory, category: Category
) -> None:
    subject = WILLOW_TEACHER if category is Category.STAFF_MISUSE else None
    result = route(
        directory,
        "a.patel@willow.example",
        "willow",
        category,
        subject=subject,
        on_school_device=True,
    )

    assert IT not in emails(result)


# --- M6: which procedure applies ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "procedure"),
    [
        (Category.CYBERBULLYING_PUPIL, "Behaviour Policy"),
        (Category.ALLEGATION_STAFF, "Allegations of Abuse Against Staff Policy"),
        (Category.PUPIL_CONTACT, None),
        (Category.OTHER, None),
    ],
)
def test_category_says_which_procedure_applies(
    directory: Directory, category: Category, procedure: str | None
) -> None:
    assert route(directory, WILLOW_TEACHER, "willow", category).procedure == procedure


# --- Abusive comments -> also the Head of Comms -------------------------------------------------


def test_abusive_comment_adds_the_head_of_comms(directory: Directory) -> None:
    result = route(directory, WILLOW_TEACHER, "willow", Category.ABUSIVE_COMMENT)

    assert emails(result, RecipientRole.LEAD) == [WILLOW_HEAD]
    assert emails(result, RecipientRole.COMMS) == [COMMS]
    comms = next(r for r in result.recipients if r.role is RecipientRole.COMMS)
    assert (comms.as_role, comms.site_id) == ("head_of_comms", None)
    assert result.restricted is False


def test_abusive_comment_marked_safeguarding_does_not_reach_the_head_of_comms(
    directory: Directory,
) -> None:
    result = route(directory, WILLOW_TEACHER, "willow", Category.ABUSIVE_COMMENT, safeguarding=True)

    assert COMMS not in emails(result)
    assert emails(result) == [WILLOW_HEAD, WILLOW_DSL]
    assert result.restricted is True


@pytest.mark.parametrize("category", [c for c in Category if c is not Category.ABUSIVE_COMMENT])
def test_other_categories_do_not_reach_the_head_of_comms(
    directory: Directory, category: Category
) -> None:
    subject = "l.barnes@willow.example" if category is Category.STAFF_MISUSE else None
    assert COMMS not in emails(
        route(directory, WILLOW_TEACHER, "willow", category, subject=subject)
    )


# --- Nobody receives a report about themselves, nor their own report ---------------------------


@pytest.mark.parametrize(
    ("reporter", "site_id", "category", "subject", "flags"),
    [
        (WILLOW_TEACHER, "willow", Category.ALLEGATION_STAFF, WILLOW_DSL, {"safeguarding": True}),
        (WILLOW_TEACHER, "willow", Category.ABUSIVE_COMMENT, COMMS, {}),
        (WILLOW_TEACHER, "willow", Category.INAPPROPRIATE_CONTENT, IT, {"on_school_device": True}),
        (HUB_STAFF, "hub", Category.STAFF_MISUSE, ELT[0], {}),
        (HUB_STAFF, "hub", Category.STAFF_MISUSE, HUB_DSL, {"safeguarding": True}),
        (WILLOW_TEACHER, "willow", Category.STAFF_MISUSE, WILLOW_HEAD, {"safeguarding": True}),
    ],
)
def test_the_subject_is_never_a_recipient(
    directory: Directory,
    reporter: str,
    site_id: str,
    category: Category,
    subject: str,
    flags: dict[str, bool],
) -> None:
    result = route(directory, reporter, site_id, category, subject=subject, **flags)

    assert subject not in emails(result)
    assert result.recipients, "someone must still receive the report"


def test_headteacher_as_subject_goes_to_elt_as_lead(directory: Directory) -> None:
    result = route(directory, WILLOW_TEACHER, "willow", Category.STAFF_MISUSE, subject=WILLOW_HEAD)

    assert sorted(emails(result, RecipientRole.LEAD)) == sorted(ELT)
    assert WILLOW_HEAD not in emails(result)
    assert result.lead_level == "elt"
    assert all((r.as_role, r.site_id) == ("elt", None) for r in result.recipients)
    assert result.notes and "ELT" in result.notes[0]


def test_headteacher_as_subject_with_safeguarding_still_reaches_the_site_dsl(
    directory: Directory,
) -> None:
    result = route(
        directory,
        "o.davies@oakfield.example",
        "oakfield",
        Category.ALLEGATION_STAFF,
        subject=OAKFIELD_HEAD,
        safeguarding=True,
    )

    assert sorted(emails(result, RecipientRole.LEAD)) == sorted(ELT)
    assert emails(result, RecipientRole.SAFEGUARDING) == list(OAKFIELD_DSLS)


def test_a_headteacher_reporting_goes_to_elt_not_to_themselves(directory: Directory) -> None:
    result = route(directory, WILLOW_HEAD, "willow")

    assert WILLOW_HEAD not in emails(result)
    assert sorted(emails(result, RecipientRole.LEAD)) == sorted(ELT)
    assert result.lead_level == "elt"


@pytest.mark.parametrize(
    ("reporter", "category", "flags"),
    [
        (WILLOW_DSL, Category.PUPIL_MISUSE, {"safeguarding": True}),
        (COMMS, Category.ABUSIVE_COMMENT, {}),
        (IT, Category.INAPPROPRIATE_CONTENT, {"on_school_device": True}),
    ],
)
def test_the_reporter_is_never_a_recipient(
    directory: Directory,
    reporter: str,
    category: Category,
    flags: dict[str, bool],
) -> None:
    result = route(directory, reporter, "willow", category, **flags)

    assert reporter not in emails(result)
    assert emails(result, RecipientRole.LEAD) == [WILLOW_HEAD]


def test_a_reporting_dsl_who_is_the_sites_only_dsl_hands_to_the_hub_dsl(
    directory: Directory,
) -> None:
    result = route(directory, WILLOW_DSL, "willow", safeguarding=True)

    assert emails(result, RecipientRole.SAFEGUARDING) == [HUB_DSL]


def test_hub_report_about_one_elt_member_goes_only_to_the_other(directory: Directory) -> None:
    result = route(directory, HUB_STAFF, "hub", Category.STAFF_MISUSE, subject=ELT[0])

    assert emails(result) == [ELT[1]]
    assert result.lead_level == "elt"


def test_elt_member_reporting_for_the_hub_goes_to_the_other_elt_member(
    directory: Directory,
) -> None:
    result = route(directory, ELT[1], "hub")

    assert emails(result) == [ELT[0]]


def test_hub_report_about_the_whole_elt_goes_to_the_board(tmp_path: Path) -> None:
    result = route(
        tiny(tmp_path), "clerk@t.example", "hub", Category.STAFF_MISUSE, subject="ceo@t.example"
    )

    assert emails(result) == ["chair@t.example"]
    lead = result.recipients[0]
    assert (lead.role, lead.as_role, lead.site_id) == (RecipientRole.LEAD, "board", None)
    assert result.lead_level == "board"
    assert result.notes


def test_school_report_with_head_and_whole_elt_excluded_goes_to_the_board(tmp_path: Path) -> None:
    # The Headteacher is the subject and the only ELT member is the reporter.
    result = route(
        tiny(tmp_path), "ceo@t.example", "alpha", Category.STAFF_MISUSE, subject="head@a.example"
    )

    assert emails(result, RecipientRole.LEAD) == ["chair@t.example"]
    assert result.lead_level == "board"


def test_nobody_left_to_receive_raises_policy_error(tmp_path: Path) -> None:
    directory = tiny(tmp_path, board=False)

    with pytest.raises(PolicyError) as raised:
        route(directory, "clerk@t.example", "hub", Category.STAFF_MISUSE, subject="ceo@t.example")

    assert "Safeguarding Lead" in raised.value.message


def test_unknown_site_raises_policy_error(directory: Directory) -> None:
    with pytest.raises(PolicyError) as raised:
        route(directory, WILLOW_TEACHER, "atlantis")

    assert "site" in raised.value.message


def test_reporter_never_picks_the_recipient_so_routing_is_stable(directory: Directory) -> None:
    first = route(directory, WILLOW_TEACHER, "willow", Category.ABUSIVE_COMMENT, safeguarding=True)
    again = route(directory, WILLOW_TEACHER, "willow", Category.ABUSIVE_COMMENT, safeguarding=True)

    assert first == again


def test_reporter_and_subject_are_excluded_in_any_letter_case(directory: Directory) -> None:
    own = route(directory, WILLOW_HEAD.upper(), "willow")
    about = route(
        directory,
        WILLOW_TEACHER,
        "willow",
        Category.STAFF_MISUSE,
        subject="S.Thompson@Willow.example",
    )

    assert WILLOW_HEAD not in emails(own)
    assert WILLOW_HEAD not in emails(about)


# --- leads_at and next_level ---------------------------------------------------------------------


def test_leads_at_each_level(directory: Directory) -> None:
    willow, hub = directory.site("willow"), directory.site("hub")
    assert willow is not None and hub is not None

    assert leads_at(directory, willow, "headteacher", set()) == (WILLOW_HEAD,)
    assert leads_at(directory, hub, "headteacher", set()) == ()
    assert leads_at(directory, willow, "elt", set()) == ELT
    assert leads_at(directory, hub, "board", set()) == (BOARD,)


def test_leads_at_leaves_out_the_excluded(directory: Directory) -> None:
    willow = directory.site("willow")
    assert willow is not None

    assert leads_at(directory, willow, "headteacher", {WILLOW_HEAD}) == ()
    assert leads_at(directory, willow, "elt", {ELT[0], WILLOW_TEACHER}) == (ELT[1],)


def test_next_level_is_the_first_level_up_with_someone_left(directory: Directory) -> None:
    willow = directory.site("willow")
    assert willow is not None

    assert next_level(directory, willow, "headteacher", set()) == "elt"
    assert next_level(directory, willow, "headteacher", {WILLOW_HEAD}) == "elt"
    assert next_level(directory, willow, "headteacher", set(ELT)) == "board"
    assert next_level(directory, willow, "elt", set()) == "board"
    assert next_level(directory, willow, "elt", {BOARD}) is None
    assert next_level(directory, willow, "board", set()) is None


def test_next_level_without_a_board(tmp_path: Path) -> None:
    directory = tiny(tmp_path, board=False)
    alpha = directory.site("alpha")
    assert alpha is not None

    assert next_level(directory, alpha, "headteacher", set()) == "elt"
    assert next_level(directory, alpha, "headteacher", {"ceo@t.example"}) is None
    assert next_level(directory, alpha, "elt", set()) is None
