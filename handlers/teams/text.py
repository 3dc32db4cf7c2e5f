# Plain words as Adaptive Card TextBlocks: escaping what Teams' markdown subset would misread.
from __future__ import annotations

import re
from typing import Any

MAX_TEXT = 3000  # as Slack's section limit: a long text is cut, not the whole card refused
MAX_FACT = 2000

_SPECIAL = re.compile(r"([\\*_`\[\]~])")
_MARK = re.compile(r"^([-+#>])(?=\s|$)")
_NUMBER = re.compile(r"^(\d+)([.)])(?=\s|$)")
_TEXT_FUNCTION = re.compile(r"\{\{(?=(DATE|TIME)\()", re.IGNORECASE)
_SLACK_BOLD_LINE = re.compile(r"^\*([^*\n]+)\*$")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(line: str) -> str:
    """One line of people's words kept as words: no emphasis, links, list or heading marks,
    or date functions read into it."""
    line = _SPECIAL.sub(r"\\\1", line)
    line = _NUMBER.sub(r"\1\\\2", _MARK.sub(r"\\\1", line))
    return _TEXT_FUNCTION.sub("{\u200b{", line)


def markdown(text: str) -> str:
    """Plain text as TextBlock markdown: every line escaped and kept as its own paragraph
    (markdown joins single lines, and reads indented ones as code). A whole line in Slack's
    *bold*, the one formatting the domain's words use (in some intros), is shown bold."""
    paragraphs = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        bold = _SLACK_BOLD_LINE.match(line)
        paragraphs.append(f"**{escape(bold.group(1))}**" if bold else escape(line))
    return "\n\n".join(paragraphs)


def text_block(text: str, limit: int = MAX_TEXT, **style: Any) -> dict[str, Any]:
    """A wrapped TextBlock of plain words."""
    return {"type": "TextBlock", "text": markdown(cut(text, limit)), "wrap": True, **style}


def heading(text: str) -> dict[str, Any]:
    return text_block(text, 200, size="Medium", weight="Bolder", style="heading")


def subtle(text: str) -> dict[str, Any]:
    return text_block(text, isSubtle=True, size="Small", spacing="None")


def attention(text: str) -> dict[str, Any]:
    """A problem in plain words, in the host's attention colour."""
    return text_block(text, color="Attention", spacing="None")
