# Telling a person something privately, wherever they clicked.
from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.render import escape, notice_view


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
