"""A minimal Hub-style server on 127.0.0.1 that the real ``huggingface_hub`` client can talk to.

It keeps each repository as a list of commits (path → bytes) with a ``main`` branch, and answers the
endpoints that downloads and uploads use:

- ``GET /api/{models,datasets}/<repo>[/revision/<rev>]``: repo info with the resolved ``sha``
- ``GET /api/<type>s/<repo>/tree/<rev>[/<path>]`` and ``POST …/paths-info/<rev>``: file listings
- ``HEAD|GET /[datasets/]<repo>/resolve/<rev>/<file>``: file bytes with ``X-Repo-Commit`` and ``ETag``
- ``POST /api/repos/create``, ``POST /api/validate-yaml``, ``POST …/preupload/<rev>`` (every file is
  "regular", so no LFS or Xet storage is needed) and ``POST …/commit/<rev>`` (NDJSON, base64 files)

Model repos are named ``<org>/<name>``, dataset repos ``datasets/<org>/<name>``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

COMMIT = "0123456789abcdef0123456789abcdef01234567"  # the commit of a repo served from a folder


@dataclass
class FakeRepo:
    commits: list[tuple[str, dict[str, bytes]]] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)

    def resolve(self, revision: str) -> tuple[str, dict[str, bytes]] | None:
        sha = self.refs.get(revision, revision)
        return next(((c, files) for c, files in self.commits if c == sha), None)

    def commit(self, files: dict[str, bytes], branch: str = "main", sha: str | None = None) -> str:
        if sha is None:
            digest = hashlib.sha1(str(len(self.commits)).encode())
            for path in sorted(files):
                digest.update(path.encode() + b"\0" + files[path])
            sha = digest.hexdigest()
        self.commits.append((sha, files))
        self.refs[branch] = sha
        return sha


def _folder_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _blob_id(body: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(body) + body).hexdigest()  # what git calls the blob


class _Handler(BaseHTTPRequestHandler):
    repos: dict[str, FakeRepo] = {}
    requests: list[str] = []

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    # --- responses ---------------------------------------------------------------------------------------------
    def _json(self, value, status: int = 200, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, text in (headers or {}).items():
            self.send_header(key, text)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, code: str, message: str = "") -> None:
        body = json.dumps({"error": message or code}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message or code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    # --- routing -----------------------------------------------------------------------------------------------
    def _route(self) -> None:
        self.requests.append(f"{self.command} {self.path}")
        url = urlparse(self.path)
        parts = [unquote(p) for p in url.path.strip("/").split("/")]
        if parts[:2] == ["api", "validate-yaml"]:
            return self._json({"errors": [], "warnings": []})
        if parts[:3] == ["api", "repos", "create"]:
            return self._create(json.loads(self._body() or b"{}"))
        if parts[:1] == ["api"] and len(parts) >= 4 and parts[1] in ("models", "datasets"):
            prefix = "datasets/" if parts[1] == "datasets" else ""
            return self._api(prefix + "/".join(parts[2:4]), parts[4:])
        prefix = ""
        if parts and parts[0] == "datasets":
            prefix, parts = "datasets/", parts[1:]
        if len(parts) >= 5 and parts[2] == "resolve":
            return self._resolve(prefix + "/".join(parts[:2]), parts[3], "/".join(parts[4:]))
        return self._error(404, "EntryNotFound")

    def _repo(self, name: str) -> FakeRepo | None:
        repo = self.repos.get(name)
        if repo is None:
            self._error(404, "RepoNotFound", f"Repository {name} not found")
        return repo

    def _snapshot(self, name: str, revision: str) -> tuple[str, dict[str, bytes]] | None:
        repo = self._repo(name)
        if repo is None:
            return None
        found = repo.resolve(revision)
        if found is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        return found

    def _entry(self, path: str, body: bytes) -> dict:
        return {"type": "file", "path": path, "size": len(body), "oid": _blob_id(body)}

    def _paths_asked(self) -> list[str]:
        """The ``paths`` of a paths-info request: a JSON body, or a form (huggingface_hub before 1.0)."""
        body = self._body()
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return parse_qs(body.decode()).get("paths", [])
        return json.loads(body or b"{}").get("paths", [])

    def _api(self, name: str, rest: list[str]) -> None:
        if not rest or rest[0] == "revision":  # repo info
            found = self._snapshot(name, rest[1] if len(rest) > 1 else "main")
            if found:
                sha, files = found
                self._json(
                    {
                        "id": name.removeprefix("datasets/"),
                        "sha": sha,
                        "private": False,
                        "siblings": [{"rfilename": path} for path in sorted(files)],
                    }
                )
        elif rest[0] == "tree":
            found = self._snapshot(name, rest[1] if len(rest) > 1 else "main")
            if found:
                under = "/".join(rest[2:])
                files = found[1]
                self._json([self._entry(p, files[p]) for p in sorted(files) if p.startswith(under)])
        elif rest[0] == "paths-info":
            found = self._snapshot(name, rest[1])
            if found:
                wanted = self._paths_asked()
                self._json([self._entry(p, found[1][p]) for p in wanted if p in found[1]])
        elif rest[0] == "preupload":
            if self._repo(name):
                files = json.loads(self._body())["files"]
                self._json(
                    {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files]}
                )
        elif rest[0] == "commit":
            repo = self._repo(name)
            if repo:
                self._commit(name, repo, rest[1] if len(rest) > 1 else "main")
        else:
            self._error(404, "EntryNotFound")

    def _create(self, payload: dict) -> None:
        repo_id = f"{payload['organization']}/{payload['name']}" if payload.get("organization") else payload["name"]
        key = ("datasets/" if payload.get("type") == "dataset" else "") + repo_id
        url = f"http://{self.headers['Host']}/{key}"
        if key in self.repos:  # as the Hub does: 409, with the URL (the client accepts it with exist_ok)
            return self._json({"error": "You already created this repo", "url": url}, status=409)
        self.repos[key] = FakeRepo()
        self._json({"url": url, "name": repo_id})

    def _commit(self, name: str, repo: FakeRepo, branch: str) -> None:
        files = dict(repo.resolve(branch)[1]) if repo.resolve(branch) else {}
        for line in self._body().splitlines():
            item = json.loads(line)
            value = item["value"]
            if item["key"] == "file":
                files[value["path"]] = base64.b64decode(value["content"])
            elif item["key"] == "deletedFile":
                files.pop(value["path"], None)
            elif item["key"] != "header":
                return self._error(400, "BadRequest", f"this server does not handle {item['key']}")
        sha = repo.commit(files, branch)
        host = f"http://{self.headers['Host']}"
        self._json({"commitUrl": f"{host}/{name}/commit/{sha}", "commitOid": sha, "pullRequestUrl": None})

    def _resolve(self, name: str, revision: str, filename: str) -> None:
        found = self._snapshot(name, revision)
        if not found:
            return
        sha, files = found
        if filename not in files:
            return self._error(404, "EntryNotFound", f"{filename} does not exist")
        body = files[filename]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", f'"{_blob_id(body)}"')
        self.send_header("X-Repo-Commit", sha)
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    do_HEAD = do_GET = do_POST = _route  # noqa: N815


@dataclass
class FakeHub:
    endpoint: str
    requests: list[str]
    repos: dict[str, FakeRepo]

    def __iter__(self):  # ``endpoint, requests = hub`` reads like the plain pair
        return iter((self.endpoint, self.requests))


@contextmanager
def serve(repos: dict[str, Path] | None = None) -> Iterator[FakeHub]:
    """Serve ``repos`` (repo id → folder, committed once as :data:`COMMIT`); repos pushed while it runs are
    kept in memory. Yields the endpoint URL, the request log and the repositories."""
    state = {}
    for name, folder in (repos or {}).items():
        state[name] = FakeRepo()
        state[name].commit(_folder_files(Path(folder)), sha=COMMIT)
    handler = type("Handler", (_Handler,), {"repos": state, "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FakeHub(f"http://127.0.0.1:{server.server_address[1]}", handler.requests, state)
    finally:
        server.shutdown()
        server.server_close()


def point_client_at(patch, endpoint: str, cache: Path | str, *, offline: bool = False) -> None:
    """Point this process's huggingface_hub at ``endpoint`` with its own cache, through ``patch`` (a
    ``pytest.MonkeyPatch``): the client reads both from the environment when it is imported, so the
    module-level values are replaced. Older releases (0.25) build download URLs from their own copy of
    the URL template in ``file_download``, which is replaced too."""
    from huggingface_hub import constants, file_download

    template = endpoint + "/{repo_id}/resolve/{revision}/{filename}"
    patch.setattr(constants, "ENDPOINT", endpoint)
    patch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)
    if hasattr(file_download, "HUGGINGFACE_CO_URL_TEMPLATE"):
        patch.setattr(file_download, "HUGGINGFACE_CO_URL_TEMPLATE", template)
    patch.setattr(constants, "HF_HUB_CACHE", str(cache))
    patch.setattr(constants, "HF_HUB_OFFLINE", offline)
    patch.setenv("HF_HUB_OFFLINE", "1" if offline else "0")
