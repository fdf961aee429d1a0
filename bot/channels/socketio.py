"""Rasa's socket.io channel (the web chat's), open only to the clinic's pages.

Same events as Rasa's own (`session_request` / `session_confirm`,
`user_uttered`, `bot_uttered`), but:
- only pages from the origins in ALK_WEB_ORIGINS (comma-separated; default
  the chat page's own) may connect: Rasa's channel accepts
  any website, which could then talk to the assistant in a visitor's name;
- session ids are issued by the server and signed (bot/channels/identity.py):
  Rasa's channel confirms any id a client asks for and joins it to that
  room, so a second socket naming someone's id would receive their replies;
  here an id that does not verify gets a new one, every message must carry
  the socket's own verified id, and a socket is only ever in its own room;
- that room really is joined: Rasa 3.6 calls python-socketio 5's
  `enter_room` without awaiting it, so no reply would reach the browser;
- conversations are filed as `web:<session>`, apart from other channels';
- a message that is not `{"message": "text", "session_id": "..."}`, or is
  over MAX_MESSAGE_CHARS, gets a reply saying what is wrong instead of being
  dropped or processed;
- if the assistant produced no reply, the person is told so (`never_silent`).
"""

import logging
import secrets
from typing import Any, Dict, Optional

from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

from bot.channels.identity import WEB, SessionIds, keyed_by_channel
from bot.channels.replies import IF_URGENT, MessageHandler, never_silent
from bot.channels.rest import MAX_MESSAGE_CHARS
from bot.settings import get_settings

EXPECTED_MESSAGE = 'Send {"message": "your question", "session_id": "the id from session_confirm"}.'

logger = logging.getLogger(__name__)


def message_problem(data: Any) -> Optional[str]:
    """Says what is wrong with a `user_uttered` event's data, or None if nothing."""
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        return f"Sorry, I could not read that message. {EXPECTED_MESSAGE}"
    length = len(data["message"])
    if length > MAX_MESSAGE_CHARS:
        return (
            f"Your message has {length} characters; the limit is {MAX_MESSAGE_CHARS}. "
            f"Please send a shorter message. {IF_URGENT}"
        )
    return None


def session_ids() -> SessionIds:
    secret = get_settings().session_secret
    if not secret:
        # Sessions then last only as long as this process.
        logger.warning("ALK_SESSION_SECRET is not set: web chat sessions end when the server stops")
        secret = secrets.token_hex(32)
    return SessionIds(secret)


class SocketIOInput(RasaSocketIOInput):
    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        webhook = super().blueprint(keyed_by_channel(WEB, never_silent(on_new_message)))
        sio = self.sio
        signed = session_ids()
        # Each socket's one session, once confirmed: the room its replies go to.
        sessions: Dict[str, str] = {}
        # Rasa turns Engine.IO's origin check off (an empty list); a list of
        # origins turns it back on, for websockets as well as HTTP polling,
        # and Engine.IO then answers each allowed origin with CORS headers.
        sio.eio.cors_allowed_origins = list(get_settings().socketio_origins)
        rasa_handle_message = sio.handlers[self.namespace or "/"][self.user_message_evt]

        async def reply(sid: str, text: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)

        # Registering an event again replaces Rasa's handler for it.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            session = signed.verified(session_id)
            if not session:
                session_id = signed.issue()
                session = signed.verified(session_id)
            if self.session_persistence:
                earlier = sessions.get(sid)
                if earlier and earlier != session:
                    await sio.leave_room(sid, earlier, namespace=self.namespace)
                await sio.enter_room(sid, session, namespace=self.namespace)
            sessions[sid] = session
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)

        # A client may send the event without data: it is answered too.
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            problem = message_problem(data)
            if problem:
                await reply(sid, problem)
                return
            if not self.session_persistence:
                await rasa_handle_message(sid, data)
                return
            session = signed.verified(data.get("session_id"))
            if not session or sessions.get(sid) != session:
                await reply(sid, f"Sorry, that message has no valid session. {EXPECTED_MESSAGE}")
                return
            # Rasa files it, and sends the replies to the room, by the session alone.
            await rasa_handle_message(sid, {**data, "session_id": session})

        return webhook
