"""Whose conversation a message belongs to, in a way no one can forge.

Rasa files each message under the sender id its channel gives, and every
channel shares one space of ids: a REST caller names any id it likes, and
Telegram's chat ids and Twilio's phone numbers can be guessed. Knowing one
would be enough to read, restart or steer someone's conversation from
another channel. So:
- every channel's conversations are filed under `<channel>:<its id>`
  (`conversation_key`), so no channel can name another's: the messaging
  apps' ids are signed by the apps themselves, REST's are the trusted
  caller's own (in production behind ALK_REST_TOKEN);
- the web chat's session id is issued by the server and signed with
  ALK_SESSION_SECRET (`SessionIds`): a session id no one was given does not
  verify, and a socket cannot join another person's session.
Plain Python; `keyed_by_channel` wraps a Rasa channel's message handler.
"""

import hashlib
import hmac
import re
import secrets
from typing import TYPE_CHECKING, Any, Dict, Optional, Text

from bot.channels.replies import MessageHandler

if TYPE_CHECKING:
    from rasa.core.channels.channel import UserMessage

# The channel part of a conversation key, by channel.
REST, WEB, TELEGRAM, TWILIO, MESSENGER = "rest", "web", "telegram", "twilio", "messenger"

SESSION_ID_BYTES = 16  # 128 random bits, as a uuid4
SIGNATURE_CHARS = 32  # 128 bits of HMAC-SHA256, in hex
# A session, then its signature, as issue() writes them.
SIGNED_SESSION_ID = re.compile(
    rf"([0-9a-f]{{{2 * SESSION_ID_BYTES}}})\.([0-9a-f]{{{SIGNATURE_CHARS}}})"
)


def conversation_key(channel: str, sender_id: Text) -> str:
    """The tracker store's key for a conversation `sender_id` on `channel`."""
    return f"{channel}:{sender_id}"


def keyed_by_channel(channel: str, on_new_message: MessageHandler) -> MessageHandler:
    """Wraps a channel's handler so its messages are filed under the
    channel's keys, while replies still go to the sender as the channel
    knows them. Wrap outermost: the handlers inside see the key."""
    prefix = conversation_key(channel, "")

    async def handle(message: "UserMessage") -> None:
        sender_id = message.sender_id
        message.sender_id = conversation_key(channel, sender_id)
        output = message.output_channel
        send_response = output.send_response

        # Rasa sends every reply to the tracker's key: to the channel, the
        # recipient is the id it knows.
        async def to_sender(recipient_id: Text, reply: Dict) -> None:
            known = recipient_id[len(prefix) :] if recipient_id.startswith(prefix) else recipient_id
            await send_response(known, reply)

        output.send_response = to_sender  # type: ignore[method-assign]
        await on_new_message(message)

    return handle


class SessionIds:
    """Web chat session ids: random, signed with the server's secret.

    A session id reads `<random hex>.<signature>`; only the random part is
    the conversation's, so the signature is never stored with the chat."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def _signature(self, session: str) -> str:
        digest = hmac.new(self._key, session.encode(), hashlib.sha256).hexdigest()
        return digest[:SIGNATURE_CHARS]

    def issue(self) -> str:
        session = secrets.token_hex(SESSION_ID_BYTES)
        return f"{session}.{self._signature(session)}"

    def verified(self, session_id: Any) -> Optional[str]:
        """The session a signed id names, or None if it does not verify."""
        match = SIGNED_SESSION_ID.fullmatch(session_id) if isinstance(session_id, str) else None
        if not match:
            return None
        session, signature = match.groups()
        return session if hmac.compare_digest(signature, self._signature(session)) else None
