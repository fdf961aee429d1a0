"""Serves the web chat page (web/index.html) and the widget's files.

`python -m bot.web --port 8000` (`make run` starts it). The page talks to the
Rasa server's socket.io channel straight from the browser; this server only
hands out a fixed set of files, with the clinic's settings from the
environment written into the page as HTML-escaped attributes:

ALK_WEB_RASA_URL              the Rasa server as the browser reaches it (default http://localhost:5005)
ALK_WEB_TITLE                 the chat's title (default "ALK Companion")
ALK_WEB_PRIMARY_COLOUR        header and button colour, #rrggbb (default #0b5563)
ALK_WEB_PRIMARY_TEXT_COLOUR   text on that colour (default #ffffff)
ALK_WEB_PERSISTENCE           "session" (keep the chat until the tab closes, default) or "none"
ALK_WEB_HOST                  the address to listen on (default 127.0.0.1)
ALK_WEB_ORIGINS               for the Rasa server: the origins (comma-separated) of the pages
                              that may use its socket.io channel (default this page's own)

Every response forbids scripts from anywhere but this server and connections
to anywhere but the Rasa server.

It also serves the counselling handout (bot/nurse/handout.py), which the
chat links to: /handout.pdf and /handout.html, `?topics=side_effects,interactions`
for some topics only. The sheet holds nothing personal, so any visitor may
fetch it; each choice of topics is built once.
"""

import argparse
import html
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Dict, Mapping, Tuple
from urllib.parse import parse_qs, urlsplit

from bot.channels.replies import IF_URGENT

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
SOCKET_IO_CLIENT = WEB_DIR / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"

# URL path -> (file, content type): nothing else is ever served.
STATIC_FILES: Dict[str, Tuple[Path, str]] = {
    "/alk-chat.js": (WEB_DIR / "alk-chat.js", "text/javascript; charset=utf-8"),
    "/alk-chat.css": (WEB_DIR / "alk-chat.css", "text/css; charset=utf-8"),
    "/socket.io.min.js": (SOCKET_IO_CLIENT, "text/javascript; charset=utf-8"),
}

# URL path -> content type, for the handout in each format.
HANDOUT_FILES = {
    "/handout.pdf": "application/pdf",
    "/handout.html": "text/html; charset=utf-8",
}
# The handout page has its own styles and its chart inline, and no script.
HANDOUT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"

RASA_URL_ENV = "ALK_WEB_RASA_URL"
# For the action server: this page's server as people reach it, for handout links.
PAGE_URL_ENV = "ALK_WEB_URL"
ORIGINS_ENV = "ALK_WEB_ORIGINS"
DEFAULT_ORIGIN = "http://localhost:8000"
HOST_ENV = "ALK_WEB_HOST"

# Environment variable -> (widget's data-* attribute, default).
SETTINGS = {
    RASA_URL_ENV: ("server-url", "http://localhost:5005"),
    "ALK_WEB_TITLE": ("title", "ALK Companion"),
    "ALK_WEB_PRIMARY_COLOUR": ("primary-colour", "#0b5563"),
    "ALK_WEB_PRIMARY_TEXT_COLOUR": ("primary-text-colour", "#ffffff"),
    "ALK_WEB_PERSISTENCE": ("persistence", "session"),
}

# A host (name, IPv4 or [IPv6]) and optional port: safe to put in a header.
NETLOC = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$")


class ConfigError(ValueError):
    """A setting the page cannot work with; the message says which and why."""


