# Files sent to the bot in a Teams chat: read from a message's attachments, and fetched either from
# the short-lived download address Teams gives (a file) or from the connector with the bot's
# token (a pasted picture).
from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from bot.files import FetchFailed, Upload
from handlers.download import download

FILE_INFO = "application/vnd.microsoft.teams.file.download.info"
PICTURE_NAMES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def uploads_of(attachments: Sequence[Any] | None, service_url: str) -> tuple[Upload, ...]:
    """The files in a message: attached files (`file.download.info`, fetched without a token)
    and pasted pictures (`image/*` on the connector, fetched with the bot's token, and only
    from the host the activity came from). Cards and the message's HTML are not files."""
    found: list[Upload] = []
    home = urlsplit(service_url).hostname
    for attachment in attachments or ():
        kind = str(_get(attachment, "content_type", "contentType") or "")
        name = str(_get(attachment, "name") or "")
        content = _get(attachment, "content")
        if kind == FILE_INFO and isinstance(content, dict):
            url = content.get("downloadUrl")
            if isinstance(url, str) and url.startswith(("https://", "http://")):
                unique = str(content.get("uniqueId") or _digest(url))
                mimetype = _type_of(str(content.get("fileType") or ""))
                found.append(Upload("teams", unique, name or "file", mimetype, url=url))
        elif kind.startswith("image/"):
            url = _get(attachment, "content_url", "contentUrl")
            if isinstance(url, str) and urlsplit(url).hostname == home and home:
                picture = name or f"pasted.{PICTURE_NAMES.get(kind, 'png')}"
                found.append(Upload("teams", _digest(url), picture, kind, url=url, auth=True))
    return tuple(found)


class TeamsFiles:
    """Implements bot.files.FileFetcher for files sent in Teams chats."""

    def __init__(self, token: Callable[[], Awaitable[str]]) -> None:
        self._token = token

    async def fetch(self, upload: Upload, *, limit: int) -> bytes:
        if not upload.url:
            raise FetchFailed("no address to fetch from", permanent=True)
        headers = {}
        if upload.auth:
            token = await self._token()
            if token:
                headers["Authorization"] = f"Bearer {token}"
        return await download(upload.url, headers, limit=limit, where="Teams")


def _get(item: Any, *names: str) -> Any:
    for name in names:
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if value is not None:
            return value
    return None


def _type_of(extension: str) -> str:
    extension = extension.lower().lstrip(".")
    if extension == "pdf":
        return "application/pdf"
    if extension in ("jpg", "jpeg"):
        return "image/jpeg"
    if extension in ("png", "gif", "webp", "heic"):
        return f"image/{extension}"
    return "application/octet-stream"


def _digest(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:32]
