# Downloading a file a person gave the bot, for any channel: limited in size, no redirects, and a
# failure said as permanent (gone, refused, too big) or worth another try.
from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from bot.files import FetchFailed, too_big

TIMEOUT = aiohttp.ClientTimeout(total=60, sock_connect=10)
GONE = (403, 404, 410)  # and 401: the address has expired or is not ours


async def download(url: str, headers: Mapping[str, str], *, limit: int, where: str) -> bytes:
    """The bytes at `url`, at most `limit` of them. `where` names the service in reasons."""
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.get(url, headers=dict(headers), allow_redirects=False) as response,
        ):
            if response.status in (401, *GONE):
                raise FetchFailed(f"{where} answered {response.status}", permanent=True)
            if response.status != 200:
                raise FetchFailed(f"{where} answered {response.status}", permanent=False)
            if response.content_type == "text/html":
                raise FetchFailed(f"{where} sent a web page, not the file", permanent=True)
            return await _read(response, limit)
    except (TimeoutError, aiohttp.ClientError) as error:
        raise FetchFailed(f"download failed ({type(error).__name__})", permanent=False) from None


async def _read(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The body, refusing more than `limit` bytes without reading them all."""
    if response.content_length is not None and response.content_length > limit:
        raise too_big()
    content = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        content += chunk
        if len(content) > limit:
            raise too_big()
    return bytes(content)