@dataclass(frozen=True)
class PageConfig:
    attributes: Dict[str, str]

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "PageConfig":
        attributes = {
            attribute: environ.get(name) or default
            for name, (attribute, default) in SETTINGS.items()
        }
        attributes["urgent-text"] = IF_URGENT
        config = cls(attributes)
        config.rasa_origins()  # refuse a bad URL at start, not on the first request
        return config

    def rasa_origins(self) -> Tuple[str, str]:
        """The Rasa server's HTTP origin and its websocket twin, for the CSP."""
        url = self.attributes["server-url"]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not NETLOC.match(parts.netloc):
            raise ConfigError(
                f"ALK_WEB_RASA_URL must be an http(s) URL such as http://localhost:5005, not {url!r}."
            )
        websocket = "wss" if parts.scheme == "https" else "ws"
        return f"{parts.scheme}://{parts.netloc}", f"{websocket}://{parts.netloc}"

    def content_security_policy(self) -> str:
        http_origin, websocket_origin = self.rasa_origins()
        return (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src {http_origin} {websocket_origin}; "
            "base-uri 'none'; form-action 'none'"
        )

    def render_page(self) -> bytes:
        widget_attributes = " ".join(
            f'data-{name}="{html.escape(value, quote=True)}"'
            for name, value in self.attributes.items()
        )
        page = Template((WEB_DIR / "index.html").read_text(encoding="utf-8"))
        return page.substitute(
            title=html.escape(self.attributes["title"]),
            widget_attributes=widget_attributes,
        ).encode("utf-8")


@lru_cache(maxsize=16)
def handout_files(topics: Tuple[str, ...]) -> Dict[str, bytes]:
    """The handout with these topics' sections (all if none), in each format;
    raises ValueError for a topic the sheet does not have."""
    # Loaded on the first request: the page itself needs none of it.
    from bot.knowledge import load_knowledge
    from bot.nurse.handout import build_handout, write_handout

    handout = build_handout(load_knowledge(), topics or None)
    with tempfile.TemporaryDirectory() as out:
        html_path, pdf_path = write_handout(handout, Path(out))
        return {"/handout.html": html_path.read_bytes(), "/handout.pdf": pdf_path.read_bytes()}


def make_handler(config: PageConfig) -> type:
    page = config.render_page()
    headers = {
        "Content-Security-Policy": config.content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }

    class PageHandler(BaseHTTPRequestHandler):
        server_version = "ALKCompanionWeb"
        sys_version = ""

        def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's name)
            # http.server starts each line with the visitor's IP address,
            # personal data that the logs keep out.
            sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self._respond(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(send_body=False)

        def _respond(self, send_body: bool) -> None:
            url = urlsplit(self.path)
            path, policy = url.path, headers["Content-Security-Policy"]
            if path in ("/", "/index.html"):
                status, body, content_type = HTTPStatus.OK, page, "text/html; charset=utf-8"
            elif path in STATIC_FILES:
                file, content_type = STATIC_FILES[path]
                status, body = HTTPStatus.OK, file.read_bytes()
            elif path in HANDOUT_FILES:
                chosen = parse_qs(url.query).get("topics", [""])[0]
                topics = tuple(topic for topic in chosen.split(",") if topic)
                try:
                    status, body = HTTPStatus.OK, handout_files(topics)[path]
                    content_type, policy = HANDOUT_FILES[path], HANDOUT_POLICY
                except ValueError as error:
                    status, body = HTTPStatus.BAD_REQUEST, f"{error}\n".encode()
                    content_type = "text/plain; charset=utf-8"
            else:
                status, body, content_type = HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain"
            self.send_response(status)
            sent = {**headers, "Content-Security-Policy": policy, "Content-Type": content_type}
            for name, value in sent.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

    return PageHandler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default=os.environ.get(HOST_ENV, "127.0.0.1"))
    args = parser.parse_args()

    if not SOCKET_IO_CLIENT.is_file():
        print(
            f"{SOCKET_IO_CLIENT} is missing: the web chat's "
            "packages are not installed. Run `make web` (or `make run`, which does it).",
            file=sys.stderr,
        )
        return 1
    try:
        config = PageConfig.from_environment()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 1
    server = ThreadingHTTPServer((args.host, args.port), make_handler(config))
    print(f"Serving the web chat on http://{args.host}:{args.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
