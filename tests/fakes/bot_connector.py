# FakeBotConnector: the Bot Framework connector of Microsoft Teams on 127.0.0.1, recording every
# call (sends, replies, updates, new 1:1 chats, typing), with scripted faults; and, for the
# authenticated path, the bot's login (client credentials) and a JWKS that signs inbound tokens.
from __future__ import annotations

import copy
import itertools
import json
import os
import shutil
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import trustme
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.loopback import LoopbackServer

BOT_ID = "00000000-0000-4000-8000-00000000b07a"
TENANT = "00000000-0000-4000-8000-0000000071e7"
SECRET = "fake-teams-secret"
ISSUER = "https://api.botframework.com"
CODES = {
    403: "BotNotInConversationRoster",
    404: "ConversationNotFound",
    429: "Throttled",
    500: "ServiceError",
    502: "BadGateway",
    503: "ServiceUnavailable",
}


@dataclass
class TeamsUser:
    email: str
    name: str
    user_id: str  # 29:...
    aad: str  # Entra object id
    conversation: str  # their 1:1 chat with the bot
    upn: str | None = None
    installed: bool = True


@dataclass
class _Fault:
    status: int
    times: int
    retry_after: int | None
    on: str  # send | update | create | any


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any] | None
    status: int
    kind: str  # send | reply | update | create | member | token
    conversation: str | None = None
    activity_id: str | None = None
    authorised: bool = False
    at: float = field(default_factory=time.monotonic)


