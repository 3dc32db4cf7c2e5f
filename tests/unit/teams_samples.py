# Samples for the Teams card tests: every form the bot builds, a message of each flow, answers.
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.abuse import forms as abuse_forms
from bot.abuse import messages as abuse_messages
from bot.abuse.model import AbuseEntry, Screenshot, ShotState
from bot.abuse.model import Kind as AbuseKind
from bot.access import forms as access_forms
from bot.access import messages as access_messages
from bot.access.model import GrantStatus, PosterGrant
from bot.consent import forms as consent_forms
from bot.consent.model import Consent, HistoryEntry, Pupil, Source
from bot.declarations import forms as declaration_forms
from bot.declarations import messages as declaration_messages
from bot.declarations.model import Declaration, Mail, Relationship
from bot.directory import load_directory
from bot.files import Upload
from bot.forms import FieldKind, Form, Option
from bot.help import help_for
from bot.messages import Message
from bot.network import forms as network_forms
from bot.network import messages as network_messages
from bot.network.model import Kind as NetworkKind
from bot.network.model import NetworkRequest
from bot.network.model import Status as NetworkStatus
from bot.policy import forms as policy_forms
from bot.posts import form as post_forms
from bot.posts import messages as post_messages
from bot.posts.model import Objective, PostRequest, PostVersion, ShownPupil, Shows, Status
from bot.reports import form as report_forms
from bot.reports import messages as report_messages
from bot.reports.model import Category, MisuseReport
from bot.tasks import forms as task_forms
from bot.tasks import messages as task_messages
from bot.tasks.model import Task, TaskKind
from bot.training import forms as training_forms
from bot.training import messages as training_messages
from bot.training.model import Completion, State, TrainingStatus
from bot.training.model import Source as TrainingSource
from tests.e2e.harness import SAMPLE

DIRECTORY = load_directory(SAMPLE)
LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
REPORTER = "d.hughes@willow.example"
COMMS = "h.whitfield@trust.example"
PUPILS = (Option("12", "Amelia Hart · Year 4"), Option("13", "Noah Price · Year 4"))


def amelia() -> Pupil:
    return Pupil(
        site_id="willow",
        mis_id="WIL-1",
        first_name="Amelia",
        last_name="Hart",
        date_of_birth=date(2016, 5, 1),
        year_group="Year 4",
        consent=Consent(images_school=True, videos_school=True),
        version=2,
        id=12,
    )


def forms() -> dict[str, Form]:
    """Every form, by a snapshot name."""
    history = [
        HistoryEntry(
            version=1,
            consent=Consent(images_school=True),
            changed_on=date(2026, 9, 1),
            source=Source.MIS_IMPORT,
            recorded_by="k.holt@willow.example",
            recorded_at=datetime(2026, 9, 1, 10, tzinfo=UTC),
            details={},
        )
    ]
    leads = [p for p in (DIRECTORY.person(e) for e in (COMMS, REPORTER)) if p]
    colleagues = [Option("e.clarke@willow.example", "Emma Clarke")]
    roles = [("head_of_comms", "Head of Communications")]
    return {
        "report": report_forms.report_form(DIRECTORY, REPORTER, today=TODAY),
        "report_note": report_forms.note_form("R-0042"),
        "report_close": report_forms.close_form("R-0042"),
        "report_handover": report_forms.handover_form("R-0042", leads),
        "post_request": post_forms.request_form(
            DIRECTORY.accounts, DIRECTORY, default_time=NOW, pupil_options=PUPILS
        ),
        "post_edit": post_forms.request_form(
            DIRECTORY.accounts,
            DIRECTORY,
            default_time=NOW,
            ref="P-0007",
            account_id="willow-x",
            objective=Objective.EVENT,
            earlier=_version(),
            pupil_options=PUPILS,
        ),
        "post_changes": post_forms.comment_form(post_forms.CHANGES_FORM, "P-0007", 1),
        "post_reject": post_forms.comment_form(post_forms.REJECT_FORM, "P-0007", 1),
        "post_publish": post_forms.publish_form("P-0007"),
        "post_delegate": post_forms.delegate_form(roles, colleagues, TODAY),
        "consent_pick": consent_forms.pick_form(),
        "consent_change": consent_forms.change_form(amelia(), history, DIRECTORY, LONDON, TODAY),
        "task_reason": task_forms.reason_form("7"),
        "access": access_forms.access_form(DIRECTORY, REPORTER, DIRECTORY.accounts),
        "access_refuse": access_forms.refuse_form("A-0003"),
        "access_revoke": access_forms.revoke_form("A-0003"),
        "access_decline": access_forms.decline_form("N-0002"),
        "access_account": access_forms.account_form(DIRECTORY, REPORTER),
        "abuse_log": abuse_forms.abuse_form(DIRECTORY, REPORTER),
        "policy_review": policy_forms.review_form(TODAY, TODAY),
        "policy_return": policy_forms.return_form("RV-2026-0001"),
        "policy_announce": policy_forms.announce_form(),
        "network_platform": network_forms.platform_form(DIRECTORY, REPORTER),
        "network_unblock": network_forms.unblock_form(DIRECTORY, REPORTER),
        "network_decline": network_forms.decline_form("NW-2026-0001"),
        "declaration": declaration_forms.declaration_form(DIRECTORY, REPORTER),
        "declaration_question": declaration_forms.question_form("D-0005", reply=False),
        "declaration_reply": declaration_forms.question_form("D-0005", reply=True),
        "declaration_end": declaration_forms.end_form("D-0005"),
        "training_record": training_forms.record_form(TODAY, for_others=False),
        "training_record_others": training_forms.record_form(TODAY, for_others=True),
        "training_campaign": training_forms.campaign_form(DIRECTORY, TODAY),
    }


