# The baseline for bench/ack_latency.py: a bare Bolt AsyncApp on aiohttp whose listeners only ack.
"""Run as a subprocess:

    python bench/bare_app.py --port 3100 --secret S --api-url http://127.0.0.1:PORT/api/

Each option falls back to an environment variable (BARE_PORT, SLACK_SIGNING_SECRET,
SLACK_API_URL, SLACK_BOT_TOKEN). It serves POST /slack/events exactly as policybot used to
(through slack_bolt's aiohttp adapter) and GET /healthz for readiness; it stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import os

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

REPORT_COMMAND = "/report-misuse"
REPORT_FORM = "report_misuse"
POST_FORM = "post_request"  # the /request-post modal (bot/posts/form.py's REQUEST_FORM)


def build_bolt(secret: str, token: str, api_url: str) -> AsyncApp:
    """An AsyncApp configured like policybot's, with listeners that do nothing but ack."""
    client = AsyncWebClient(token=token, base_url=api_url)
    bolt = AsyncApp(signing_secret=secret, client=client, raise_error_for_unhandled_request=False)

    @bolt.command(REPORT_COMMAND)
    async def command(ack: AsyncAck) -> None:
        await ack()

    @bolt.view(REPORT_FORM)
    async def submission(ack: AsyncAck) -> None:
        await ack()

    @bolt.view(POST_FORM)
    async def post_submission(ack: AsyncAck) -> None:
        await ack()

    return bolt


def build_web_app(bolt: AsyncApp) -> web.Application:
    """The aiohttp application: POST /slack/events into Bolt, GET /healthz."""

    async def slack_events(request: web.Request) -> web.Response:
        response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application(client_max_size=256 * 1024)
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    return app


def main(argv: list[str] | None = None) -> None:
    env = os.environ
    parser = argparse.ArgumentParser(description="A bare Bolt app that only acks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(env.get("BARE_PORT", "3100")))
    parser.add_argument("--secret", default=env.get("SLACK_SIGNING_SECRET"))
    parser.add_argument("--token", default=env.get("SLACK_BOT_TOKEN", "xoxb-e2e"))
    parser.add_argument("--api-url", default=env.get("SLACK_API_URL"))
    args = parser.parse_args(argv)
    if not args.secret or not args.api_url:
        parser.error(
            "--secret and --api-url (or SLACK_SIGNING_SECRET and SLACK_API_URL) are needed"
        )
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    bolt = build_bolt(args.secret, args.token, args.api_url)
    web.run_app(build_web_app(bolt), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
