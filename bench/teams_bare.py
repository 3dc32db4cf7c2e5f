# The baseline for bench/teams.py: a bare Agents SDK app on aiohttp that only replies.
"""Run as a subprocess:

    python bench/teams_bare.py --port 3200

Anonymous (no tokens), like the benchmark's policybot: a message gets a one-line text reply
through the connector named by the activity's serviceUrl, an `adaptiveCard/action` invoke gets
a one-line card as its invoke response. GET /healthz answers for readiness; it stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import re

from aiohttp import web
from microsoft_agents.activity import AdaptiveCardInvokeResponse
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ConnectionManager,
    MemoryStorage,
    TurnContext,
    TurnState,
)

CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Done."}],
}


def build() -> web.Application:
    config = AgentAuthConfiguration(client_id="bare", anonymous_allowed=True)
    manager = ConnectionManager(
        provider_factory=lambda _c: AnonymousTokenProvider(),
        connections_configurations={"SERVICE_CONNECTION": config},
    )
    adapter = CloudAdapter(connection_manager=manager)
    app = AgentApplication[TurnState](
        storage=MemoryStorage(),
        adapter=adapter,
        connection_manager=manager,
        start_typing_timer=False,  # as policybot
    )

    @app.activity("message")
    async def on_message(context: TurnContext, _state: TurnState) -> None:
        await context.send_activity("Hello.")

    @app.adaptive_card.action_execute(re.compile(".*"))
    async def on_action(_context: TurnContext, _state: TurnState, _data: object) -> object:
        return AdaptiveCardInvokeResponse(
            status_code=200, type="application/vnd.microsoft.card.adaptive", value=CARD
        )

    async def messages(request: web.Request) -> web.StreamResponse:
        request["claims_identity"] = None  # anonymous, as policybot's benchmark server is
        return await start_agent_process(request, app, adapter) or web.Response(status=202)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    web_app = web.Application()
    web_app.router.add_post("/api/messages", messages)
    web_app.router.add_get("/healthz", healthz)
    return web_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=3200)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    web.run_app(build(), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
