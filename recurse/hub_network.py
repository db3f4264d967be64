"""Whether the Hugging Face Hub can be used: offline mode, and a reachability probe bounded in time.

Downloads of models and of dataset files both ask this first: without network the Hub client retries for
tens of seconds, while a cached copy could be used at once.
"""

from __future__ import annotations

import os
import socket
import threading
import urllib.request
from urllib.parse import urlparse

PROBE_SECONDS = 1.5  # the whole probe (name lookup and connect) is bounded by this


def offline_mode() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").strip().lower() not in ("0", "", "false", "no", "off")


def endpoint() -> str:
    from huggingface_hub import constants

    return constants.ENDPOINT


def unreachable(url: str | None = None, *, timeout: float = PROBE_SECONDS) -> str | None:
    """Why the Hub at ``url`` (default: the configured endpoint) cannot be reached, or None if it answers.

    One TCP connection to the endpoint (or to the proxy that ``HTTPS_PROXY``/``HTTP_PROXY`` names), run
    in a thread so that a hanging name lookup is bounded by ``timeout`` as well.
    """
    parsed = urlparse(url or endpoint())
    host, port = parsed.hostname or "", parsed.port or (443 if parsed.scheme == "https" else 80)
    proxy = urllib.request.getproxies().get(parsed.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        proxied = urlparse(proxy if "://" in proxy else f"http://{proxy}")
        host, port = proxied.hostname or host, proxied.port or 80
    outcome: list[BaseException] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
        except OSError as error:
            outcome.append(error)

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(timeout + 0.2)
    if thread.is_alive():
        return f"no answer from {host}:{port} within {timeout:g} s"
    if outcome:
        error = outcome[0]
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error) or type(error).__name__
        return f"{host}:{port}: {reason}"
    return None
