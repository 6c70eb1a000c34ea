"""A limit on the length of the names in a request's path, answered before Streamlit sees the request.

Why: Streamlit 1.67 on Python 3.11 answers a request for a static file (``/app/static/...``) whose
name is over 255 bytes with HTTP 500 and a traceback that repeats the name into the server log (the
file system refuses the name, and ``pathlib`` raises rather than saying "no such file"); one client
can fill a disk that way. No file of the atlas has such a name, so such a request gets 404 and, at
most once a minute, one short line in the log. Mounted through Streamlit's public ``st.App`` in
``serve.py`` (``scripts/run.sh`` serves that).
"""

from __future__ import annotations

import logging
import time

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

#: Linux's limits: bytes in one name (NAME_MAX) and in a whole path (PATH_MAX).
NAME_MAX = 255
PATH_MAX = 4096
LOG_EVERY_S = 60.0
LOG = logging.getLogger("atlas.path_limit")


def too_long(path: str) -> bool:
    """Whether a request path has a name (between slashes) over NAME_MAX bytes, or is over PATH_MAX."""
    raw = path.encode("utf-8", "surrogatepass")
    return len(raw) > PATH_MAX or any(len(name) > NAME_MAX for name in raw.split(b"/"))


class PathLengthLimit:
    """ASGI middleware: 404 for a path no file can have, before any handler tries the file system."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.refused = 0
        self.logged_at = -LOG_EVERY_S

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not too_long(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        self.refused += 1
        now = time.monotonic()
        if now - self.logged_at >= LOG_EVERY_S:
            LOG.warning("404 for %d request(s) with a name over %d bytes in the path (the last: %d bytes)",
                        self.refused, NAME_MAX, len(scope.get("path", "")))
            self.refused, self.logged_at = 0, now
        await PlainTextResponse("Not found: a name in this address is too long.", status_code=404)(scope, receive, send)
