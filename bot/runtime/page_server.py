"""Serves the web chat page (web/index.html) and the widget's files.

`python -m bot.runtime.page_server --port 8000` (`make run` starts it). The page talks to the
Rasa server's socket.io channel straight from the browser; this server only
hands out a fixed set of files, with the clinic's settings (the ALK_WEB_*
variables of bot/settings.py: the Rasa server as browsers reach it, title,
colours, persistence) written into the page as HTML-escaped attributes.

Every response forbids scripts from anywhere but this server and connections
to anywhere but the Rasa server.

It also serves the counselling handout (bot/nurse/handout/), which the
chat links to: /handout.pdf and /handout.html, `?topics=side_effects,interactions`
for some topics only. The sheet holds nothing personal, so any visitor may
fetch it; each choice of topics is built once, whatever its spelling
("interactions,side_effects" and " Side_Effects,interactions," are one).

No other site may frame these pages (a framed chat could be overlaid to trick
a patient), and a visitor who stops sending mid-request is cut off after
READ_TIMEOUT_SECONDS rather than holding a thread.
"""

import argparse
import html
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Dict, Tuple
from urllib.parse import parse_qs, urlsplit

from bot.channels.replies import IF_URGENT
from bot.nurse.handout.composition import TooHardToRead
from bot.settings import Settings, get_settings

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
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
HANDOUT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "frame-ancestors 'none'"
)

READ_TIMEOUT_SECONDS = 30

# A host (name, IPv4 or [IPv6]) and optional port: safe to put in a header.
NETLOC = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$")


class ConfigError(ValueError):
    """A setting the page cannot work with; the message says which and why."""


@dataclass(frozen=True)
class PageConfig:
    attributes: Dict[str, str]

    @classmethod
    def from_settings(cls, settings: Settings) -> "PageConfig":
        # The widget's data-* attributes.
        attributes = {
            "server-url": settings.rasa_url_for_browsers,
            "title": settings.web_title,
            "primary-colour": settings.web_primary_colour,
            "primary-text-colour": settings.web_primary_text_colour,
            "persistence": settings.web_persistence,
            "urgent-text": IF_URGENT,
        }
        config = cls(attributes)
        config.rasa_origins()  # refuse a bad URL at start, not on the first request
        return config

    def rasa_origins(self) -> Tuple[str, str]:
        """The Rasa server's HTTP origin and its websocket twin, for the CSP."""
        url = self.attributes["server-url"]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not NETLOC.match(parts.netloc):
            raise ConfigError(
                "ALK_WEB_RASA_URL must be an http(s) URL such as http://localhost:5005, "
                f"not {url!r}."
            )
        websocket = "wss" if parts.scheme == "https" else "ws"
        return f"{parts.scheme}://{parts.netloc}", f"{websocket}://{parts.netloc}"

    def content_security_policy(self) -> str:
        http_origin, websocket_origin = self.rasa_origins()
        return (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src {http_origin} {websocket_origin}; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
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
    raises ValueError for a topic the sheet does not have, and TooHardToRead
    for a sheet above the reading grade."""
    # The drawing and PDF libraries load on the first request: the page
    # itself needs none of them.
    from bot.knowledge import load_knowledge
    from bot.nurse.handout.composition import build_handout
    from bot.nurse.handout.html_page import to_html
    from bot.nurse.handout.pdf import pdf_bytes

    handout = build_handout(load_knowledge(), topics or None)
    return {"/handout.html": to_html(handout).encode("utf-8"), "/handout.pdf": pdf_bytes(handout)}


def handout_topics(chosen: str) -> Tuple[str, ...]:
    """The topics a `topics=` value names, in one spelling: the cache's key."""
    return tuple(sorted({topic.strip().lower() for topic in chosen.split(",")} - {""}))


def make_handler(config: PageConfig) -> type:
    page = config.render_page()
    headers = {
        "Content-Security-Policy": config.content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
        "X-Frame-Options": "DENY",  # frame-ancestors, for browsers without CSP 2
    }

    class PageHandler(BaseHTTPRequestHandler):
        server_version = "ALKCompanionWeb"
        sys_version = ""
        timeout = READ_TIMEOUT_SECONDS

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
                topics = handout_topics(chosen)
                try:
                    status, body = HTTPStatus.OK, handout_files(topics)[path]
                    content_type, policy = HANDOUT_FILES[path], HANDOUT_POLICY
                except TooHardToRead as error:
                    status, body = HTTPStatus.INTERNAL_SERVER_ERROR, f"{error}\n".encode()
                    content_type = "text/plain; charset=utf-8"
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
    settings = get_settings()
    parser.add_argument("--host", default=settings.web_host)
    args = parser.parse_args()

    if not SOCKET_IO_CLIENT.is_file():
        print(
            f"{SOCKET_IO_CLIENT} is missing: the web chat's "
            "packages are not installed. Run `make web` (or `make run`, which does it).",
            file=sys.stderr,
        )
        return 1
    try:
        config = PageConfig.from_settings(settings)
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
