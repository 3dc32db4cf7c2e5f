# The whole bot's front desk: every flow's commands, forms, buttons and searches, and help.
# A new flow comes to every channel with one line in FLOWS.
from __future__ import annotations

from collections.abc import Callable

from bot.abuse import front as abuse
from bot.access import front as access
from bot.consent import front as consent
from bot.declarations import front as declarations
from bot.front import Desk
from bot.help import desk as help_desk
from bot.network import front as network
from bot.oversight import front as oversight
from bot.policy import front as policy
from bot.posts import front as posts
from bot.reports import front as reports
from bot.tasks import front as tasks
from bot.training import front as training

FLOWS: tuple[Callable[[], Desk], ...] = (
    reports.desk,
    posts.desk,
    consent.desk,
    declarations.desk,
    tasks.desk,
    access.desk,
    training.desk,
    policy.desk,
    oversight.desk,
    abuse.desk,
    network.desk,
)


def desk() -> Desk:
    """Every flow's desk, then help (/policybot's default) and the commands still to come."""
    flows = sum((flow() for flow in FLOWS), Desk())
    return flows + help_desk(flows)
