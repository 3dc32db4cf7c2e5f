# What a person's home page shows of access.
from __future__ import annotations

from bot.messages import Message
from bot.services import Services


async def home_pages(services: Services, email: str) -> list[Message]:
    """The access waiting for this person, and their own."""
    return []
