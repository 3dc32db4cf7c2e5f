# Microsoft Graph as the app itself: one msal application per app (its token cache) giving
# app-only tokens in a thread, the TLS trust of every call, and the look-up of a user's object id.
from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from typing import Any
from urllib.parse import quote

import aiohttp
import msal
import requests
from msal.exceptions import MsalError

log = logging.getLogger(__name__)
SCOPES = ["https://graph.microsoft.com/.default"]
TRY_AGAIN = {408, 429, 500, 502, 503, 504}


class GraphLoginFailed(Exception):
    """The login service failed or refused the app; the message says what to check, never a
    secret."""


class GraphLookupFailed(Exception):
    """Graph answered a look-up with an error other than 404; `retry_after` when it said."""

    def __init__(self, message: str, *, status: int, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class GraphApp:
    """An Entra app calling Graph with msal's client-credentials flow. Certificates are checked
    against the system's trust store, or against `ca_file` alone when given (a test's fake
    Graph); a server in a subprocess trusts a fake through REQUESTS_CA_BUNDLE (msal, requests)
    and SSL_CERT_FILE (aiohttp, OpenSSL)."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        tenant_id: str,
        graph_base_url: str = "https://graph.microsoft.com",
        authority_host: str = "https://login.microsoftonline.com",
        ca_file: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self._authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        self.base_url = graph_base_url.rstrip("/")
        self._ca_file = ca_file
        self._ssl: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=ca_file) if ca_file else True
        )
        self._timeout = timeout
        self._app: msal.ConfidentialClientApplication | None = None
        self._app_lock = threading.Lock()

    def session(self) -> aiohttp.ClientSession:
        """A client session that trusts what this app trusts, with its timeout."""
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=self._ssl),
            timeout=aiohttp.ClientTimeout(total=self._timeout),
        )

    async def token(self, purpose: str = "Graph") -> str:
        """An app-only token for Graph, from msal's cache or the login service."""
        try:
            result = await asyncio.to_thread(self._acquire)
        except (OSError, ValueError, MsalError) as failure:  # discovery or token endpoint
            raise GraphLoginFailed(
                f"Microsoft login failed ({type(failure).__name__}): check GRAPH_TENANT_ID "
                "and that AUTHORITY_HOST can be reached"
            ) from None
        if "access_token" not in result:
            raise GraphLoginFailed(
                f"Microsoft login refused the app ({result.get('error', 'no token')}): check "
                "GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and GRAPH_TENANT_ID"
            )
        if result.get("token_source") == "identity_provider":
            log.info("Graph: new app-only token for %s", purpose)
        return str(result["access_token"])

    def forget_tokens(self) -> None:
        """Drop cached tokens (Graph said 401): the next call asks for a new one."""
        app = self._app
        if app is not None:
            app.remove_tokens_for_client()

    async def user_object_id(self, email: str) -> str | None:
        """The Entra object id of the user with this e-mail (UPN), or None when Graph knows no
        such user (404). Needs the application permission User.Read.All."""
        token = await self.token("user look-ups")
        user = quote(email, safe="@")
        url = f"{self.base_url}/v1.0/users/{user}"
        headers = {"Authorization": f"Bearer {token}"}
        params = {"$select": "id,userPrincipalName"}
        async with (
            self.session() as session,
            session.get(url, params=params, headers=headers) as response,
        ):
            log.info("Graph user look-up answered %s", response.status)
            if response.status == 200:
                data = await response.json(content_type=None)
                return str(data["id"]) if isinstance(data, dict) and data.get("id") else None
            if response.status == 404:
                return None
            code = await error_code(response)
            retry_after = seconds(response.headers.get("Retry-After"))
        if response.status == 401:
            self.forget_tokens()
        raise GraphLookupFailed(
            _lookup_reason(response.status, code), status=response.status, retry_after=retry_after
        )

    def _acquire(self) -> dict[str, Any]:
        """Blocking (run in a thread): a token from msal's cache or from the login service."""
        return self._client().acquire_token_for_client(scopes=SCOPES)

    def _client(self) -> msal.ConfidentialClientApplication:
        """The msal application, made on first use: making it calls the login service."""
        with self._app_lock:
            if self._app is None:
                self._app = msal.ConfidentialClientApplication(
                    self.client_id,
                    client_credential=self._secret,
                    authority=self._authority,
                    instance_discovery=False,  # AUTHORITY_HOST is trusted as configured
                    http_client=self._ca_session(),
                    timeout=self._timeout,
                )
            return self._app

    def _ca_session(self) -> requests.Session | None:
        """With `ca_file`, a requests session that trusts it alone; else None (msal's own).
        Not msal's `verify=`: requests lets REQUESTS_CA_BUNDLE win over it when set."""
        if not self._ca_file:
            return None
        session = requests.Session()
        session.verify = self._ca_file
        session.trust_env = False  # no REQUESTS_CA_BUNDLE, nor proxies from the environment
        return session


def _lookup_reason(status: int, code: str) -> str:
    if status == 403:
        return f"Graph refused the user look-up (403 {code}): grant the app User.Read.All"
    if status == 401:
        return f"Graph refused the token (401 {code}); a new one will be used"
    return f"Graph user look-up failed ({status} {code})"


async def error_code(response: aiohttp.ClientResponse) -> str:
    """Graph's error code (e.g. ErrorAccessDenied), never its message (it may name people)."""
    try:
        data = await response.json(content_type=None)
        return str(data["error"]["code"])
    except (ValueError, KeyError, TypeError, aiohttp.ClientError):
        return "no error code"


def seconds(value: str | None) -> float | None:
    """A Retry-After header in seconds (None when absent or not a number)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
