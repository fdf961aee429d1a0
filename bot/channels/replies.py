"""Guarantees that every message a person sends gets a reply.

Rasa logs a failed custom action (say, the action server is down) and carries
on without a word to the person, who is left waiting. Channels wrap Rasa's
message handler with `never_silent` so that silence becomes a clear message.
A message that makes the handler fail is answered the same way and logged by
the kind of failure only: Rasa's channels would log the person's words.
"""

import logging
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, Text

if TYPE_CHECKING:  # the web page server reads IF_URGENT without loading Rasa
    from rasa.core.channels.channel import UserMessage

# Said wherever the assistant cannot read or answer a message, since that
# message may be an emergency no one has seen.
IF_URGENT = (
    "If you feel unwell or it is urgent, contact your care team or call your "
    "local emergency number."
)
UNAVAILABLE_REPLY = (
    "Sorry, I can't answer right now because part of me isn't working. "
    f"Please try again in a few minutes. {IF_URGENT}"
)
# Said after an answer when the conversation could not then be saved (the
# store failed): a follow-up leaning on that answer would lose its thread.
NOT_SAVED_REPLY = (
    "Sorry, part of me isn't working, so I may not remember this if you ask "
    "about it again. Please try again in a few minutes."
)

MessageHandler = Callable[["UserMessage"], Awaitable[Any]]

logger = logging.getLogger(__name__)


def never_silent(on_new_message: MessageHandler) -> MessageHandler:
    """Wraps a channel's handler to send UNAVAILABLE_REPLY if nothing was sent,
    and NOT_SAVED_REPLY if the handler failed after answering."""

    async def handle(message: "UserMessage") -> None:
        channel = message.output_channel
        send_response = channel.send_response
        replies = 0
        failed = False

        # Every bot message goes out through send_response, so counting the
        # calls tells whether the person heard anything back.
        async def counted_send_response(recipient_id: Text, reply: Dict) -> None:
            nonlocal replies
            replies += 1
            await send_response(recipient_id, reply)

        channel.send_response = counted_send_response
        try:
            await on_new_message(message)
        except Exception as error:  # noqa: BLE001 (any failure gets the same reply)
            failed = True
            logger.error("handling a message failed: %s", type(error).__name__)
        finally:
            if not replies:
                await send_response(message.sender_id, {"text": UNAVAILABLE_REPLY})
            elif failed:
                await send_response(message.sender_id, {"text": NOT_SAVED_REPLY})

    return handle
