# Messages as e-mail: a subject and a plain-text body (buttons only work in chat).
from __future__ import annotations

from bot.messages import Message

ACT_IN_CHAT = "Open policybot in Slack or Teams to act on this."


def render_mail(message: Message) -> tuple[str, str]:
    """(subject, text) of `message`: the title as subject; the body, facts as "Label: value"
    lines, sections under their titles and the footer, as paragraphs. Buttons are not e-mailed:
    a message that has any says where to act instead."""
    paragraphs = [message.body] if message.body else []
    if message.facts:
        paragraphs.append("\n".join(f"{label}: {value}" for label, value in message.facts))
    paragraphs += [f"{section.title}\n{section.text}" for section in message.sections]
    if message.actions:
        paragraphs.append(ACT_IN_CHAT)
    if message.footer:
        paragraphs.append(message.footer)
    return " ".join(message.title.split()), "\n\n".join(paragraphs) + "\n"
