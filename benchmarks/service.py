"""The decision service under load, on loopback, against in-process ``decide`` (and, where it is
installed, OpenFisca's Web API serving a comparable calculation) in the same run.

    python benchmarks/service.py                 # about two minutes
    python benchmarks/service.py --quick         # a rough run in seconds
    python benchmarks/service.py --openfisca /path/to/venv/bin/openfisca

Needs ``pip install '.[serve]'``. The server is ``jurisdiction serve`` in a process of its own
(one worker: one core of the machine's two); the load comes from another process, an asyncio
client holding 1, 8 or 32 keep-alive connections, each sending ``POST /v1/decide/{question}``
one after the other (the next request when the answer is in). Every phase is a fixed number of
requests and stops by itself. Reported per phase: requests/s, p50 and p99 latency, and the
server's resident memory (its process group's) before and after; the 8-client phase also runs
100,000 requests with the memory sampled every 10,000 (it should stay flat).

In-process, on one core, the same fact sets: ``engine.decide(dict, q)`` and what the service
does per request without HTTP (validate the JSON body, decide, write the JSON answer).

Two more phases at 8 clients say where a request's time goes: the **floor**, an empty Starlette
endpoint (``POST`` answering ``{}``) served by uvicorn as ``jurisdiction serve`` is (httptools,
uvloop, no access log), which is what HTTP in Python costs a request before any work; and
**several fact sets a request**, ``POST /v1/decide`` with ``--per-request`` (default 50) fact
sets, whose decisions/s show the service's work with the HTTP cost shared among them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jurisdiction

QUESTION = "unit_management"


def fact_sets() -> list[dict[str, Any]]:
    """Units of every category, size and rank across a few districts (and the overlay's)."""
    out = []
    categories = [
        "government_organ",
        "public_institution",
        "state_owned_enterprise",
        "other_enterprise",
        "other",
    ]
    for i in range(200):
        district = ["120101", "120102", "120104", "120106"][i % 4]
        out.append(
            {
                "kind": "unit",
                "category": categories[i % 5],
                "staff": [5, 99, 100, 500, 999, 1000, 1001, 4000][i % 8],
                "location": f"{district}00{1 + i % 3}00{1 + i % 2}",
            }
        )
    return out


# --- the load generator (runs in its own process) ----------------------------------------------


async def _client(
    host: str, port: int, requests: list[bytes], count: int, latencies: list[float]
) -> None:
    """One connection sending ``count`` requests in turn; where the server closes the
    connection after an answer (OpenFisca's gunicorn does), the next request opens another,
    and its latency includes the connect."""
    reader = writer = None
    n = len(requests)
    for i in range(count):
        started = time.perf_counter()
        if writer is None:
            reader, writer = await asyncio.open_connection(host, port)
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert reader is not None
        writer.write(requests[i % n])
        head = await reader.readuntil(b"\r\n\r\n")
        length, close = 0, False
        for line in head.split(b"\r\n"):
            lower = line.lower()
            if lower.startswith(b"content-length:"):
                length = int(line[15:])
            elif lower.startswith(b"connection:") and b"close" in lower:
                close = True
        body = await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        if not head.startswith(b"HTTP/1.1 200") and not head.startswith(b"HTTP/1.0 200"):
            raise RuntimeError(f"{head[:40]!r} {body[:200]!r}")
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _load(host: str, port: int, requests: list[bytes], clients: int, total: int) -> dict:
    latencies: list[float] = []
    each = total // clients
    started = time.perf_counter()
    await asyncio.gather(
        *(_client(host, port, requests[c:] + requests[:c], each, latencies) for c in range(clients))
    )
    seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def load_main(argv: Sequence[str]) -> None:
    host, port, clients, total, path = argv[0], int(argv[1]), int(argv[2]), int(argv[3]), argv[4]
    bodies = json.loads(Path(argv[5]).read_text("utf-8"))
    requests = [
        (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(b)}\r\n\r\n"
        ).encode()
        + b
        for b in (json.dumps(body).encode() for body in bodies)
    ]
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(_load(host, port, requests, clients, total))))