def _version() -> PostVersion:
    return PostVersion(
        number=1,
        text="Sports day is on Friday. Come and cheer!",
        publish_at=datetime(2026, 11, 27, 9, tzinfo=UTC),
        shows=Shows.IMAGES,
        media_links=("https://drive.example/sports-day",),
        pupils=(ShownPupil(12), ShownPupil(13, blurred=True)),
        confirmations=(),
        findings=(),
        submitted_at=NOW,
        submitted_by=REPORTER,
        source_key="slack:view:V1",
    )


def messages() -> dict[str, Message]:
    """A representative message of each flow, by a snapshot name."""
    report = MisuseReport(
        ref="R-0042",
        reporter=REPORTER,
        site_id="willow",
        category=Category.PUPIL_MISUSE,
        description="A pupil posted a photo of a classmate with an *unkind* caption:\n"
        "- first line\n- second [line](https://x.example)",
        happened_on=date(2026, 11, 20),
        created_at=NOW,
        ack_due_at=datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
        platform="Instagram",
        subject_name="Amelia Hart",
        id=42,
    )
    post = PostRequest(
        ref="P-0007",
        requester=REPORTER,
        account_id="willow-x",
        site_id="willow",
        objective=Objective.EVENT,
        status=Status.PENDING,
        created_at=NOW,
        versions=[_version()],
        id=7,
    )
    lines = [post_messages.PupilLine("Amelia Hart", covered=True, blurred=False)]
    declaration = Declaration(
        ref="D-0005",
        declarer=REPORTER,
        site_id="willow",
        pupil_name="Amelia Hart",
        relationship=Relationship.FAMILY_FRIEND,
        platforms=("Facebook",),
        created_at=NOW,
        confirmed_on=TODAY,
        leads=("j.whitaker@willow.example",),
        mail=Mail.QUEUED,
        since=date(2024, 1, 1),
        id=5,
    )
    task = Task(
        key="takedown:P-0007:12",
        kind=TaskKind.TAKEDOWN,
        site_id="willow",
        assignees=[REPORTER],
        created_at=NOW,
        post_ref="P-0007",
        pupil_id=12,
        detail={"uses": ["images_school"], "changed_on": "2026-11-23", "account_id": "willow-x"},
        id=9,
    )
    grant = PosterGrant(
        ref="A-0003",
        account_id="willow-x",
        email=REPORTER,
        requested_by=REPORTER,
        reason="I run the school's sports news",
        status=GrantStatus.REQUESTED,
        created_at=NOW,
        id=3,
    )
    completion = Completion(
        email=REPORTER,
        completed_on=date(2026, 1, 10),
        source=TrainingSource.CHAT,
        recorded_by=REPORTER,
        recorded_at=NOW,
    )
    status = TrainingStatus(State.CURRENT, last=date(2026, 1, 10), valid_until=date(2027, 1, 10))
    account = DIRECTORY.account("willow-x")
    assert account is not None
    network = NetworkRequest(
        ref="NW-2026-0001",
        kind=NetworkKind.PLATFORM,
        requester=REPORTER,
        site_id="willow",
        reason="A media studies unit on how campaigns use images",
        status=NetworkStatus.REQUESTED,
        created_at=NOW,
        class_name="Year 6 Maple",
        platform="Instagram",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 12),
    )
    unblock = NetworkRequest(
        ref="UB-2026-0001",
        kind=NetworkKind.UNBLOCK,
        requester=REPORTER,
        site_id="willow",
        reason="A science lesson",
        status=NetworkStatus.REQUESTED,
        created_at=NOW,
        address="https://www.nasa.gov/learning",
    )
    return {
        "report_card": report_messages.report_card(report, DIRECTORY, LONDON),
        "post_request_card": post_messages.request_card(post, DIRECTORY, LONDON, lines),
        "declaration_lead_card": declaration_messages.lead_card(declaration, DIRECTORY, LONDON),
        "task_card": task_messages.task_card(task, amelia(), DIRECTORY, LONDON),
        "access_grant_card": access_messages.grant_card(grant, account, DIRECTORY, LONDON),
        "training_status": training_messages.status_message(status, completion),
        "network_head_card": network_messages.head_card(network, DIRECTORY, LONDON),
        "abuse_entry_card": abuse_messages.entry_card(
            AbuseEntry(
                ref="AL-2026-0001",
                logged_by=REPORTER,
                site_id="willow",
                platform="Facebook",
                link="https://facebook.example/post/1",
                account="Willow parents' page",
                author="@someone",
                seen_at=datetime(2026, 11, 23, 18, tzinfo=LONDON),
                kind=AbuseKind.ABUSE_OF_STAFF,
                logged_at=datetime(2026, 11, 23, 19, tzinfo=LONDON),
                screenshot_url="https://trust.sharepoint.example/abuse/1.png",
            ),
            DIRECTORY,
            LONDON,
            (
                Screenshot(
                    entry_ref="AL-2026-0001",
                    added_by=REPORTER,
                    added_at=datetime(2026, 11, 23, 19, tzinfo=LONDON),
                    upload=Upload("slack", "F1", "comment.png", "image/png", 20480),
                    state=ShotState.KEPT,
                    sha256="ab" * 32,
                    size=20480,
                    kept_at=datetime(2026, 11, 23, 19, 1, tzinfo=LONDON),
                ),
            ),
        ),
        "network_unblock_card": network_messages.it_card(unblock, DIRECTORY, LONDON),
        "help": help_for(DIRECTORY, REPORTER),
    }


