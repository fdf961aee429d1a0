"""The web chat's servers without a browser: the page server (bot/page_server.py) hands
out only its files, with security headers and the settings escaped; the Rasa
server's socket.io channel admits only the configured origins, answers over
socket.io, and answers bad or over-long messages with a clear reply."""

import queue
import re
import sys
from html.parser import HTMLParser
from typing import Dict, List

import pytest
import requests
import socketio

from bot.channels.identity import SessionIds
from bot.channels.replies import IF_URGENT
from bot.channels.rest import MAX_MESSAGE_CHARS
from bot.runtime import launcher, page_server
from bot.runtime.launcher import free_port
from bot.settings import Settings

FOREIGN_ORIGIN = "http://evil.example"


def page_origin(servers: launcher.Stack) -> str:
    return servers.web.url  # the origin launcher.start allowed for the page


def allow_origin_headers(response: requests.Response) -> List[str]:
    return response.raw.headers.getlist("Access-Control-Allow-Origin")


def test_the_page_and_its_files_come_with_security_headers(servers):
    page = requests.get(f"{servers.web.url}/", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    rasa_host = servers.rasa.url.split("://")[1]
    assert f"connect-src http://{rasa_host} ws://{rasa_host};" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    handout = requests.get(f"{servers.web.url}/handout.html?topics=interactions", timeout=60)
    for framed in (page, handout):  # no other site may frame them
        assert "frame-ancestors 'none'" in framed.headers["Content-Security-Policy"]
        assert framed.headers["X-Frame-Options"] == "DENY"
    for path in ("/alk-chat.js", "/socket.io.min.js", "/alk-chat.css"):
        response = requests.get(servers.web.url + path, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/../bot/page_server.py",
        "/%2e%2e/README.md",
        "/web/alk-chat.js",
        "/package.json",
        "/node_modules/axe-core/axe.min.js",
        "/socket.io.min.js.map",
        "//etc/passwd",
    ],
)
def test_nothing_but_the_known_files_is_served(servers, path):
    response = requests.get(servers.web.url + path, timeout=10)
    assert response.status_code == 404


def test_a_visitor_who_stops_sending_is_cut_off_and_any_spelling_of_a_sheet_is_built_once():
    handler = page_server.make_handler(page_server.PageConfig.from_settings(Settings()))
    assert handler.timeout == page_server.READ_TIMEOUT_SECONDS
    spellings = (
        "interactions,side_effects",
        " Side_Effects,interactions,",
        "interactions,,side_effects",
    )
    assert {page_server.handout_topics(spelling) for spelling in spellings} == {
        ("interactions", "side_effects")
    }


def test_the_page_servers_log_leaves_out_visitors_addresses(servers):
    requests.get(f"{servers.web.url}/", timeout=10)
    log = servers.web.log_path.read_text()
    assert '"GET / HTTP/1.1" 200' in log
    assert not re.search(r"^127\.0\.0\.1 ", log, re.MULTILINE)


class ScriptsAndTitle(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: List[Dict[str, str]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def test_settings_are_written_into_the_page_as_text():
    title = '</script><script>alert(1)</script>"Clinic" & <b>co</b>'
    settings = Settings(web_title=title, web_primary_colour='"><script>alert(2)</script>')
    page = ScriptsAndTitle()
    page.feed(page_server.PageConfig.from_settings(settings).render_page().decode())
    assert [script["src"] for script in page.scripts] == ["/socket.io.min.js", "/alk-chat.js"]
    widget = page.scripts[1]
    assert widget["data-title"] == title and page.title == title
    assert widget["data-primary-colour"] == '"><script>alert(2)</script>'
    assert widget["data-urgent-text"] == IF_URGENT


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "localhost:5005",
        "http://localhost:5005; script-src *",
        "http://a b",
        "ftp://localhost",
    ],
)
def test_a_rasa_url_that_is_not_plain_http_is_refused_at_start(url):
    with pytest.raises(page_server.ConfigError, match="ALK_WEB_RASA_URL"):
        page_server.PageConfig.from_settings(Settings(web_rasa_url=url))


def test_without_the_web_packages_the_page_server_says_to_run_make_web(
    monkeypatch, tmp_path, capsys
):
    monkeypatch.setattr(page_server, "SOCKET_IO_CLIENT", tmp_path / "socket.io.min.js")
    monkeypatch.setattr(sys, "argv", ["bot.runtime.page_server", "--port", str(free_port())])
    assert page_server.main() == 1
    assert "make web" in capsys.readouterr().err


