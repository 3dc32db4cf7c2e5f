# Help for a person, tailored to the roles they hold: /policybot's answer, and a kind word for
# the commands of later releases.
from __future__ import annotations

from bot.directory import Directory
from bot.front import Asked, Command, Desk, Notice, Pages
from bot.messages import Message, Section
from bot.services import Services

HELP_COMMAND = "/policybot"
# Slack command: (Teams phrase, what it will do); none at present (the abuse log came last).
LATER_COMMANDS: dict[str, tuple[str, str]] = {}

COMMANDS = (
    (
        "/report-misuse",
        "Report misuse of social media by staff, pupils or parents, or "
        "something you saw online. It goes straight to the right person.",
    ),
    (
        "/request-post",
        "Ask for a post on your school's or the Trust's account. I check the text and the "
        "pupils' photo consent, then the Head of Communications and your Headteacher sign off.",
    ),
    (
        "/declare-relationship",
        "Tell your Safeguarding Lead that you are connected on your personal social media with "
        "a pupil who is your own child, a relative or a close family friend (policy section 4). "
        "`/declare-relationship list` shows your declarations.",
    ),
    (
        "/training",
        "Your social media training: whether it is in date, and a form to record a completion "
        "(`/training record`). The policy asks every member of staff to take it and refresh it; "
        "I remind you once a week in term time when it is due.",
    ),
    (
        "/abuse-log",
        "Log an abusive or inappropriate comment about a school or the Trust (the platform, "
        "the link, the author, a screenshot). The Head of Communications keeps the log; "
        "`/abuse-log list` shows the entries you may see; `/abuse-log screenshot AL-…` adds a "
        "screenshot to one later (on Teams, send the file to me in chat).",
    ),
    (
        "/policybot",
        "This help. `/policybot access` asks to post on an account, `/policybot new-account` "
        "proposes a new one, `/policybot accounts` shows who may post where. "
        "`/policybot network` asks for your class to use a social media platform on the school "
        "network, and `/policybot unblock` asks the IT provider to unblock a site blocked in "
        "error. When the policy changes you get a summary and a link: please read it and press "
        "Acknowledge.",
    ),
)
ROLE_HELP = {
    "headteacher": "Misuse reports from your school's staff come to you. Acknowledge them "
    "within the working hours shown, add notes, close them with an outcome, or hand one over "
    "to a colleague who holds the same role while you are away. You sign off your school's "
    "posts and posting access; delegate from App Home while you are away. Once a week you hear "
    "who at your school has not recorded their social media training after three reminders. "
    "`/policybot acks` shows who at your school has acknowledged the latest policy change. "
    "Every Monday you get a summary of your school in numbers; `/policybot summary` shows it "
    "now. Requests for pupils to use a social media platform on the school network come to "
    "you: approve, and the IT provider applies the security measures, or decline with a reason.",
    "elt": "Misuse reports from Support Hub staff come to you, and reports from a school go "
    "to you when its Headteacher is involved or has not acknowledged in time. One of you signs "
    "off each post on a Trust account. Once a week you hear who at the Support Hub has not "
    "recorded their social media training after three reminders. You ratify the yearly "
    "review of the policy (or return it with a reason) from the card the Head of "
    "Communications sends; the first decision counts. `/policybot acks` shows who at each "
    "site has acknowledged the latest policy change. Every Monday you get a Trust-wide summary "
    "in numbers; `/policybot summary` shows it now.",
    "safeguarding_lead": "Reports marked as a safeguarding concern come to you as well, and "
    "only you and the lead recipient can see them. Staff's relationship declarations about "
    "your school's pupils come to you in chat and by e-mail: acknowledge them or ask a question. "
    "App Home shows your safeguarding queue; `/declare-relationship list` shows the register.",
    "head_of_comms": "Reports of abusive comments about a school or the Trust come to you too, "
    "and you keep the abuse log: each entry's card has buttons to mark it reported to the "
    "platform, escalated to the helpline or the police, or closed. "
    "You sign off every post and every posting access, consult on new accounts, and may post "
    "on every account. /consent looks up and amends a pupil's photo consent. "
    "`/training progress` shows who is trained at each site, `/training campaign` starts a "
    "refresher after an incident or a change (section 11), and `/training record` confirms a "
    "colleague's training. You review the policy every year: reminders come 60, 30 and 7 days "
    "before the review date, and `/policybot review` sends your review to ELT to ratify. "
    "`/policybot announce` tells all staff of a change and `/policybot acks` shows who has "
    "acknowledged it. Every Monday you get a Trust-wide summary in numbers; "
    "`/policybot summary` shows it now.",
    "it_provider": "When inappropriate content is reached on a school computer, you get the "
    "link to block (and nothing else of the report). When a Headteacher approves pupils' use of "
    "a platform on the school network, you get a card: apply the security measures and press "
    "Done. Requests to unblock a site blocked in error come to you: press Unblocked, or "
    "Decline with a reason. App Home lists what is waiting.",
    "board": "Reports come to you only when everyone at ELT is involved or late.",
    "office": "You keep your school's photo consent register: /consent looks a pupil up and "
    "records a withdrawal or amendment; `policybot consent import` loads the MIS export. Tasks "
    "(a pupil turning 18, a post to take down) appear in your App Home.",
}
ROLE_NAMES = {
    "headteacher": "Headteacher",
    "elt": "Executive Leadership Team",
    "safeguarding_lead": "Safeguarding Lead",
    "head_of_comms": "Head of Communications",
    "it_provider": "IT provider",
    "board": "Trust Board",
    "office": "School office",
    "staff": "Staff",
}


