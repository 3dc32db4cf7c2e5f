# The HTTP endpoint for Slack: signature first (401), then a well-formed body (400), then Bolt.
from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)


def slack_endpoint(app: AsyncApp, signing_secret: str) -> Any:
    """An aiohttp handler for POST /slack/events. Requests that are unsigned, wrongly signed
    or older than five minutes get 401; malformed ones 400; neither reaches a listener."""
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.text()
        if not verifier.is_valid_request(body, dict(request.headers)):
            log.info("slack request refused: bad or old signature")
            return web.json_response({"error": "invalid request signature"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=body, query=request.query_string, headers=dict(request.headers)
            )
        except Exception:  # Bolt's parser fails in several ways on a body that isn't Slack's
            log.info("slack request refused: body is not well-formed")
            return web.json_response({"error": "malformed request"}, status=400)
        if not isinstance(bolt_request.body, dict) or not bolt_request.body:
            log.info("slack request refused: no payload")
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    return slack_events
