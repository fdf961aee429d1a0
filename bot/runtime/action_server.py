"""The action server, closed to everyone but the Rasa server.

rasa-sdk's own server listens on every interface, allows CORS from anywhere,
has no authentication and, when an action fails, answers with the request
body: the tracker, that is the patient's words. This runs the same actions
in the same rasa-sdk app, but:
- listens on 127.0.0.1 unless ALK_ACTIONS_HOST says otherwise;
- allows no cross-origin calls (only the Rasa server calls it);
- when ALK_ACTIONS_TOKEN is set, refuses calls without it (Rasa sends it as
  the `token` query parameter of its action endpoint, see launcher.py);
- answers a failure with a bare error, logging no request contents;
- loads the content before it serves (actions/context.py): a broken content
  file stops it at start, with the reason;
- keeps TensorFlow out: spaCy's thinc imports it whenever it is installed
  (Rasa needs it, the actions do not). Measured side by side, loading the
  context took 2.6 s and 121 MB without it against 10.9 s and 485 MB with it,
  and a crashed action server is back (`make run` restarts it) that much sooner.
"""

import argparse
import hmac
import logging
import sys
from typing import Optional, Sequence

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request

from bot.settings import get_settings

DEFAULT_PORT = 5055
OPEN_PATHS = {"/health"}

logger = logging.getLogger(__name__)


def build_app(token: Optional[str]) -> Sanic:
    app = create_app("actions", cors_origins=None)

    @app.middleware("request")
    async def require_token(request: Request):
        if token and request.path not in OPEN_PATHS:
            given = request.args.get("token") or ""
            if not hmac.compare_digest(given, token):
                return response.json({"error": "missing or wrong token"}, status=401)

    @app.exception(Exception)
    async def fail_without_echo(request: Request, exception: Exception):
        # Replaces rasa-sdk's handler, which returns the request body.
        logger.error("action call failed: %s", type(exception).__name__)
        return response.json({"error": "the action failed"}, status=500)

    return app


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # `import tensorflow` now raises ImportError, which thinc takes as "not installed".
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]
    from actions.context import get_context

    get_context()
    settings = get_settings()
    host = settings.actions_host
    app = build_app(settings.actions_token)
    logger.info("action server on http://%s:%s", host, args.port)
    app.run(host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
