# FakeGraph: Microsoft login (client credentials), Graph sendMail and user look-ups over HTTPS on
# 127.0.0.1.
from __future__ import annotations

import copy
import itertools
import shutil
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trustme
from aiohttp import web

from tests.fakes.loopback import LoopbackServer

TENANT, CLIENT_ID, CLIENT_SECRET = "fake-tenant", "fake-graph-app", "fake-graph-secret"
MAILBOX = "policybot@trust.example"
FAULT_CODES = {
    401: "InvalidAuthenticationToken",
    403: "ErrorAccessDenied",
    404: "ErrorInvalidUser",
    429: "ApplicationThrottled",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


@dataclass
class _Fault:
    status: int
    times: int
    retry_after: int | None
    code: str
    on: str = "mail"  # mail (sendMail) | user (GET /v1.0/users/{id})


class FakeGraph(LoopbackServer):
    """The login service, Graph's sendMail and `GET /v1.0/users/{id or UPN}`, on one HTTPS
    server whose certificate comes from a CA made for it (`ca_file`). Use `base_url` as both
    AUTHORITY_HOST and GRAPH_BASE_URL, or `env()` for a server in a subprocess. Mail is accepted
    for `mailbox` with a token issued to `client_id`/`client_secret` in `tenant`; users are those
    given to `add_user`; `fail_next` and `expire_tokens` script faults."""

    def __init__(
        self,
        *,
        tenant: str = TENANT,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        mailbox: str = MAILBOX,
    ) -> None:
        self.tenant, self.client_id, self.client_secret = tenant, client_id, client_secret
        self.mailbox = mailbox
        self.port = 0
        super().__init__()
        self._lock = threading.RLock()
        self._folder: Path | None = None
        self._numbers = itertools.count(1)
        self._tokens: set[str] = set()
        self._expired: set[str] = set()
        self._sent: list[dict[str, Any]] = []
        self._refused: list[dict[str, Any]] = []
        self._faults: list[_Fault] = []
        self._down = False
        self._users: dict[str, dict[str, str]] = {}  # object id -> {id, userPrincipalName, mail}
        self._lookups: list[dict[str, Any]] = []

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> FakeGraph:
        """Make the CA and certificate, and serve on a free port; returns self."""
        ca = trustme.CA()
        self._folder = Path(tempfile.mkdtemp(prefix="fake-graph-"))
        ca.cert_pem.write_to_path(str(self.ca_file))
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
        self.serve(self._app(), ssl_context=server_context)
        return self

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._openid)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/v1.0/users/{mailbox}/sendMail", self._send_mail)
        app.router.add_get("/v1.0/users/{user}", self._user)
        return app

    def stop(self) -> None:
        """Stop the server and its thread, and delete the CA file (idempotent)."""
        self.stop_serving()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> FakeGraph:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`https://127.0.0.1:PORT`: the AUTHORITY_HOST and the GRAPH_BASE_URL."""
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> str:
        """The PEM file of the CA that signed the server's certificate."""
        assert self._folder is not None, "start the fake first"
        return str(self._folder / "ca.pem")

    def settings(self) -> dict[str, str]:
        """The policybot settings that send mail through this fake."""
        return {
            "GRAPH_MAILBOX": self.mailbox,
            "GRAPH_CLIENT_ID": self.client_id,
            "GRAPH_CLIENT_SECRET": self.client_secret,
            "GRAPH_TENANT_ID": self.tenant,
            "GRAPH_BASE_URL": self.base_url,
            "AUTHORITY_HOST": self.base_url,
        }

    def env(self) -> dict[str, str]:
        """`settings()`, and what makes a policybot process trust the fake's certificate:
        REQUESTS_CA_BUNDLE for msal (requests) and SSL_CERT_FILE for aiohttp (OpenSSL)."""
        trust = {"REQUESTS_CA_BUNDLE": self.ca_file, "SSL_CERT_FILE": self.ca_file}
        return self.settings() | trust

    # ---------------------------------------------------------------- faults
    def fail_next(
        self, status: int = 503, times: int = 1, *, retry_after: int | None = None, on: str = "mail"
    ) -> None:
        """Answer the next `times` sendMail calls (`on="user"`: user look-ups) with `status`
        (429 and 503 with Retry-After when given; 401 as an expired token would be)."""
        with self._lock:
            code = FAULT_CODES.get(status, "ErrorInvalidRequest")
            self._faults.append(_Fault(status, times, retry_after, code, on))

    # ---------------------------------------------------------------- directory
    def add_user(self, email: str, *, object_id: str | None = None) -> str:
        """A user of the tenant (UPN and mail `email`); returns their object id."""
        with self._lock:
            found = object_id or str(uuid.uuid5(uuid.NAMESPACE_DNS, "graph:" + email.lower()))
            self._users[found] = {"id": found, "userPrincipalName": email, "mail": email}
            return found

    def lookups(self) -> list[dict[str, Any]]:
        """User look-ups, oldest first: `{"user", "select", "status"}`."""
        with self._lock:
            return copy.deepcopy(self._lookups)

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired: sendMail answers it 401."""
        with self._lock:
            self._expired |= self._tokens

    def set_down(self, down: bool = True) -> None:
        """Make sendMail answer 503 until set up again (the login service stays up)."""
        with self._lock:
            self._down = down

    # ---------------------------------------------------------------- queries (copies)
    def sent(self) -> list[dict[str, Any]]:
        """Accepted mails, oldest first: `mailbox, subject, text, to, cc, reply_to, headers,
        saved, token` (addresses as lists of strings, headers as a dict)."""
        with self._lock:
            return copy.deepcopy(self._sent)

    def refused(self) -> list[dict[str, Any]]:
        """sendMail calls answered with an error: `{"status", "code"}`, oldest first."""
        with self._lock:
            return copy.deepcopy(self._refused)

    def tokens_issued(self) -> int:
        with self._lock:
            return len(self._tokens)

    def wait_for(self, predicate: Callable[[FakeGraph], Any], timeout: float = 10) -> Any:
        """Poll until `predicate(self)` is truthy; return its value (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        while not (value := predicate(self)):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"wait_for timed out after {timeout}s: {len(self.sent())} sent, "
                    f"refused {self.refused()}"
                )
            time.sleep(0.02)
        return value

    # ---------------------------------------------------------------- login service
    async def _openid(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        if tenant != self.tenant:
            return _login_error(400, "invalid_tenant", "AADSTS90002: Tenant not found.")
        base = f"{self.base_url}/{tenant}"
        return web.json_response(
            {
                "issuer": f"{self.base_url}/{tenant}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if request.match_info["tenant"] != self.tenant:
            return _login_error(400, "invalid_request", "AADSTS90002: Tenant not found.")
        if form.get("grant_type") != "client_credentials":
            return _login_error(400, "unsupported_grant_type", "Only client credentials here.")
        if form.get("client_id") != self.client_id:
            return _login_error(400, "unauthorized_client", "AADSTS700016: Unknown application.")
        if form.get("client_secret") != self.client_secret:
            return _login_error(401, "invalid_client", "AADSTS7000215: Invalid client secret.")
        if "https://graph.microsoft.com/.default" not in str(form.get("scope", "")).split():
            return _login_error(400, "invalid_scope", "AADSTS70011: The scope is not valid.")
        with self._lock:
            token = f"graph-token-{next(self._numbers)}"
            self._tokens.add(token)
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599}
            | {"access_token": token}
        )

    # ---------------------------------------------------------------- Graph
    async def _send_mail(self, request: web.Request) -> web.Response:
        body = await request.json()
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            fault = self._take_fault()
            if fault:
                return self._graph_error(fault.status, fault.code, fault.retry_after)
            if token not in self._tokens:
                return self._graph_error(401, "InvalidAuthenticationToken")
            if token in self._expired:
                return self._graph_error(401, "InvalidAuthenticationToken")
            if request.match_info["mailbox"].lower() != self.mailbox.lower():
                return self._graph_error(404, "ErrorInvalidUser")
            message = body.get("message") or {}
            if not message.get("toRecipients") or "content" not in message.get("body", {}):
                return self._graph_error(400, "ErrorInvalidRecipients")
            self._sent.append(_mail(self.mailbox, body, token))
        return web.Response(status=202, headers={"request-id": str(uuid.uuid4())})

    def _take_fault(self, on: str = "mail") -> _Fault | None:
        fault = next((f for f in self._faults if f.on == on), None)
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            return fault
        return _Fault(503, 1, None, "ServiceUnavailable") if self._down else None

    async def _user(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        wanted = request.match_info["user"].lower()
        select = [f for f in request.query.get("$select", "").split(",") if f]
        with self._lock:
            fault = self._take_fault("user")
            if fault:
                status, code, retry_after = fault.status, fault.code, fault.retry_after
            elif token not in self._tokens or token in self._expired:
                status, code, retry_after = 401, "InvalidAuthenticationToken", None
            else:
                user = next(
                    (
                        u
                        for u in self._users.values()
                        if wanted in (u["id"], u["userPrincipalName"].lower(), u["mail"].lower())
                    ),
                    None,
                )
                status, code, retry_after = (200, "", None) if user else (404, "", None)
                code = code or ("" if user else "Request_ResourceNotFound")
            self._lookups.append({"user": wanted, "select": select, "status": status})
            if status != 200:
                return self._graph_error(status, code, retry_after)
            assert user is not None
            body = {k: v for k, v in user.items() if not select or k in select}
        return web.json_response({"@odata.context": "fake"} | body)

    def _graph_error(self, status: int, code: str, retry_after: int | None = None) -> web.Response:
        self._refused.append({"status": status, "code": code})
        headers = {"request-id": str(uuid.uuid4())}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        error = {"code": code, "message": f"fake Graph answers {status}"}
        return web.json_response({"error": error}, status=status, headers=headers)


def _login_error(status: int, error: str, description: str) -> web.Response:
    body = {"error": error, "error_description": description, "error_codes": [0]}
    return web.json_response(body, status=status)


def _mail(mailbox: str, body: dict[str, Any], token: str) -> dict[str, Any]:
    message = body["message"]

    def addresses(key: str) -> list[str]:
        return [r["emailAddress"]["address"] for r in message.get(key) or []]

    headers = {h["name"]: h["value"] for h in message.get("internetMessageHeaders") or []}
    return {
        "mailbox": mailbox,
        "subject": message.get("subject"),
        "text": message["body"]["content"],
        "content_type": message["body"].get("contentType"),
        "to": addresses("toRecipients"),
        "cc": addresses("ccRecipients"),
        "reply_to": addresses("replyTo"),
        "headers": headers,
        "saved": body.get("saveToSentItems"),
        "token": token,
    }
