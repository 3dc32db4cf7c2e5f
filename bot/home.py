# A person's home page in any channel (Slack's App Home): what is waiting for them in every flow,
# and their own recent submissions.
from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.abuse.home import home_pages as abuse_pages
from bot.access.home import home_pages as access_pages
from bot.declarations.home import home_pages as declaration_pages
from bot.messages import Message
from bot.network.home import home_pages as network_pages
from bot.policy.home import home_pages as policy_pages
from bot.posts.home import home_pages as post_pages
from bot.reports import service as reports
from bot.reports.home import home_messages, split_safeguarding
from bot.reports.messages import report_card
from bot.services import Services
from bot.tasks.home import home_pages as task_pages
from bot.training.home import home_pages as training_pages

FlowPages = Callable[[Services, str], Awaitable[list[Message]]]
MORE: tuple[FlowPages, ...] = (
    post_pages,
    task_pages,
    access_pages,
    training_pages,
    policy_pages,
    abuse_pages,
    network_pages,
)


async def home_pages(services: Services, email: str) -> list[Message]:
    """Reports first (a Safeguarding Lead's safeguarding reports go in their safeguarding
    queue), then declarations, then every other flow's pages."""
    waiting, mine = await reports.for_home(services.uow(), services.report_deps(), email=email)
    waiting, safeguarding = split_safeguarding(waiting, email)
    directory, zone = services.directory, services.hours.zone
    pages = home_messages(directory, zone, waiting=waiting, mine=mine)
    pages += await declaration_pages(
        services,
        email,
        safeguarding_reports=[report_card(r, directory, zone) for r in safeguarding],
    )
    for more in MORE:
        pages += await more(services, email)
    return pages


def welcome_pages(refusal: str) -> list[Message]:
    """The home page of someone the directory does not know: whom to ask."""
    return [Message(notification="policybot", title="Welcome", body=refusal)]
