# Fetching a file given in a Slack form: files.info for its address, then the bytes with the bot
# token, sent only to Slack's own file host.
from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.files import FetchFailed, Upload
from handlers.download import download

FILE_HOST = "files.slack.com"
GONE = {"file_not_found", "file_deleted", "access_denied", "not_visible", "missing_scope"}


class SlackFiles:
    """Implements bot.files.FileFetcher for files in Slack (needs the files:read scope; without
    it Slack answers with a sign-in page, which fails as permanent)."""

    def __init__(self, client: AsyncWebClient, token: str) -> None:
        self._client = client
        self._token = token
        self._hosts = {FILE_HOST, urlsplit(client.base_url).hostname}

    async def fetch(self, upload: Upload, *, limit: int) -> bytes:
        url = await self._address(upload)
        if urlsplit(url).hostname not in self._hosts:
            raise FetchFailed("the file's address is not Slack's file host", permanent=True)
        headers = {"Authorization": f"Bearer {self._token}"}
        return await download(url, headers, limit=limit, where="Slack")

    async def _address(self, upload: Upload) -> str:
        try:
            answer = await self._client.files_info(file=upload.file_id)
        except SlackApiError as error:
            code = str(error.response.get("error", "error"))
            raise FetchFailed(f"files.info: {code}", permanent=code in GONE) from None
        except (TimeoutError, aiohttp.ClientError) as error:
            reason = f"files.info failed ({type(error).__name__})"
            raise FetchFailed(reason, permanent=False) from None
        file = answer.get("file") or {}
        url = file.get("url_private_download") or file.get("url_private")
        if not isinstance(url, str):
            raise FetchFailed("files.info gave no address", permanent=True)
        return url
