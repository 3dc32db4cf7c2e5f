# Slack callback and action ids: the domain's form ids and button ids, in one place.
from __future__ import annotations

from bot.reports.form import CLOSE_FORM, HANDOVER_FORM, NOTE_FORM, REPORT_FORM
from bot.reports.messages import ReportAction

REPORT_COMMAND = "/report-misuse"
HELP_COMMAND = "/policybot"

__all__ = [
    "CLOSE_FORM",
    "HANDOVER_FORM",
    "HELP_COMMAND",
    "NOTE_FORM",
    "REPORT_COMMAND",
    "REPORT_FORM",
    "ReportAction",
]

LATER_COMMANDS = {
    "/abuse-log": "logging abusive comments about a school or the Trust",
}
