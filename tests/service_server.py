"""A real `jurisdiction serve` process on loopback, for the tests that need one (a browser, a
signal): started on a free port, waited for, stopped (SIGTERM) at the end."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

START = "from jurisdiction.cli.main import main; main()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stderr(self) -> str:
        """What the server has written to its standard error so far."""
        return self.log.read_text("utf-8", errors="replace")

    def get(self, path: str) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def post(self, path: str, data: Any, token: str | None = None) -> tuple[int, dict[str, Any]]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps(data).encode()
        request = urllib.request.Request(self.url + path, body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=120) as r:  # a reload checks the policy
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def wait_for(self, check: Any, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.1)
        raise AssertionError(f"not within {seconds}s")


@contextmanager
def serving(args: Sequence[str] = (), env: dict[str, str] | None = None) -> Iterator[Server]:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "stderr.txt"
        with log.open("wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-c", START, "serve", "--port", str(port), *args],
                stdout=subprocess.DEVNULL,
                stderr=err,
                env={**os.environ, **(env or {})},
            )
        server = Server(process, f"http://127.0.0.1:{port}", log)
        with _stopped_at_the_end(server):
            yield server


@contextmanager
def _stopped_at_the_end(server: Server) -> Iterator[None]:
    process = server.process

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {server.stderr()}")
        try:
            return server.get("/healthz")[0] == 200
        except OSError:
            return False

    try:
        server.wait_for(up, 60)
        yield
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
