# The shared file download against a real HTTP server on 127.0.0.1: the size limit holds with
# and without a Content-Length, redirects are not followed, and each failure is sorted into
# "gone for good" or "worth another try"; Teams sends the bot's token only for a pasted picture.
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.files import TOO_BIG, FetchFailed
from handlers.download import download
from handlers.teams.files import TeamsFiles, uploads_of

LIMIT = 1000


async def streamed(request: web.Request) -> web.StreamResponse:
    """Too big, and without a Content-Length to say so in advance."""
    response = web.StreamResponse(headers={"Content-Type": "image/png"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for _ in range(8):
        await response.write(b"x" * 200)
    await response.write_eof()
    return response


ROUTES = {
    "/ok": lambda r: web.Response(body=b"p" * LIMIT, content_type="image/png"),
    "/large": lambda r: web.Response(body=b"p" * (LIMIT + 1), content_type="image/png"),
    "/sign-in": lambda r: web.Response(text="<html>Sign in</html>", content_type="text/html"),
    "/moved": lambda r: web.Response(status=302, headers={"Location": "/ok"}),
    "/gone": lambda r: web.Response(status=404),
    "/expired": lambda r: web.Response(status=401),
    "/busy": lambda r: web.Response(status=503),
}


@pytest.fixture
async def site() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/streamed", streamed)
    for path, handler in ROUTES.items():
        app.router.add_get(path, handler)
    app.router.add_get("/echo", lambda r: web.Response(body=r.headers.get("X-Auth", "").encode()))
    app.router.add_get(
        "/bearer", lambda r: web.Response(body=r.headers.get("Authorization", "none").encode())
    )
    runner = web.AppRunner(app)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_a_file_within_the_limit_arrives_whole_with_the_headers_given(site: str) -> None:
    assert await download(f"{site}/ok", {}, limit=LIMIT, where="test") == b"p" * LIMIT
    assert await download(f"{site}/echo", {"X-Auth": "t"}, limit=LIMIT, where="test") == b"t"


@pytest.mark.parametrize(
    ("path", "permanent", "reason"),
    [
        ("/large", True, TOO_BIG),
        ("/streamed", True, TOO_BIG),
        ("/sign-in", True, "test sent a web page, not the file"),
        ("/moved", False, "test answered 302"),
        ("/gone", True, "test answered 404"),
        ("/expired", True, "test answered 401"),
        ("/busy", False, "test answered 503"),
    ],
)
async def test_each_failure_says_whether_another_try_can_help(
    site: str, path: str, permanent: bool, reason: str
) -> None:
    with pytest.raises(FetchFailed) as failed:
        await download(f"{site}{path}", {}, limit=LIMIT, where="test")
    assert (failed.value.permanent, failed.value.reason) == (permanent, reason)


async def test_a_server_that_is_not_there_is_worth_another_try(site: str) -> None:
    with pytest.raises(FetchFailed) as failed:
        await download("http://127.0.0.1:9/file", {}, limit=LIMIT, where="test")
    assert not failed.value.permanent and "download failed" in failed.value.reason


async def test_teams_sends_the_bots_token_for_a_pasted_picture_and_never_for_a_file(
    site: str,
) -> None:
    async def token() -> str:
        return "connector-token"

    [pasted] = uploads_of(  # a picture on another host is not fetched at all
        [
            {"contentType": "image/png", "contentUrl": f"{site}/bearer"},
            {"contentType": "image/png", "contentUrl": "https://elsewhere.example/bearer"},
        ],
        service_url=f"{site}/",
    )
    assert pasted.auth
    [attached] = uploads_of(
        [
            {
                "contentType": "application/vnd.microsoft.teams.file.download.info",
                "name": "comment.png",
                "content": {"downloadUrl": f"{site}/bearer", "fileType": "png"},
            }
        ],
        service_url=f"{site}/",
    )
    files = TeamsFiles(token)
    assert await files.fetch(pasted, limit=LIMIT) == b"Bearer connector-token"
    assert await files.fetch(attached, limit=LIMIT) == b"none"
