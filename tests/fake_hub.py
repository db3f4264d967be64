"""A minimal Hub-style file server on 127.0.0.1: the ``resolve`` endpoint that ``hf_hub_download`` uses.

Model repos are served as ``<org>/<name>``, dataset repos as ``datasets/<org>/<name>``.
"""

from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class _Handler(BaseHTTPRequestHandler):
    repos: dict[str, Path] = {}
    requests: list[str] = []

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _answer(self, with_body: bool) -> None:
        self.requests.append(f"{self.command} {self.path}")
        parts = self.path.split("?")[0].strip("/").split("/")
        prefix = ""
        if parts and parts[0] == "datasets":
            prefix, parts = "datasets/", parts[1:]
        if len(parts) < 5 or parts[2] != "resolve":
            return self._error(404, "EntryNotFound")
        repo, filename = prefix + "/".join(parts[:2]), "/".join(parts[4:])
        if repo not in self.repos:
            return self._error(404, "RepoNotFound")
        file = self.repos[repo] / filename
        if not file.is_file():
            return self._error(404, "EntryNotFound")
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", f'"{hashlib.sha256(body).hexdigest()}"')
        self.send_header("X-Repo-Commit", COMMIT)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _error(self, status: int, code: str) -> None:
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(with_body=True)


@contextmanager
def serve(repos: dict[str, Path]) -> Iterator[tuple[str, list[str]]]:
    """Serve ``repos`` (repo id → folder); yields the endpoint URL and the log of requests."""
    handler = type("Handler", (_Handler,), {"repos": dict(repos), "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.requests
    finally:
        server.shutdown()
        server.server_close()
