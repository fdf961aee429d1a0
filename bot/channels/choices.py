"""Buttons as numbered choices, and long texts in pieces a messaging app takes.

Where an app has no buttons (SMS, WhatsApp through Twilio) a message with
buttons goes out as its text followed by "1. Side effects" lines, and a reply
that is only a number ("2", " 2 ", "2.") is read as that choice. The choices
on offer are read from the conversation's tracker (the buttons of the
assistant's last message since the person last wrote), not from memory, so
any replica of the server, or one just restarted, reads "2" the same way. A
number with no choice on offer is passed on as typed.
"""

import re
from typing import Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import BotUttered, Event, UserUttered

from bot.channels.replies import MessageHandler

Button = Dict[Text, Text]

CHOICE_NUMBER = re.compile(r"\s*(\d{1,2})\s*[.)]?\s*")

# Where a long text may be cut, best first: between paragraphs, lines,
# sentences, words; a text with none of them is cut at the limit.
BREAKS = ("\n\n", "\n", ". ", " ")


def numbered(text: Text, buttons: List[Button]) -> Text:
    """The text, then each button's title on its own line after its number."""
    choices = "\n".join(f"{number}. {button['title']}" for number, button in enumerate(buttons, 1))
    return f"{text}\n\n{choices}" if text else choices


def choice_number(text: Text) -> Optional[int]:
    match = CHOICE_NUMBER.fullmatch(text or "")
    return int(match.group(1)) if match else None


def buttons_on_offer(events: Iterable[Event]) -> List[Button]:
    """The buttons of the assistant's last message with buttons, if it came
    after the person's last message."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered) and event.data.get("buttons"):
            return event.data["buttons"]
    return []


def chosen(text: Text, buttons: List[Button]) -> Text:
    """The payload of the button the text numbers, or the text as it is."""
    number = choice_number(text)
    if number is None or not 1 <= number <= len(buttons):
        return text
    return buttons[number - 1]["payload"]


def reading_choices(on_new_message: MessageHandler, tracker_store: TrackerStore) -> MessageHandler:
    """Wraps a channel's handler to read a numbered reply as the choice it names."""

    async def handle(message: UserMessage) -> None:
        if choice_number(message.text) is not None:
            tracker = await tracker_store.retrieve(message.sender_id)
            events = tracker.events if tracker else []
            message.text = chosen(message.text, buttons_on_offer(events))
        await on_new_message(message)

    return handle


def split_text(text: Text, limit: int) -> List[Text]:
    """The text in pieces of at most `limit` characters, cut at the best break."""
    pieces = []
    rest = text.strip()
    while len(rest) > limit:
        cut = limit
        for separator in BREAKS:
            at = rest.rfind(separator, 0, limit)
            if at > 0:
                cut = at + len(separator.rstrip())  # a sentence keeps its full stop
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return pieces + [rest] if rest else pieces