def help_for(directory: Directory, email: str | None, *, note: str | None = None) -> Message:
    """What the bot can do for this person, with a paragraph for each role they hold; `note`
    comes first (for someone the directory does not know: whom to ask)."""
    roles = directory.roles_of(email) if email else []
    sections = [Section(command, text) for command, text in COMMANDS]
    seen: set[str] = set()
    for role in roles:
        if role.name in ROLE_HELP and role.name not in seen:
            seen.add(role.name)
            sections.append(Section(f"As {ROLE_NAMES[role.name]}", ROLE_HELP[role.name]))
    held = sorted({ROLE_NAMES.get(r.name, r.name) for r in roles})
    intro = f"The {directory.trust.name} social media policy, made easy to follow. " + (
        f"Your roles: {', '.join(held)}." if held else ""
    )
    return Message(
        notification="policybot help",
        title="How policybot helps",
        body=f"{note}\n\n{intro}" if note else intro,
        sections=tuple(sections),
        footer="Your App Home (the policybot tab) shows what is waiting for you.",
    )


def not_in_directory(directory: Directory, email: str | None) -> str:
    """The kind answer to someone the directory doesn't know, naming whom to ask."""
    helpers = ", ".join(directory.holders("it_provider")) or "the Trust's IT team"
    account = f" ({email})" if email else ""
    return (
        f"Sorry, I can't find your account{account} in the {directory.trust.name} staff "
        f"directory, so I can't take this from you yet. Please ask the Trust's IT team "
        f"({helpers}) to add you. If a child is at risk, speak to your Safeguarding Lead now."
    )


def desk(served: Desk) -> Desk:
    """Help as /policybot's default, and the commands of later releases that no flow in
    `served` offers yet."""
    later = tuple(
        _later(slack, teams, what)
        for slack, (teams, what) in LATER_COMMANDS.items()
        if slack not in served.slash_commands()
    )
    helps = Command(HELP_COMMAND, "help", "help", show_help, quick=True, stranger=help_for_stranger)
    return Desk(commands=(helps, *later))


async def show_help(services: Services, asked: Asked, _text: str) -> Pages:
    return Pages([help_for(services.directory, asked.email)])


def help_for_stranger(services: Services, refusal: str) -> Pages:
    return Pages([help_for(services.directory, None, note=refusal)])


def _later(slack: str, teams: str, what: str) -> Command:
    """A command of a later release: the same kind word for everyone."""
    notice = Notice(
        "Coming later",
        f"{slack} ({what}) is coming in a later release of policybot. Until then, please follow "
        "the policy as usual; /policybot shows what I can do now.",
    )

    async def not_yet(_services: Services, _asked: Asked, _text: str) -> Notice:
        return notice

    return Command(slack, teams, what, not_yet, quick=True, stranger=lambda _s, _r: notice)
