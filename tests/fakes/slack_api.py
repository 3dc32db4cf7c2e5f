# FakeSlack: an aiohttp server imitating the Slack Web API (and response URLs) for end-to-end tests.
from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from tests.fakes.loopback import LoopbackServer

JSON_FIELDS = ("blocks", "attachments", "view", "metadata")
FAULT_ERRORS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}
BOT_USER_ID, BOT_ID, APP_ID = "UBOT", "BBOT", "A0001"
MANIFEST = Path(__file__).parents[2] / "app_manifest.yml"
APP_TOKEN = "xapp-test"  # the app-level token apps.connections.open accepts (Socket Mode)


@dataclass(frozen=True)
class RateLimit:
    """At most `calls` accepted in any `seconds` (a sliding window: Slack counts per minute)."""

    calls: int
    seconds: float = 60.0


# Slack's published limits for the methods policybot calls (per method, app and workspace).
# chat.postMessage's workspace-wide ceiling is unpublished ("several hundred messages per
# minute"): 300 a minute is our choice. Its per-conversation limit is PER_CONVERSATION.
TIER_3, TIER_4 = RateLimit(50), RateLimit(100)
SLACK_LIMITS: Mapping[str, RateLimit] = {
    "users.lookupByEmail": TIER_3,
    "users.info": TIER_4,
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,
    "chat.update": TIER_3,
    "chat.postMessage": RateLimit(300),
}
PER_CONVERSATION = RateLimit(3, 3.0)  # "1 per second ... short bursts >1 allowed"