class FakeBotConnector(LoopbackServer):
    """Serves `{service_url}v3/conversations/...` as Teams' connector would. Every call is
    kept (`calls`); `fail_next` scripts 403/429/500s; a user who has not `installed` the app
    gets 403 BotNotInConversationRoster when the bot creates a chat with them. With
    `auth=True` it serves HTTPS, issues the bot's tokens at `/{tenant}/oauth2/v2.0/token`,
    refuses connector calls without one (401), and signs inbound tokens (`token_for_bot`)
    with the key published at `jwks_url`."""

    def __init__(self, *, bot_id: str = BOT_ID, tenant: str = TENANT, auth: bool = False) -> None:
        super().__init__()
        self.bot_id, self.tenant, self.auth = bot_id, tenant, auth
        self._lock = threading.RLock()
        self._numbers = itertools.count(1)
        self._users: dict[str, TeamsUser] = {}
        self._faults: list[_Fault] = []
        self._calls: list[Call] = []
        self._cards: dict[tuple[str, str], dict[str, Any]] = {}  # (conv, activity id) -> latest
        self._tokens: set[str] = set()
        self._answers: list[Any] = []  # invoke responses the bot gave (cards shown to a clicker)
        self._blobs: dict[str, tuple[bytes, str, bool]] = {}  # id -> (bytes, type, needs token)
        self.fetched: list[dict[str, Any]] = []  # each GET of a file: id, Authorization, status
        self._folder: Path | None = None
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = uuid.uuid4().hex[:12]

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> FakeBotConnector:
        context = None
        if self.auth:
            ca = trustme.CA()
            self._folder = Path(tempfile.mkdtemp(prefix="fake-connector-"))
            ca.cert_pem.write_to_path(str(self.ca_file))
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self.serve(self._app(), ssl_context=context)
        return self

    def stop(self) -> None:
        self.stop_serving()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> FakeBotConnector:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conv}/activities", self._send)
        app.router.add_post("/v3/conversations/{conv}/activities/{id}", self._send)
        app.router.add_put("/v3/conversations/{conv}/activities/{id}", self._update)
        app.router.add_get("/v3/conversations/{conv}/members/{member}", self._member)
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._openid)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/keys", self._keys)
        app.router.add_get("/v3/attachments/{blob}/views/original", self._blob)
        app.router.add_get("/personal/files/{blob}", self._blob)
        return app

    # ---------------------------------------------------------------- files people send
    def file_attachment(self, name: str, content: bytes) -> dict[str, Any]:
        """A file attached to a message in a personal chat, as Teams hands it to a bot: its
        short-lived, pre-authorised download address (no token needed)."""
        blob = uuid.uuid4().hex
        with self._lock:
            self._blobs[blob] = (content, "application/octet-stream", False)
        return {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "name": name,
            "content": {
                "downloadUrl": f"{self.base_url}/personal/files/{blob}",
                "uniqueId": blob,
                "fileType": name.rsplit(".", 1)[-1],
            },
        }

    def pasted_picture(self, content: bytes, content_type: str = "image/png") -> dict[str, Any]:
        """A picture pasted into a message: on the connector, fetched with the bot's token."""
        blob = uuid.uuid4().hex
        with self._lock:
            self._blobs[blob] = (content, content_type, True)
        url = f"{self.service_url}v3/attachments/{blob}/views/original"
        return {"contentType": content_type, "contentUrl": url}

    def expire(self, attachment: dict[str, Any]) -> None:
        """The download address has expired (Teams answers 401 from then on)."""
        address = (attachment.get("content") or {}).get("downloadUrl") or attachment["contentUrl"]
        blob = address.rstrip("/").split("/")[-1]
        if blob == "original":
            blob = address.split("/")[-3]
        with self._lock:
            self._blobs.pop(blob, None)

    async def _blob(self, request: web.Request) -> web.Response:
        blob = request.match_info["blob"]
        header = request.headers.get("Authorization", "")
        with self._lock:
            found = self._blobs.get(blob)
            refused = found is None or (found[2] and self.auth and not self._authorised(request))
            status = 401 if refused else 200
            self.fetched.append({"id": blob, "authorization": header, "status": status})
        if refused or found is None:
            return web.json_response({"message": "Authorization has been denied"}, status=401)
        return web.Response(body=found[0], content_type=found[1])

    @property
    def base_url(self) -> str:
        return f"{'https' if self.auth else 'http'}://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        return self.base_url + "/"

    @property
    def jwks_url(self) -> str:
        return self.base_url + "/keys"

    @property
    def ca_file(self) -> str:
        assert self._folder is not None, "only with auth=True, once started"
        return str(self._folder / "ca.pem")

    def env(self, *, anonymous: bool | None = None) -> dict[str, str]:
        """The settings of a policybot server that uses this connector."""
        prefix = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
        env = {
            prefix + "CLIENTID": self.bot_id,
            prefix + "CLIENTSECRET": SECRET,
            prefix + "TENANTID": self.tenant,
            prefix + "ANONYMOUS_ALLOWED": str(not self.auth if anonymous is None else anonymous),
            "TEAMS_SERVICE_URL": self.service_url,
        }
        if self.auth:
            env |= {
                "AUTHORITY_HOST": self.base_url,
                "TEAMS_JWKS_URL": self.jwks_url,
                "REQUESTS_CA_BUNDLE": self.ca_file,
                "SSL_CERT_FILE": self.ca_file,
            }
        return env

    # ---------------------------------------------------------------- people
    def add_user(
        self, email: str, name: str, *, installed: bool = True, upn: str | None = None
    ) -> TeamsUser:
        with self._lock:
            number = next(self._numbers)
            user = TeamsUser(
                email=email.lower(),
                name=name,
                user_id=f"29:1{uuid.uuid5(uuid.NAMESPACE_URL, email).hex[:20]}",
                aad=str(uuid.uuid5(uuid.NAMESPACE_DNS, email)),
                conversation=f"a:personal-{number}",
                upn=upn,
                installed=installed,
            )
            self._users[user.email] = user
            return user

    def user(self, email: str) -> TeamsUser:
        return self._users[email.lower()]

    def install(self, email: str) -> None:
        with self._lock:
            self._users[email.lower()].installed = True

    def _find(self, member: str) -> TeamsUser | None:
        return next((u for u in self._users.values() if member in (u.aad, u.user_id)), None)

    # ---------------------------------------------------------------- faults
    def fail_next(
        self, status: int, times: int = 1, *, retry_after: int | None = None, on: str = "send"
    ) -> None:
        """Answer the next `times` calls of kind `on` (send, update, create, any) with
        `status` (and Retry-After when given)."""
        with self._lock:
            self._faults.append(_Fault(status, times, retry_after, on))

    def _fault(self, kind: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.on in (kind, "any") or (fault.on == "send" and kind == "reply"):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # ---------------------------------------------------------------- what was done
    def calls(self, kind: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if kind is None or c.kind == kind]

    def delivered(self, email: str) -> list[dict[str, Any]]:
        """Messages the connector accepted into this person's 1:1 chat (sends and replies,
        no typing), each as it looks now (after updates), with its `id`."""
        user = self.user(email)
        with self._lock:
            return [
                copy.deepcopy(self._cards[(c.conversation, c.activity_id)]) | {"id": c.activity_id}
                for c in self._calls
                if c.kind in ("send", "reply")
                and c.status < 300
                and c.conversation == user.conversation
                and c.body
                and c.body.get("type") == "message"
                and c.activity_id
            ]

    def cards_to(self, email: str) -> list[dict[str, Any]]:
        """The Adaptive Cards delivered to this person, as they look now."""
        return [
            a["content"] | {"_id": m["id"]}
            for m in self.delivered(email)
            for a in m.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    def wait_for(self, predicate: Callable[[FakeBotConnector], Any], timeout: float = 10) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = predicate(self)
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"timed out; calls: {[(c.kind, c.status) for c in self.calls()]}")

    def dump(self, path: Path) -> None:
        """The activities the bot sent (sends, replies, updates) as one JSON list of
        {"method", "path", "body"}, the shape validate_bot_activity reads."""
        path.parent.mkdir(parents=True, exist_ok=True)
        calls = [
            {"method": c.method, "path": c.path, "body": c.body}
            for c in self.calls()
            if c.body is not None and c.kind in ("send", "reply", "update", "typing")
        ]
        path.write_text(json.dumps(calls, indent=1), encoding="utf-8")

    def answered(self, body: Any) -> None:
        """Keep an invoke response of the bot (TeamsRequests hands each one here)."""
        with self._lock:
            self._answers.append(copy.deepcopy(body))

    def keep_capture(self, module: str) -> None:
        """With TEAMS_CAPTURE_DIR set, `dump` there as `<module's last part>.json`, and the
        invoke responses (not activities) as `invoke/<...>.json`, for the vendors' validators."""
        folder = os.environ.get("TEAMS_CAPTURE_DIR")
        if folder:
            name = module.rsplit(".", 1)[-1]
            self.dump(Path(folder) / f"{name}.json")
            with self._lock:
                answers = json.dumps(self._answers, indent=1)
            (Path(folder) / "invoke").mkdir(parents=True, exist_ok=True)
            (Path(folder) / "invoke" / f"{name}.json").write_text(answers, encoding="utf-8")

    # ---------------------------------------------------------------- inbound tokens
    def token_for_bot(self, *, audience: str | None = None, key: Any = None, **claims: Any) -> str:
        """A token as the Bot Framework signs it for a request to the bot."""
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": audience or self.bot_id,
            "iat": now,
            "nbf": now - 5,
            "exp": now + 3600,
            "serviceurl": self.service_url,
        } | claims
        return jwt.encode(payload, key or self._key, algorithm="RS256", headers={"kid": self._kid})

    async def _keys(self, request: web.Request) -> web.Response:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return web.json_response({"keys": [public | {"kid": self._kid, "use": "sig"}]})

    async def _openid(self, request: web.Request) -> web.Response:
        base = f"{self.base_url}/{request.match_info['tenant']}"
        return web.json_response(
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        ok = (
            request.match_info["tenant"] == self.tenant
            and form.get("client_id") == self.bot_id
            and form.get("client_secret") == SECRET
            and form.get("grant_type") == "client_credentials"
        )
        self._record("POST", request.path, None, 200 if ok else 401, "token")
        if not ok:
            return web.json_response(
                {"error": "invalid_client", "error_description": "AADSTS7000215"}, status=401
            )
        token = f"connector-token-{uuid.uuid4().hex[:8]}"
        with self._lock:
            self._tokens.add(token)
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3599, "access_token": token}
        )

    # ---------------------------------------------------------------- the connector
    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return header.removeprefix("Bearer ") in self._tokens

    def _record(
        self, method: str, path: str, body: Any, status: int, kind: str, **more: Any
    ) -> None:
        with self._lock:
            self._calls.append(Call(method, path, body, status, kind, **more))

    async def _refuse(self, request: web.Request, kind: str, body: Any, **more: Any) -> Any:
        """401 without the bot's token (auth mode), or a scripted fault; None to go on."""
        authorised = self._authorised(request)
        if self.auth and not authorised:
            self._record(request.method, request.path, body, 401, kind, **more)
            return web.json_response({"message": "Authorization has been denied"}, status=401)
        fault = self._fault(kind)
        if fault is None:
            return None
        self._record(request.method, request.path, body, fault.status, kind, **more)
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        code = CODES.get(fault.status, "BadRequest")
        return web.json_response(
            {"error": {"code": code, "message": f"fake {fault.status}"}},
            status=fault.status,
            headers=headers,
        )

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        refused = await self._refuse(request, "create", body)
        if refused is not None:
            return refused
        members = body.get("members") or [{}]
        user = self._find(str(members[0].get("id") or ""))
        if user is None or not user.installed:
            self._record("POST", request.path, body, 403, "create")
            return web.json_response(
                {"error": {"code": "BotNotInConversationRoster", "message": "not installed"}},
                status=403,
            )
        self._record("POST", request.path, body, 201, "create", conversation=user.conversation)
        return web.json_response({"id": user.conversation}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        conversation = request.match_info["conv"]
        kind = "reply" if "id" in request.match_info else "send"
        if body.get("type") == "typing":
            self._record("POST", request.path, body, 200, "typing", conversation=conversation)
            return web.json_response({"id": ""})
        refused = await self._refuse(request, kind, body, conversation=conversation)
        if refused is not None:
            return refused
        activity_id = f"1:{next(self._numbers)}"
        with self._lock:
            self._cards[(conversation, activity_id)] = copy.deepcopy(body)
        self._record(
            "POST",
            request.path,
            body,
            201,
            kind,
            conversation=conversation,
            activity_id=activity_id,
            authorised=self._authorised(request),
        )
        return web.json_response({"id": activity_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        body = await request.json()
        conversation, activity_id = request.match_info["conv"], request.match_info["id"]
        more = {"conversation": conversation, "activity_id": activity_id}
        refused = await self._refuse(request, "update", body, **more)
        if refused is not None:
            return refused
        with self._lock:
            known = (conversation, activity_id) in self._cards
            if known:
                self._cards[(conversation, activity_id)] = copy.deepcopy(body)
        status = 200 if known else 404
        self._record("PUT", request.path, body, status, "update", **more)
        if not known:
            return web.json_response(
                {"error": {"code": "NotFound", "message": "no such activity"}}, status=404
            )
        return web.json_response({"id": activity_id})

    async def _member(self, request: web.Request) -> web.Response:
        user = self._find(request.match_info["member"])
        self._record("GET", request.path, None, 200 if user else 404, "member")
        if user is None:
            return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
        return web.json_response(
            {
                "id": user.user_id,
                "name": user.name,
                "aadObjectId": user.aad,
                "email": user.email,
                "userPrincipalName": user.upn or user.email,
                "tenantId": self.tenant,
            }
        )