# --- the run -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    """The resident memory of the server's process group (a gunicorn master and its worker)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pid:  # the process group
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _drive(port: int, clients: int, total: int, path: str, bodies_file: Path) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--load",
            "127.0.0.1",
            str(port),
            str(clients),
            str(total),
            path,
            str(bodies_file),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    return json.loads(out.stdout)


def _serve(command: list[str], ready: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    _wait(ready)
    return process


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _phases(
    name: str, pid: int, port: int, path: str, bodies: Path, total: int, memory_total: int
) -> list[dict]:
    rows = []
    _drive(port, 8, min(total, 2000), path, bodies)  # warm up
    for clients in (1, 8, 32):
        before = _rss_mb(pid)
        result = _drive(port, clients, total, path, bodies)
        rows.append(
            {
                "server": name,
                "clients": clients,
                **result,
                "rss_before_mb": before,
                "rss_after_mb": _rss_mb(pid),
            }
        )
        print(_row(rows[-1]), flush=True)
    if memory_total:
        samples = [_rss_mb(pid)]
        for _ in range(memory_total // 10_000):
            _drive(port, 8, 10_000, path, bodies)
            samples.append(_rss_mb(pid))
        rows.append({"server": name, "memory_mb": samples})
        print(
            f"{name}: RSS every 10,000 requests at 8 clients (MB): "
            + " ".join(f"{m:.1f}" for m in samples),
            flush=True,
        )
    return rows


FLOOR_APP = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route


async def empty(request):
    await request.body()
    return Response(b"{}", media_type="application/json")


async def ready(request):
    return Response(b"ok")


app = Starlette(routes=[Route("/x", empty, methods=["POST"]), Route("/readyz", ready)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning",
            limit_concurrency=1000, timeout_keep_alive=5, server_header=False)
"""


def _one_phase(name: str, pid: int, port: int, path: str, bodies: Path, total: int) -> dict:
    """8 clients, after a warm-up: one row."""
    _drive(port, 8, min(total, 2000), path, bodies)
    before = _rss_mb(pid)
    result = _drive(port, 8, total, path, bodies)
    row = {"server": name, "clients": 8, **result, "rss_before_mb": before}
    row["rss_after_mb"] = _rss_mb(pid)
    print(_row(row), flush=True)
    return row


def floor(bodies: Path, total: int) -> dict:
    """An empty Starlette endpoint under uvicorn, as ``jurisdiction serve`` runs: HTTP's cost."""
    port = _free_port()
    server = _serve([sys.executable, "-c", FLOOR_APP, str(port)], f"http://127.0.0.1:{port}/readyz")
    try:
        return _one_phase("empty endpoint (floor)", server.pid, port, "/x", bodies, total)
    finally:
        _stop(server)


def _row(r: dict) -> str:
    return (
        f"{r['server']:<22} {r['clients']:>3} clients  {r['rps']:>8.0f} req/s  "
        f"p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms  "
        f"RSS {r['rss_before_mb']:.1f} → {r['rss_after_mb']:.1f} MB"
    )


def in_process(facts: list[dict[str, Any]], seconds: float) -> dict[str, float]:
    """Decisions per second on one core: decide from a dict; and the service's work without
    HTTP (validate the JSON body with the subject's model, decide, dump the decision's JSON)."""
    from jurisdiction.engine.decision import _adapter

    engine = jurisdiction.load()
    model = engine.subjects["unit"].model
    bodies = [json.dumps(f).encode() for f in facts]
    dump = _adapter().dump_json

    def rate(work: Any, items: list[Any]) -> float:
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for item in items:
                work(item)
            done += len(items)
        return done / (time.perf_counter() - started)

    return {
        "decide(dict)": rate(lambda f: engine.decide(f, QUESTION), facts),
        "json in, decide, json out": rate(
            lambda b: dump(engine.decide(model.model_validate_json(b), QUESTION)), bodies
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--openfisca",
        default=None,
        help="the `openfisca` command of a venv "
        "with openfisca-core[web-api] and openfisca-country-template",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument(
        "--per-request", type=int, default=50, help="fact sets a request of several carries"
    )
    args = parser.parse_args()
    total = 2_000 if args.quick else 20_000
    memory_total = 0 if args.quick else 100_000
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")
    facts = fact_sets()
    rows: list[dict] = []
    rates = in_process(facts, 0.5 if args.quick else 3.0)
    for name, value in rates.items():
        print(f"in-process {name:<28} {value:>9.0f} decisions/s on one core", flush=True)
    bodies = Path(os.environ.get("TMPDIR", "/tmp")) / "jurisdiction-bench-bodies.json"
    bodies.write_text(json.dumps(facts), "utf-8")
    port = _free_port()
    server = _serve(
        [
            sys.executable,
            "-c",
            "from jurisdiction.cli.main import main; main()",
            "serve",
            "--port",
            str(port),
        ],
        f"http://127.0.0.1:{port}/readyz",
    )
    n = args.per_request
    several = Path(os.environ.get("TMPDIR", "/tmp")) / "jurisdiction-bench-several.json"
    several.write_text(
        json.dumps(
            [
                {"facts": (facts * 2)[i : i + n], "questions": [QUESTION]}
                for i in range(0, len(facts), max(1, len(facts) // 20))
            ]
        ),
        "utf-8",
    )
    try:
        rows += _phases(
            "jurisdiction serve",
            server.pid,
            port,
            f"/v1/decide/{QUESTION}",
            bodies,
            total,
            memory_total,
        )
        batched = _one_phase(
            f"serve, {n} sets a request", server.pid, port, "/v1/decide", several, total // n * 4
        )
        batched["decisions_per_s"] = batched["rps"] * n
        rows.append(batched)
    finally:
        _stop(server)
    rows.append(floor(bodies, total))
    single = next(r["rps"] for r in rows if r.get("clients") == 8)
    summary = {
        "in-process decide(dict), one core": rates["decide(dict)"],
        "in-process json in/out, one core": rates["json in, decide, json out"],
        "serve, one fact set a request, 8 clients": single,
        f"serve, {n} fact sets a request, 8 clients (decisions/s)": batched["decisions_per_s"],
        "empty endpoint, 8 clients (req/s)": rows[-1]["rps"],
    }
    print("\nper core (the server is one process, one core):")
    for what, value in summary.items():
        print(f"  {what:<58} {value:>9.0f}")
    for label, base in (
        ("decide(dict)", rates["decide(dict)"]),
        ("json in/out", rates["json in, decide, json out"]),
    ):
        print(
            f"  ratio to in-process {label:<13}: one set a request {single / base:6.1%}, "
            f"{n} sets a request {batched['decisions_per_s'] / base:6.1%}, "
            f"floor {rows[-1]['rps'] / base:6.1%}"
        )
    if args.openfisca:
        rows += _openfisca(args.openfisca, total)
    if args.json:
        args.json.write_text(
            json.dumps({"in_process": rates, "rows": rows, "summary": summary}, indent=2), "utf-8"
        )


def _openfisca(command: str, total: int) -> list[dict]:
    """OpenFisca's country template behind its own Web API (`openfisca serve`, gunicorn, one
    worker), asked one comparable thing per request: a person's income tax for a month, from
    their salary (a formula over one input, like a tier from a staff count)."""
    bodies = Path(os.environ.get("TMPDIR", "/tmp")) / "openfisca-bench-bodies.json"
    situations = [
        {
            "persons": {
                "p": {"salary": {"2024-01": 500 + 37 * i}, "income_tax": {"2024-01": None}}
            },
            "households": {"h": {"adults": ["p"]}},
        }
        for i in range(200)
    ]
    bodies.write_text(json.dumps(situations), "utf-8")
    port = _free_port()
    server = _serve(
        [
            command,
            "serve",
            "--country-package",
            "openfisca_country_template",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        f"http://127.0.0.1:{port}/spec",
    )
    try:
        return _phases("openfisca serve", server.pid, port, "/calculate", bodies, total, 0)
    finally:
        _stop(server)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        load_main(sys.argv[2:])
    else:
        main()
