# The Teams app package: manifest.json (the bot's id, its commands) and the two icons, zipped
# for upload to Teams admin centre or Developer Portal.
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from bot.front import Command

MANIFEST_VERSION = "1.22"
SCHEMA = (
    f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
    "MicrosoftTeams.schema.json"
)
ACCENT = (31, 111, 92)  # the colour icon's background, and the accent colour
MAX_COMMANDS = 10  # Teams shows at most ten per command list


@dataclass(frozen=True)
class AppInfo:
    """What the manifest says about the app and who publishes it."""

    bot_id: str
    trust_name: str
    website: str
    privacy_url: str | None = None
    terms_url: str | None = None
    version: str = "1.0.0"


def manifest(info: AppInfo, commands: Sequence[Command]) -> dict[str, Any]:
    """manifest.json: one bot for personal chats, teams and group chats, with the commands."""
    listed = list(dict.fromkeys((c.teams, c.what) for c in commands))[:MAX_COMMANDS]
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": info.version,
        "id": info.bot_id,
        "developer": {
            "name": info.trust_name[:32],
            "websiteUrl": info.website,
            "privacyUrl": info.privacy_url or info.website,
            "termsOfUseUrl": info.terms_url or info.website,
        },
        "name": {"short": "policybot", "full": f"policybot for {info.trust_name}"[:100]},
        "description": {
            "short": "The Trust's social media policy, made easy to follow."[:80],
            "full": (
                f"policybot helps the staff of {info.trust_name} follow the social media policy: "
                "report misuse, request a post on an official account, declare a relationship, "
                "keep training up to date, look up photo consent and log abusive comments. "
                "It sends the right people what needs their attention."
            )[:4000],
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": info.bot_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": True,  # screenshots for the abuse log, in personal chat
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal"],
                        "commands": [
                            {"title": title[:32], "description": what[:128]}
                            for title, what in listed
                        ],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def color_icon() -> bytes:
    """192×192: a white speech bubble with a tick on the accent colour."""
    image = Image.new("RGBA", (192, 192), (*ACCENT, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((36, 40, 156, 132), radius=22, fill="white")
    draw.polygon([(64, 128), (64, 160), (96, 128)], fill="white")
    draw.line([(66, 86), (88, 108), (128, 66)], fill=(*ACCENT, 255), width=12)
    return _png(image)


def outline_icon() -> bytes:
    """32×32: the same bubble, white on transparent, as Teams asks."""
    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 5, 27, 22), radius=4, outline=(255, 255, 255, 255), width=2)
    draw.polygon([(9, 21), (9, 28), (15, 21)], fill=(255, 255, 255, 255))
    return _png(image)


def package(info: AppInfo, commands: Sequence[Command]) -> bytes:
    """The zip: manifest.json and the icons at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(info, commands), indent=2))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return buffer.getvalue()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
