# Tests of the fakes: FakeSlack against slack_sdk clients, SlackRequests signing and payloads.
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackRequests, build_state, buttons, find_button

TOKEN = "xoxb-test"
SECRET = "test-signing-secret"
BLOCKS = [
    {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "Hello"}},
    {
        "type": "actions",
        "block_id": "act",
        "elements": [
            {
                "type": "button",
                "action_id": "ack",
                "value": "p1",
                "text": {"type": "plain_text", "text": "I agree"},
            }
        ],
    },
]
MODAL = {
    "type": "modal",
    "callback_id": "report",
    "private_metadata": "meta",
    "title": {"type": "plain_text", "text": "Report"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "what",
            "label": {"type": "plain_text", "text": "What"},
            "element": {"type": "plain_text_input", "action_id": "what_in"},
        },
        {
            "type": "input",
            "block_id": "kind",
            "label": {"type": "plain_text", "text": "Kind"},
            "element": {
                "type": "static_select",
                "action_id": "kind_sel",
                "options": [
                    {"text": {"type": "plain_text", "text": "Photo"}, "value": "photo"},
                    {"text": {"type": "plain_text", "text": "Post"}, "value": "post"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "when",
            "optional": True,
            "label": {"type": "plain_text", "text": "When"},
            "element": {"type": "datepicker", "action_id": "when_in"},
        },
        {
            "type": "input",
            "block_id": "ticks",
            "optional": True,
            "label": {"type": "plain_text", "text": "Ticks"},
            "element": {
                "type": "checkboxes",
                "action_id": "ticks_in",
                "options": [
                    {"text": {"type": "plain_text", "text": "A"}, "value": "a"},
                    {"text": {"type": "plain_text", "text": "B"}, "value": "b"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "school",
            "label": {"type": "plain_text", "text": "School"},
            "element": {"type": "external_select", "action_id": "school_sel"},
        },
    ],
}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(TOKEN) as f:
        f.add_user("ann@school.org", "U1", "ann")
        yield f


@pytest.fixture(autouse=True)
def _reset(fake: FakeSlack) -> None:
    fake.clear()


def test_async_client_post_update_history(fake: FakeSlack) -> None:
    async def scenario() -> dict[str, Any]:
        client = AsyncWebClient(token=TOKEN, base_url=fake.api_url)
        dm = (await client.conversations_open(users="U1"))["channel"]["id"]
        meta = {"event_type": "policy_sent", "event_payload": {"policy": "p1"}}
        sent = await client.chat_postMessage(channel=dm, text="hi", blocks=BLOCKS, metadata=meta)
        await client.chat_update(channel=sent["channel"], ts=sent["ts"], text="edited", blocks=[])
        with pytest.raises(SlackApiError) as err:
            await client.chat_update(channel="U1", ts=sent["ts"], text="x")  # user id: not allowed
        assert err.value.response["error"] == "channel_not_found"
        with_meta = await client.conversations_history(channel=dm, include_all_metadata=True)
        plain = await client.conversations_history(channel=dm, limit=1)
        return {"dm": dm, "with": with_meta["messages"], "plain": plain["messages"]}

    got = asyncio.run(scenario())
    assert got["dm"] == "DU1"
    assert got["with"][0]["text"] == "edited"
    assert got["with"][0]["metadata"]["event_payload"] == {"policy": "p1"}
    assert "metadata" not in got["plain"][0]
    [msg] = fake.messages_to("U1")
    assert msg["text"] == "edited" and msg["edits"][0]["text"] == "hi"
    assert [c["method"] for c in fake.calls()][-3:] == [
        "chat.update",
        "conversations.history",
        "conversations.history",
    ]
    assert fake.failed_calls("chat.update")[0]["error"] == "channel_not_found"


def test_sync_client_users_auth_and_form_json_strings(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.api_url)
    assert client.auth_test()["user_id"] == "UBOT"
    assert client.users_lookupByEmail(email="ann@school.org")["user"]["id"] == "U1"
    assert client.users_info(user="U1")["user"]["profile"]["email"] == "ann@school.org"
    with pytest.raises(SlackApiError) as err:
        client.users_lookupByEmail(email="nobody@school.org")
    assert err.value.response["error"] == "users_not_found"
    # Form-encoded call with blocks as a JSON string (how some callers send them)
    client.api_call("chat.postMessage", data={"channel": "U1", "blocks": json.dumps(BLOCKS)})
    assert fake.calls("chat.postMessage")[0]["args"]["blocks"] == BLOCKS
    bad = WebClient(token="xoxb-wrong", base_url=fake.api_url)
    with pytest.raises(SlackApiError) as err:
        bad.auth_test()
    assert err.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as err:
        client.api_call("chat.scheduleMessage", json={"channel": "U1"})
    assert err.value.response["error"] == "unknown_method"


def test_rate_limit_and_server_error_then_recovery(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    fake.fail_next("chat.postMessage", status=500)

    async def scenario() -> tuple[SlackApiError, SlackApiError, str]:
        client = AsyncWebClient(token=TOKEN, base_url=fake.api_url)
        errors = []
        for _ in range(2):
            try:
                await client.chat_postMessage(channel="U1", text="hello")
            except SlackApiError as e:
                errors.append(e)
        ok = await client.chat_postMessage(channel="U1", text="hello")
        return errors[0], errors[1], ok["ts"]

    limited, broken, ts = asyncio.run(scenario())
    assert limited.response.status_code == 429
    assert limited.response.headers["Retry-After"] == "7"
    assert limited.response["error"] == "ratelimited"
    assert broken.response.status_code == 500
    assert [c["args"]["text"] for c in fake.calls("chat.postMessage")] == ["hello"]
    assert [f["status"] for f in fake.failed_calls("chat.postMessage")] == [429, 500]
    fake.fail_next("auth.test", status=429, retry_after=3)
    with pytest.raises(SlackApiError) as err:
        WebClient(token=TOKEN, base_url=fake.api_url).auth_test()
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "3"
    assert fake.messages_to("U1")[-1]["ts"] == ts


def test_down_and_delay(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.api_url)
    fake.set_down(True)
    try:
        assert client.auth_test()["ok"]
        with pytest.raises(SlackApiError) as err:
            client.users_info(user="U1")
        assert err.value.response.status_code == 503
    finally:
        fake.set_down(False)
    fake.set_delay("users.info", 0.2)
    start = time.monotonic()
    client.users_info(user="U1")
    assert time.monotonic() - start >= 0.2
    fake.set_delay("users.info", 0)


def test_views_open_update_publish(fake: FakeSlack) -> None:
    async def scenario() -> None:
        client = AsyncWebClient(token=TOKEN, base_url=fake.api_url)
        opened = (await client.views_open(trigger_id="t1", view=MODAL))["view"]
        with pytest.raises(SlackApiError) as err:
            await client.views_open(trigger_id="t1", view=MODAL)
        assert err.value.response["error"] == "exchanged_trigger_id"
        new = {**MODAL, "private_metadata": "v2"}
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=new)
        with pytest.raises(SlackApiError) as err:
            await client.views_update(view_id=opened["id"], hash=opened["hash"], view=new)
        assert err.value.response["error"] == "hash_conflict"
        with pytest.raises(SlackApiError) as err:
            await client.views_update(view_id="VNOPE", view=new)
        assert err.value.response["error"] == "not_found"
        home = {"type": "home", "blocks": BLOCKS}
        await client.views_publish(user_id="U1", view=home)

    asyncio.run(scenario())
    view = fake.last_view_opened()
    assert view is not None and view["id"].startswith("V") and view["private_metadata"] == "v2"
    assert view["callback_id"] == "report"
    home = fake.home_view("U1")
    assert home is not None and find_button(home, "I agree")["value"] == "p1"


def test_response_url_and_dump(fake: FakeSlack, tmp_path: Path) -> None:
    client = WebClient(token=TOKEN, base_url=fake.api_url)
    sent = client.chat_postMessage(channel="U1", text="hi", blocks=BLOCKS)
    url = fake.response_url("r1", channel=sent["channel"], ts=sent["ts"])
    body = {"replace_original": True, "text": "Thanks", "blocks": BLOCKS[:1]}
    assert httpx.post(url, json=body).status_code == 200
    assert fake.responses("r1") == [body]
    assert fake.messages_to("U1")[-1]["text"] == "Thanks"
    lines = fake.dump(tmp_path / "calls.jsonl").read_text().splitlines()
    assert [json.loads(line)["method"] for line in lines] == ["chat.postMessage", "response_url"]
    assert json.loads(lines[1])["args"] == body


def test_wait_for_reports_calls(fake: FakeSlack) -> None:
    WebClient(token=TOKEN, base_url=fake.api_url).auth_test()
    assert fake.wait_for(lambda f: f.calls("auth.test"), timeout=1)
    with pytest.raises(AssertionError, match=r"auth\.test"):
        fake.wait_for(lambda f: f.calls("views.open"), timeout=0.05)


def test_signed_requests_verify(fake: FakeSlack) -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200))
    slack = SlackRequests("http://bot.test", SECRET, fake=fake)
    slack.http = httpx.Client(transport=transport)
    verifier = SignatureVerifier(SECRET)
    slack.command("U1", "/policy", "help")
    slack.command("U1", "/policy", timestamp=int(time.time()) - 600)
    slack.command("U1", "/policy", secret="wrong")
    slack.command("U1", "/policy", unsigned=True)
    slack.url_verification("abc")
    results = [verifier.is_valid_request(r.content, dict(r.headers)) for r in seen]
    assert results == [True, False, False, False, True]
    assert seen[0].url == "http://bot.test/slack/events"
    form = httpx.QueryParams(seen[0].content.decode())
    assert form["command"] == "/policy" and form["user_name"] == "ann"
    assert form["response_url"].startswith(fake.base_url + "/response/")


def test_view_submission_and_block_action_payloads() -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200))
    slack = SlackRequests("http://bot.test", SECRET)
    slack.http = httpx.Client(transport=transport)
    view = {**MODAL, "id": "V1", "hash": "1.x"}
    values = {"what": "A photo", "kind_sel": "post", "ticks": ["b"], "school": ("s9", "Oak")}
    slack.view_submission("U1", view, values)
    payload = json.loads(httpx.QueryParams(seen[0].content.decode())["payload"])
    state = payload["view"]["state"]["values"]
    assert payload["type"] == "view_submission" and payload["view"]["id"] == "V1"
    assert state["what"]["what_in"] == {"type": "plain_text_input", "value": "A photo"}
    assert state["kind"]["kind_sel"]["selected_option"]["text"]["text"] == "Post"
    assert state["when"]["when_in"] == {"type": "datepicker", "selected_date": None}
    assert state["ticks"]["ticks_in"]["selected_options"][0]["value"] == "b"
    assert state["school"]["school_sel"]["selected_option"]["text"]["text"] == "Oak"
    with pytest.raises(ValueError, match="required"):
        build_state(view, {"what": "x", "kind": "post"})
    with pytest.raises(ValueError, match="not an option"):
        build_state(view, {"what": "x", "kind": "nope", "school": "s"})
    message = {"ts": "1700000000.000200", "text": "hi", "blocks": BLOCKS}
    assert buttons(message)[0]["block_id"] == "act"
    slack.block_action("U1", "ack", channel_id="DU1", message_ts=message["ts"], message=message)
    action = json.loads(httpx.QueryParams(seen[1].content.decode())["payload"])
    assert action["actions"][0]["value"] == "p1" and action["actions"][0]["block_id"] == "act"
    assert action["container"] == {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": "DU1",
        "is_ephemeral": False,
    }
