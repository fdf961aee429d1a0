"""Rasa's socket.io channel (the web chat's), open only to the clinic's pages.

Same events as Rasa's own (`session_request` / `session_confirm`,
`user_uttered`, `bot_uttered`), but:
- only pages from the origins in ALK_WEB_ORIGINS (comma-separated; default
  the chat page's own) may connect: Rasa's channel accepts
  any website, which could then talk to the assistant in a visitor's name;
- a session really is joined: Rasa 3.6 calls python-socketio 5's
  `enter_room` without awaiting it, so with session persistence no reply
  would ever reach the browser;
- a message that is not `{"message": "text", "session_id": "..."}`, or is
  over MAX_MESSAGE_CHARS, gets a reply saying what is wrong instead of being
  dropped or processed;
- if the assistant produced no reply, the person is told so (`never_silent`).
"""

import re
import uuid
from typing import Any, Optional

from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

from bot.channels.replies import IF_URGENT, MessageHandler, never_silent
from bot.channels.rest import MAX_MESSAGE_CHARS
from bot.settings import get_settings

# What a session id may look like: Rasa's are uuid4 hex; anything else gets a new one.
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

EXPECTED_MESSAGE = 'Send {"message": "your question", "session_id": "the id from session_confirm"}.'


def message_problem(data: Any, needs_session: bool = True) -> Optional[str]:
    """Says what is wrong with a `user_uttered` event's data, or None if nothing."""
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        return f"Sorry, I could not read that message. {EXPECTED_MESSAGE}"
    session_id = data.get("session_id")
    if needs_session and not (isinstance(session_id, str) and SESSION_ID.match(session_id)):
        return f"Sorry, that message has no valid session. {EXPECTED_MESSAGE}"
    length = len(data["message"])
    if length > MAX_MESSAGE_CHARS:
        return (
            f"Your message has {length} characters; the limit is {MAX_MESSAGE_CHARS}. "
            f"Please send a shorter message. {IF_URGENT}"
        )
    return None


class SocketIOInput(RasaSocketIOInput):
    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        webhook = super().blueprint(never_silent(on_new_message))
        sio = self.sio
        # Rasa turns Engine.IO's origin check off (an empty list); a list of
        # origins turns it back on, for websockets as well as HTTP polling,
        # and Engine.IO then answers each allowed origin with CORS headers.
        sio.eio.cors_allowed_origins = list(get_settings().socketio_origins)
        rasa_handle_message = sio.handlers[self.namespace or "/"][self.user_message_evt]

        # Registering an event again replaces Rasa's handler for it.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            problem = message_problem(data, needs_session=self.session_persistence)
            if problem:
                await sio.emit(
                    self.bot_message_evt, {"text": problem}, room=sid, namespace=self.namespace
                )
                return
            await rasa_handle_message(sid, data)

        return webhook