SUMMER = datetime(2026, 7, 1, 14, 45, tzinfo=LONDON)  # British Summer Time, UTC+1


def answers(form: Form, *, empty: bool = False) -> dict[str, object]:
    """Answers to every field of `form` as handlers/slack/parse.view_values gives them."""
    values: dict[str, object] = {}
    for field in form.fields:
        options = [o.value for o in field.options]
        kind = field.kind
        if kind is FieldKind.FILE:  # files come with a Slack form, never on a Teams card
            values[field.name] = None
            continue
        if kind in (FieldKind.CHECKBOXES, FieldKind.SEARCH_MANY):
            chosen = options[:2] if kind is FieldKind.CHECKBOXES else ["12", "13"]
            values[field.name] = [] if empty else chosen
            continue
        filled: dict[FieldKind, object] = {
            FieldKind.TEXT: "Words, with a comma & <angle> *stars*"[: field.max_length],
            FieldKind.LONG_TEXT: "First line, and a comma\n- second line",
            FieldKind.SELECT: options[-1] if options else None,
            FieldKind.DATE: "2026-12-01",
            FieldKind.DATETIME: str(int(SUMMER.timestamp())),
            FieldKind.PERSON: "e.clarke@willow.example",
            FieldKind.SEARCH: "12",
        }
        values[field.name] = None if empty else filled[kind]
    return values


FORMS_BY_NAME = forms()
