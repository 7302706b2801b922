"""A real HTTP server on a loopback port, serving one app from a background thread."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """Keep errors in the log but drop the access line of every request."""

    def log_request(self, code="-", size="-") -> None:
        pass


class LiveServer:
    """Serve the app built by `build_app(url)` at `url` until `stop()`."""

    def __init__(self, build_app: Callable[[str], Flask]) -> None:
        # Bind first: the app must know its own address (BASE_URL) before it is built.
        self._server = make_server(
            "127.0.0.1", 0, self._dispatch, threaded=True, request_handler=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.app = build_app(self.url)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"live-server-{self._server.server_port}",
            daemon=True,
        )
        self._thread.start()

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    def absolute(self, path: str) -> str:
        """Return the full URL of a path on this server."""
        return self.url + path

    def stop(self) -> None:
        """Stop accepting requests and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