def test_socket_io_gives_one_cors_header_to_the_page_and_none_to_other_sites(servers):
    handshake = f"{servers.rasa.url}/socket.io/?EIO=4&transport=polling"
    allowed = requests.get(handshake, headers={"Origin": page_origin(servers)}, timeout=10)
    assert allowed.status_code == 200
    assert allow_origin_headers(allowed) == [page_origin(servers)]

    foreign = requests.get(handshake, headers={"Origin": FOREIGN_ORIGIN}, timeout=10)
    assert foreign.status_code == 400 and allow_origin_headers(foreign) == []
    webhook = requests.post(
        f"{servers.rasa.url}/webhooks/rest/webhook",
        json={"sender": "cors-probe", "message": "hi"},
        headers={"Origin": FOREIGN_ORIGIN},
        timeout=60,
    )
    assert allow_origin_headers(webhook) == []


class SocketChat:
    """A socket.io client, as the page is, collecting the assistant's replies."""

    def __init__(self, servers: launcher.Stack, origin: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.events: queue.Queue[tuple] = queue.Queue()
        for event in ("session_confirm", "bot_uttered"):
            self.client.on(event, lambda data, event=event: self.events.put((event, data)))
        # Long-polling: the websocket client would add an Origin header of its own.
        self.client.connect(
            servers.rasa.url, headers={"Origin": origin}, transports=["polling"], wait_timeout=30
        )

    def next(self, event: str):
        received, data = self.events.get(timeout=60)
        assert received == event, (received, data)
        return data

    def emit(self, event: str, data) -> None:
        self.client.emit(event, data)

    def close(self) -> None:
        # Without waiting up to 25 s for the pending long-poll to return.
        self.client.eio.disconnect(abort=True)


@pytest.fixture()
def socket_chat(servers):
    chat = SocketChat(servers, page_origin(servers))
    yield chat
    chat.close()


def test_a_foreign_site_cannot_open_a_socket(servers):
    with pytest.raises(socketio.exceptions.ConnectionError):
        SocketChat(servers, FOREIGN_ORIGIN)


def test_a_session_is_joined_and_answered_over_socket_io(socket_chat, say):
    socket_chat.emit("session_request", {"session_id": None})
    session_id = socket_chat.next("session_confirm")
    socket_chat.emit("user_uttered", {"message": "/greet", "session_id": session_id})
    expected = say("/greet")[0]["text"].strip().split("\n\n")[0]
    assert socket_chat.next("bot_uttered")["text"] == expected


def test_over_long_and_malformed_messages_get_a_clear_reply(socket_chat):
    socket_chat.emit("session_request", {"session_id": None})
    session_id = socket_chat.next("session_confirm")

    long = "a" * (MAX_MESSAGE_CHARS + 1)
    socket_chat.emit("user_uttered", {"message": long, "session_id": session_id})
    reply = socket_chat.next("bot_uttered")["text"]
    assert str(MAX_MESSAGE_CHARS + 1) in reply and IF_URGENT in reply

    for data in ({"message": "hi"}, {"message": 42, "session_id": session_id}, "hi"):
        socket_chat.emit("user_uttered", data)
        assert "Send {" in socket_chat.next("bot_uttered")["text"], data


def test_a_session_id_the_server_did_not_issue_is_replaced_by_a_signed_one(servers, socket_chat):
    for asked in ("a-session", "0" * 32, f"{'0' * 32}.{'0' * 32}"):
        socket_chat.emit("session_request", {"session_id": asked})
        confirmed = socket_chat.next("session_confirm")
        assert confirmed != asked
        assert SessionIds(servers.settings.session_secret).verified(confirmed)


def test_a_second_socket_can_neither_join_nor_write_into_someone_elses_session(servers, say):
    patient, intruder = (SocketChat(servers, page_origin(servers)) for _ in range(2))
    try:
        patient.emit("session_request", {"session_id": None})
        session_id = patient.next("session_confirm")
        # What others may have seen of the session: its key, as the tracker
        # store and a handoff summary name it. Asking for it gives a new one.
        session = SessionIds(servers.settings.session_secret).verified(session_id)
        intruder.emit("session_request", {"session_id": session})
        assert intruder.next("session_confirm") != session_id

        # A message naming the patient's signed id from a socket that was not
        # given it is refused, and does not reach the patient's conversation.
        intruder.emit("user_uttered", {"message": "/restart", "session_id": session_id})
        assert "no valid session" in intruder.next("bot_uttered")["text"]
        patient.emit("user_uttered", {"message": "/greet", "session_id": session_id})
        expected = say("/greet")[0]["text"].strip().split("\n\n")[0]
        assert patient.next("bot_uttered")["text"] == expected
        # The patient's replies went to the patient alone.
        with pytest.raises(queue.Empty):
            intruder.events.get(timeout=3)
    finally:
        patient.close()
        intruder.close()
