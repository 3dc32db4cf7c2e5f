# Telling a person something privately, wherever they clicked, and the one error hook.
from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import PolicyError
from handlers.slack.render import escape, notice_view

log = logging.getLogger(__name__)


async def tell(client: AsyncWebClient, body: dict[str, Any], text: str) -> None:
    """An ephemeral reply where the person clicked (a DM card), or a small modal (App Home)."""
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get(
        "id"
    )
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    if channel and user:
        await client.chat_postEphemeral(channel=channel, user=user, text=escape(text))
    elif body.get("trigger_id"):
        await client.views_open(trigger_id=body["trigger_id"], view=notice_view("policybot", text))


def apology(error: BaseException, what: str) -> str:
    """Log an unexpected error with a reference, and the words to show the person."""
    if isinstance(error, PolicyError):
        return error.message
    reference = uuid.uuid4().hex[:8]
    log.error("%s failed (ref %s): %s", what, reference, type(error).__name__, exc_info=error)
    return f"Something went wrong (ref {reference}). Nothing was changed; please try again."