class SlackError(Exception):
    """Raised by a method handler to answer `{"ok": false, "error": code}`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class _Fault:
    status: int
    times: int
    retry_after: int | None
    body: dict[str, Any] | str | None


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _decode_json_fields(args: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


def manifest_scopes() -> list[str]:
    """The bot scopes app_manifest.yml asks for: what an app installed from it holds."""
    manifest = yaml.safe_load(MANIFEST.read_text())
    return list(manifest["oauth_config"]["scopes"]["bot"])


class FakeSlack(LoopbackServer):
    """A Slack Web API imitation on 127.0.0.1, served from a background thread's event loop."""

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        *,
        team_id: str = "T0001",
        rate_limits: Mapping[str, RateLimit] | None = None,
    ) -> None:
        self.bot_token, self.team_id, self.team = bot_token, team_id, "Test Trust"
        self.scopes = manifest_scopes()  # what the installed app holds: X-OAuth-Scopes
        super().__init__()
        self._lock = threading.RLock()
        self._calls: list[dict[str, Any]] = []
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_acks: list[dict[str, Any]] = []
        self._failed: list[dict[str, Any]] = []
        self._users: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}  # channel -> messages, oldest first
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._opened: list[str] = []
        self._home: dict[str, str] = {}
        self._triggers: set[str] = set()
        self._response_urls: dict[str, tuple[str, str] | None] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._down = False
        self._down_auth = False
        self._seq = 0
        self._by_email: dict[str, str] = {}  # lower-case e-mail -> user id
        self._clock: Callable[[], float] = time.monotonic
        self._limits: dict[str, RateLimit] | None = None
        self._per_conversation: RateLimit | None = None
        self._windows: dict[tuple[str, str], deque[float]] = {}
        self._refusals: list[dict[str, Any]] = []
        self._files: dict[str, dict[str, Any]] = {}  # file id -> file object (and its bytes)
        self.downloads: list[dict[str, Any]] = []  # each GET of a file: id and Authorization
        if rate_limits is not None:
            self.set_rate_limits(rate_limits)

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> FakeSlack:
        """Start the server on a free port; returns self."""
        self.serve(self._app())
        return self

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{name}", self._handle_response_url)
        app.router.add_get("/socket", self._handle_socket)
        app.router.add_get("/files-pri/{team_file}/download/{name}", self._handle_download)
        return app

    def stop(self) -> None:
        """Stop the server and its thread (idempotent)."""
        self.stop_serving()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL for slack_sdk clients (`base_url=`); ends in `/api/`."""
        return f"{self.base_url}/api/"

    # ---------------------------------------------------------------- setup and fault injection
    def add_user(self, email: str, user_id: str, name: str, *, tz: str = "Europe/London") -> None:
        """Register a workspace member (for users.info / users.lookupByEmail)."""
        with self._lock:
            user = {"id": user_id, "team_id": self.team_id, "name": name, "real_name": name}
            profile = {"email": email, "real_name": name, "display_name": name}
            user.update(deleted=False, is_bot=False, tz=tz, tz_label=tz, profile=profile)
            self._users[user_id] = user
            self._by_email.setdefault(email.lower(), user_id)  # the first, as a scan finds

    def fail_next(
        self,
        method: str,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        body: dict[str, Any] | str | None = None,
    ) -> None:
        """Answer the next `times` calls to `method` (or "response_url") with HTTP `status`."""
        with self._lock:
            self._faults.setdefault(method, []).append(_Fault(status, times, retry_after, body))

    def clear_faults(self) -> None:
        """Forget every queued fault (Slack has recovered)."""
        with self._lock:
            self._faults.clear()

    def set_down(self, down: bool = True, *, include_auth_test: bool = False) -> None:
        """Make every method and response URL answer 503 (auth.test only if asked)."""
        with self._lock:
            self._down, self._down_auth = down, include_auth_test

    def set_delay(self, method: str, seconds: float) -> None:
        """Delay answers to `method` by `seconds` (0 removes the delay)."""
        with self._lock:
            self._delays[method] = seconds

    def set_rate_limits(
        self,
        limits: Mapping[str, RateLimit] | None = SLACK_LIMITS,
        *,
        per_conversation: RateLimit | None = PER_CONVERSATION,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Enforce rate limits (None turns them off): each method of `limits` for the whole
        workspace, and chat.postMessage `per_conversation` too. A call over a limit is answered
        HTTP 429, `{"ok": false, "error": "ratelimited"}` with Retry-After in whole seconds
        (until the window has room), is not performed and is kept in `refusals()`. Refused
        calls do not count. `clock` (seconds, time.monotonic by default) may run faster than
        the wall, for benchmarks; every call's `at` is read from it."""
        with self._lock:
            self._limits = dict(limits) if limits is not None else None
            self._per_conversation = per_conversation if limits is not None else None
            self._clock = clock or time.monotonic
            self._windows.clear()

    def response_url(self, name: str, *, channel: str | None = None, ts: str | None = None) -> str:
        """A response URL on the fake; bound to a message, replace/delete_original apply to it."""
        with self._lock:
            self._response_urls[name] = (channel, ts) if channel and ts else None
        return f"{self.base_url}/response/{name}"

    # ---------------------------------------------------------------- queries (all return copies)
    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Successful calls `{"method", "args", "at"}` in order, optionally only those to
        `method` (`at`: when it arrived, by the fake's clock)."""
        with self._lock:
            return copy.deepcopy([c for c in self._calls if method in (None, c["method"])])

    def failed_calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Calls that got an HTTP error or `ok: false`: `{"method","args","status","error"}`."""
        with self._lock:
            return copy.deepcopy([c for c in self._failed if method in (None, c["method"])])

    def refusals(self, method: str | None = None) -> list[dict[str, Any]]:
        """Calls refused by the rate limits: `{"method", "args", "at", "retry_after", "limit"}`
        (`limit`: "method" or "conversation")."""
        with self._lock:
            return copy.deepcopy([r for r in self._refusals if method in (None, r["method"])])

    def posts_per_item(self) -> Counter[Any]:
        """How many chat.postMessage calls Slack accepted per outbox item (the item id the
        sender puts in the message metadata, `event_payload.item`)."""
        with self._lock:
            items = [
                ((c["args"].get("metadata") or {}).get("event_payload") or {}).get("item")
                for c in self._calls
                if c["method"] == "chat.postMessage"
            ]
        return Counter(items)

    def clear(self) -> None:
        """Forget recorded calls (successful and failed); messages, views and users stay."""
        with self._lock:
            self._calls.clear()
            self._failed.clear()
            self._refusals.clear()

    def dump(self, path: str | Path, *, include_failed: bool = False) -> Path:
        """Write calls as JSON lines `{"method", "args"}` (input for validate_blockkit)."""
        with self._lock:
            records = self._calls + (self._failed if include_failed else [])
            lines = [json.dumps({"method": c["method"], "args": c["args"]}) for c in records]
        path = Path(path)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return path

    def user(self, user_id: str) -> dict[str, Any] | None:
        """The users.info record of a registered user, or None."""
        with self._lock:
            return copy.deepcopy(self._users.get(user_id))

    def dm_channel(self, user_id: str) -> str:
        """The DM channel id conversations.open gives for `user_id`."""
        return "D" + user_id

    def messages_to(self, user_id: str) -> list[dict[str, Any]]:
        """Messages in the user's DM, oldest first, in their current state (with `edits`)."""
        return self.messages_in(self.dm_channel(user_id))

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """Undeleted messages of a channel, oldest first."""
        with self._lock:
            return copy.deepcopy([m for m in self._messages.get(channel, []) if not m["deleted"]])

    def ephemerals_to(self, user_id: str) -> list[dict[str, Any]]:
        """Ephemeral messages (chat.postEphemeral) shown to `user_id`, oldest first."""
        with self._lock:
            return copy.deepcopy([e for e in self._ephemerals if e["user"] == user_id])

    def responses(self, name: str | None = None) -> list[dict[str, Any]]:
        """Bodies POSTed to response URLs (all, or those of `name`)."""
        with self._lock:
            found = [c for c in self._calls if c["method"] == "response_url"]
            return copy.deepcopy([c["args"] for c in found if name in (None, c["name"])])

    def view(self, view_id: str) -> dict[str, Any] | None:
        """Current state of a view (modal or home) by id."""
        with self._lock:
            return copy.deepcopy(self._views.get(view_id))

    def last_view_opened(self) -> dict[str, Any] | None:
        """Current state of the last view opened with views.open or views.push."""
        with self._lock:
            return self.view(self._opened[-1]) if self._opened else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The latest Home tab view published for `user_id`."""
        with self._lock:
            view_id = self._home.get(user_id)
            return self.view(view_id) if view_id else None

    def wait_for(self, predicate: Callable[[FakeSlack], Any], timeout: float = 10) -> Any:
        """Poll until `predicate(self)` is truthy; return its value (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"wait_for timed out after {timeout}s\n{self.describe()}")
            time.sleep(0.02)

    def describe(self, limit: int = 40) -> str:
        """A readable summary of the calls seen so far (for assertion messages)."""
        with self._lock:
            ok = [f"  {c['method']} {json.dumps(c['args'])[:200]}" for c in self._calls[-limit:]]
            bad = [f"  {c['method']} -> {c['status']} {c['error']}" for c in self._failed[-limit:]]
        return "\n".join(
            [f"calls ({len(ok)} shown):", *ok, f"failed calls ({len(bad)} shown):", *bad]
        )

    # ---------------------------------------------------------------- HTTP plumbing
    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                args.update(body if isinstance(body, dict) else {})
            else:
                args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        return _decode_json_fields(args)

    def _record_failure(self, method: str, args: dict[str, Any], status: int, error: str) -> None:
        self._failed.append({"method": method, "args": args, "status": status, "error": error})

    def _rate_limited(self, method: str, args: dict[str, Any]) -> web.Response | None:
        """A 429 when this call is over a limit; otherwise count it and return None."""
        if self._limits is None:
            return None
        windows: list[tuple[str, deque[float], RateLimit]] = []
        if method in self._limits:
            windows.append(("method", self._window(method, ""), self._limits[method]))
        if method == "chat.postMessage" and self._per_conversation and args.get("channel"):
            conversation = self._channel_for(str(args["channel"]))
            windows.append(
                ("conversation", self._window(method, conversation), self._per_conversation)
            )
        now, wait, over = self._clock(), 0.0, ""
        for name, window, limit in windows:
            while window and window[0] <= now - limit.seconds:
                window.popleft()
            if len(window) >= limit.calls and window[0] + limit.seconds - now > wait:
                wait, over = window[0] + limit.seconds - now, name
        if not over:
            for _, window, _ in windows:
                window.append(now)
            return None
        retry_after = max(1, math.ceil(wait))
        self._refusals.append(
            {"method": method, "args": args, "at": now, "retry_after": retry_after, "limit": over}
        )
        self._record_failure(method, args, 429, "ratelimited")
        headers = {"Retry-After": str(retry_after)}
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)

    def _window(self, method: str, key: str) -> deque[float]:
        return self._windows.setdefault((method, key), deque())

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if queue:
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault
        if self._down and (method != "auth.test" or self._down_auth):
            return _Fault(503, 1, None, None)
        return None

    def _fault_response(self, method: str, args: dict[str, Any], fault: _Fault) -> web.Response:
        error = FAULT_ERRORS.get(fault.status, "fatal_error")
        self._record_failure(method, args, fault.status, error)
        retry_after = 1 if fault.retry_after is None else fault.retry_after
        headers = {"Retry-After": str(retry_after)} if fault.status == 429 else {}
        if isinstance(fault.body, str):  # e.g. an HTML error page
            headers["Content-Type"] = "text/html"
            return web.Response(status=fault.status, text=fault.body, headers=headers)
        body = fault.body if fault.body is not None else {"ok": False, "error": error}
        return web.json_response(body, status=fault.status, headers=headers)

    def add_file(
        self,
        file_id: str,
        name: str,
        content: bytes,
        *,
        mimetype: str = "image/png",
        user: str = "",
    ) -> dict[str, Any]:
        """Upload a file as a person would in a form's file input; returns the file object a
        view_submission carries (`url_private_download` served here, for the bot token only)."""
        url = f"{self.base_url}/files-pri/{self.team_id}-{file_id}/download/{name}"
        file = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "filetype": name.rsplit(".", 1)[-1],
            "size": len(content),
            "user": user,
            "url_private": url,
            "url_private_download": url,
            "permalink": f"https://test-trust.slack.com/files/{user}/{file_id}/{name}",
        }
        with self._lock:
            self._files[file_id] = {**file, "_content": content}
        return file

    def delete_file(self, file_id: str) -> None:
        with self._lock:
            self._files.pop(file_id, None)

    async def _handle_download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["team_file"].removeprefix(f"{self.team_id}-")
        auth = request.headers.get("Authorization", "")
        with self._lock:
            self.downloads.append({"id": file_id, "authorization": auth})
            fault = self._take_fault("files.download")
            if fault:
                return self._fault_response("files.download", {"file": file_id}, fault)
            file = self._files.get(file_id)
        if auth != f"Bearer {self.bot_token}":  # as Slack: a sign-in page, not the file
            return web.Response(text="<html>Sign in</html>", content_type="text/html")
        if file is None:
            return web.Response(status=404)
        return web.Response(body=file["_content"], content_type=file["mimetype"])

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._read_args(request)
        token = args.pop("token", None)
        auth = request.headers.get("Authorization", "")
        if token is None and auth.startswith("Bearer "):
            token = auth[len("Bearer ") :]
        delay = self._delays.get(method)
        if delay:
            await asyncio.sleep(delay)
        with self._lock:
            fault = self._take_fault(method)
            if fault:
                return self._fault_response(method, args, fault)
            refused = self._rate_limited(method, args)
            if refused:
                return refused
            handler = getattr(self, "_api_" + method.replace(".", "_"), None)
            try:
                if token != self.bot_token and not (
                    method == "apps.connections.open" and token == APP_TOKEN
                ):
                    raise SlackError("invalid_auth" if token else "not_authed")
                if handler is None:
                    raise SlackError("unknown_method")
                result = {"ok": True, **handler(copy.deepcopy(args))}
                self._calls.append({"method": method, "args": args, "at": self._clock()})
            except SlackError as e:
                result = {"ok": False, "error": e.code}
                self._record_failure(method, args, 200, e.code)
            except Exception as e:  # a bug in the fake or a malformed argument: make it visible
                self._record_failure(method, args, 500, f"fake_error: {e!r}")
                return web.json_response({"ok": False, "error": "fatal_error"}, status=500)
        return web.json_response(result, headers={"X-OAuth-Scopes": ",".join(self.scopes)})

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        body = await request.json()
        delay = self._delays.get("response_url")
        if delay:
            await asyncio.sleep(delay)
        with self._lock:
            fault = self._take_fault("response_url")
            if fault:
                return self._fault_response("response_url", body, fault)
            target = self._response_urls.get(name)
            try:
                if target and body.get("delete_original"):
                    self._find_message(*target)["deleted"] = True
                elif target and body.get("replace_original"):
                    self._edit_message(self._find_message(*target), body)
            except SlackError as e:
                self._record_failure("response_url", body, 404, e.code)
                return web.Response(status=404, text=e.code)
            self._calls.append(
                {"method": "response_url", "args": body, "name": name, "at": self._clock()}
            )
        return web.Response(text="ok")

    # ---------------------------------------------------------------- state helpers
    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def _new_ts(self) -> str:
        n = 1700000000_000100 + 100 * self._next()
        return f"{n // 1_000_000}.{n % 1_000_000:06d}"

    def _channel_for(self, channel: str) -> str:
        return self.dm_channel(channel) if channel[:1] in ("U", "W") else channel

    def _find_message(self, channel: str, ts: str) -> dict[str, Any]:
        if not channel or channel[:1] in ("U", "W"):  # Slack wants the DM id here, not a user id
            raise SlackError("channel_not_found")
        for msg in self._messages.get(channel, []):
            if msg["ts"] == ts and not msg["deleted"]:
                return msg
        raise SlackError("message_not_found")

    @staticmethod
    def _edit_message(msg: dict[str, Any], args: dict[str, Any]) -> None:
        msg["edits"].append({k: copy.deepcopy(msg.get(k)) for k in ("text", "blocks", "metadata")})
        for key in ("text", "blocks", "metadata", "attachments"):
            if key in args:
                msg[key] = args[key]

    def _store_view(self, view: Any, *, view_id: str | None = None, **extra: Any) -> dict[str, Any]:
        if not isinstance(view, dict) or "type" not in view:
            raise SlackError("invalid_arguments")
        old = self._views.get(view_id or "", {})
        view_id = view_id or f"V{self._next():010d}"
        blocks = copy.deepcopy(view.get("blocks", []))
        for i, block in enumerate(blocks):  # Slack fills in ids the app left out
            block.setdefault("block_id", f"auto-b{i}")
            if isinstance(block.get("element"), dict):
                block["element"].setdefault("action_id", f"auto-a{i}")
        stored = {"id": view_id, "team_id": self.team_id, "app_id": APP_ID, "bot_id": BOT_ID}
        stored |= {"private_metadata": "", "callback_id": "", "external_id": ""}
        stored |= {"clear_on_close": False, "notify_on_close": False, "state": {"values": {}}}
        stored |= {"root_view_id": old.get("root_view_id", view_id)}
        stored |= {"previous_view_id": old.get("previous_view_id"), **copy.deepcopy(view)}
        stored |= {"blocks": blocks, "hash": f"{1700000000 + self._next()}.fake", **extra}
        self._views[view_id] = stored
        return copy.deepcopy(stored)

    def _use_trigger(self, args: dict[str, Any]) -> None:
        trigger = args.get("trigger_id")
        if not trigger:
            raise SlackError("invalid_trigger_id")
        if trigger in self._triggers:
            raise SlackError("exchanged_trigger_id")
        self._triggers.add(trigger)

    # ---------------------------------------------------------------- Web API methods
    def _api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        ids = {"team_id": self.team_id, "user_id": BOT_USER_ID, "bot_id": BOT_ID}
        return {
            "url": "https://test-trust.slack.com/",
            "team": self.team,
            "user": "policybot",
            **ids,
        }

    def _api_files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        file = self._files.get(str(args.get("file", "")))
        if file is None:
            raise SlackError("file_not_found")
        return {"file": {k: v for k, v in file.items() if not k.startswith("_")}}

    def _api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("user") not in self._users:
            raise SlackError("user_not_found")
        return {"user": copy.deepcopy(self._users[args["user"]])}

    def _api_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args.get("email", "")).lower()
        user = self._users.get(self._by_email.get(email, ""))
        if user is None or user["profile"]["email"].lower() != email:  # the index went stale
            found = (u for u in self._users.values() if u["profile"]["email"].lower() == email)
            user = next(found, None)
        if user is None:
            raise SlackError("users_not_found")
        return {"user": copy.deepcopy(user)}

    def _api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if args.get("channel"):
            return {"channel": {"id": args["channel"]}, "already_open": True}
        if not users:
            raise SlackError("users_list_not_supplied")
        channel = self.dm_channel(users[0]) if len(users) == 1 else "G" + "".join(sorted(users))
        already = channel in self._messages
        self._messages.setdefault(channel, [])
        return {"channel": {"id": channel}, "no_op": already, "already_open": already}

    def _api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if not channel or channel[:1] in ("U", "W"):
            raise SlackError("channel_not_found")
        limit = int(args.get("limit") or 100)
        with_meta = _truthy(args.get("include_all_metadata"))
        msgs = [m for m in reversed(self._messages.get(channel, [])) if not m["deleted"]]
        out = []
        for msg in msgs[:limit]:
            item = {k: msg[k] for k in ("type", "user", "bot_id", "app_id", "ts", "text")}
            item["blocks"] = copy.deepcopy(msg.get("blocks") or [])
            if with_meta and msg.get("metadata"):
                item["metadata"] = {"app_id": APP_ID, **copy.deepcopy(msg["metadata"])}
            out.append(item)
        more = {"has_more": len(msgs) > limit, "response_metadata": {"next_cursor": ""}}
        return {"messages": out, **more}

    def _api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            raise SlackError("channel_not_found")
        if not args.get("text") and not args.get("blocks") and not args.get("attachments"):
            raise SlackError("no_text")
        channel = self._channel_for(str(args["channel"]))
        msg: dict[str, Any] = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID}
        msg |= {"app_id": APP_ID, "ts": self._new_ts(), "text": args.get("text", "")}
        msg |= {"channel": channel, "deleted": False, "edits": []}
        for key in ("blocks", "metadata", "attachments", "thread_ts"):
            if key in args:
                msg[key] = args[key]
        self._messages.setdefault(channel, []).append(msg)
        public = {k: v for k, v in msg.items() if k not in ("channel", "deleted", "edits")}
        return {"channel": channel, "ts": msg["ts"], "message": copy.deepcopy(public)}

    def _api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self._find_message(str(args.get("channel", "")), str(args.get("ts", "")))
        self._edit_message(msg, args)
        return {"channel": msg["channel"], "ts": msg["ts"], "text": msg["text"]}

    def _api_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self._find_message(str(args.get("channel", "")), str(args.get("ts", "")))
        msg["deleted"] = True
        return {"channel": msg["channel"], "ts": msg["ts"]}

    def _api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel") or not args.get("user"):
            raise SlackError("channel_not_found" if not args.get("channel") else "user_not_found")
        ts = self._new_ts()
        self._ephemerals.append({"ts": ts, **args})
        return {"message_ts": ts}

    def _api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        self._use_trigger(args)
        view = self._store_view(args.get("view"))
        self._opened.append(view["id"])
        return {"view": view}

    def _api_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        self._use_trigger(args)
        extra = {}
        if self._opened:  # stacked on the last opened view
            parent = self._views[self._opened[-1]]
            extra = {"previous_view_id": parent["id"], "root_view_id": parent["root_view_id"]}
        view = self._store_view(args.get("view"), **extra)
        self._opened.append(view["id"])
        return {"view": view}

    def _api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            ids = [v["id"] for v in self._views.values() if v["external_id"] == args["external_id"]]
            view_id = ids[0] if ids else None
        if view_id not in self._views:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != self._views[view_id]["hash"]:
            raise SlackError("hash_conflict")
        return {"view": self._store_view(args.get("view"), view_id=view_id)}

    def _api_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"ws://127.0.0.1:{self.port}/socket"}

    # ---------------------------------------------------------------- Socket Mode
    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID}}
        await socket.send_json(hello | {"debug_info": {"host": "fake-slack"}})
        async for message in socket:
            if message.type == web.WSMsgType.TEXT:
                with self._lock:
                    self._socket_acks.append(json.loads(message.data))
        return socket

    def socket_connected(self) -> bool:
        """True once a Socket Mode client is connected."""
        return any(not s.closed for s in self._sockets)

    def socket_send(self, kind: str, payload: dict[str, Any]) -> str:
        """Send an envelope (e.g. kind "slash_commands") to the connected client; returns its id."""
        envelope_id = f"env-{self._next()}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
        }
        socket = next(s for s in reversed(self._sockets) if not s.closed)
        self.run(socket.send_json(envelope))
        return envelope_id

    def socket_acks(self) -> list[dict[str, Any]]:
        """What the client sent back over the socket (acks with their envelope ids)."""
        with self._lock:
            return list(self._socket_acks)

    def _api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user_id", ""))
        if not user_id:
            raise SlackError("invalid_arguments")
        view_id = self._home.get(user_id)
        if view_id and args.get("hash") and args["hash"] != self._views[view_id]["hash"]:
            raise SlackError("hash_conflict")
        view = self._store_view(args.get("view"), view_id=view_id)
        self._home[user_id] = view["id"]
        return {"view": view}
