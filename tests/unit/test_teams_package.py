# The Teams app package: manifest with the bot's id and commands, icons of the right sizes.
from __future__ import annotations

import io
import json
import zipfile

from PIL import Image

from bot.front import Command
from handlers.teams.package import AppInfo, manifest, package

BOT = "00000000-0000-4000-8000-00000000b07a"


async def _noop(*_: object) -> None:
    return None


COMMANDS = (
    Command("/report-misuse", "report misuse", "Report misuse of social media", _noop),
    Command("/policybot", "help", "What policybot does for you", _noop),
)


def test_the_manifest_names_the_bot_and_its_commands() -> None:
    data = manifest(AppInfo(BOT, "Community Inclusive Trust", "https://trust.example"), COMMANDS)
    assert data["manifestVersion"] == "1.22" and data["id"] == BOT
    bot = data["bots"][0]
    assert bot["botId"] == BOT and set(bot["scopes"]) == {"personal", "team", "groupChat"}
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert titles == ["report misuse", "help"]


def test_the_zip_holds_the_manifest_and_both_icons_at_its_root() -> None:
    data = package(AppInfo(BOT, "T", "https://trust.example"), COMMANDS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(archive.read("manifest.json"))["icons"]["outline"] == "outline.png"
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert color.size == (192, 192) and outline.size == (32, 32)
    assert outline.mode == "RGBA"
    assert {p[:3] for p in outline.getdata() if p[3]} == {(255, 255, 255)}
