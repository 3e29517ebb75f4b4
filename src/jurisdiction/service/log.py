"""The decision log: one JSON line per decision, written by a thread of its own so that no
request waits on the disk, and flushed when the service stops; and its replay.

A line holds the decision id, the time (UTC, ISO 8601), the question, the as-of date (``null``
until decisions are made as of a date), the policy's name and fingerprint and the overlay files
that decided it, the outcome, the bodies with their citations, the citations, the time the
decision took, and the facts' SHA-256 (of their canonical JSON: keys sorted, no spaces) — or,
with ``facts=True``, the facts themselves, so that ``jurisdiction replay`` can decide them again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..engine.decision import Decision
    from ..engine.engine import Engine

__all__ = ["DecisionLog", "Replayed", "log_record", "replay"]

_STOP = object()


def _canonical(facts: BaseModel) -> tuple[dict[str, Any], str]:
    data = facts.model_dump(mode="json")
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return data, text


def log_record(
    decision: Decision,
    facts: BaseModel,
    *,
    decision_id: str,
    at: float,
    seconds: float,
    with_facts: bool,
    as_of: str | None = None,
) -> dict[str, Any]:
    """The log line of one decision, as a dictionary."""
    data, text = _canonical(facts)
    record: dict[str, Any] = {
        "decision_id": decision_id,
        "timestamp": datetime.fromtimestamp(at, UTC).isoformat(timespec="microseconds"),
        "question": decision.question,
        "as_of": as_of,
        "policy": decision.policy,
        "policy_fingerprint": decision.policy_fingerprint,
        "overlays": list(decision.sources),
        "outcome": decision.outcome,
        "bodies": [
            {
                "kind": b.kind,
                "level": b.level,
                "place_code": b.place_code,
                "role": b.role,
                "cite": str(b.cite),
                "via": str(b.via) if b.via is not None else None,
            }
            for b in decision.bodies
        ],
        "citations": [str(c.cite) for c in decision.citations],
        "rules_applied": list(decision.rules_applied),
        "duration_ms": round(seconds * 1000, 3),
        "facts_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
    if with_facts:
        record["facts"] = data
    return record


class DecisionLog:
    """Writes decision records to a file (appended) or to standard output (``-``), one JSON
    line each, from a thread of its own. ``close`` writes what is queued, flushes and stops."""

    def __init__(self, target: str, *, with_facts: bool = False) -> None:
        self.target = target
        self.with_facts = with_facts
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._stream: IO[str]
        if target == "-":
            self._stream, self._owned = sys.stdout, False
        else:
            self._stream = Path(target).open("a", encoding="utf-8")  # noqa: SIM115  (closed by close)
            self._owned = True
        self._thread = threading.Thread(target=self._run, name="decision log", daemon=True)
        self._closed = False
        self.failures = 0
        """Batches of lines the log failed to write (each also said in the service's log)."""
        self._thread.start()

    def add(
        self,
        decision: Decision,
        facts: BaseModel,
        decision_id: str,
        at: float,
        seconds: float,
        as_of: str | None = None,
    ) -> None:
        """Queue one decision (the record is made and written by the log's thread)."""
        self._queue.put((decision, facts, decision_id, at, seconds, as_of))

    def _run(self) -> None:
        stream = self._stream
        while True:
            item = self._queue.get()
            batch = [item]
            while True:  # write what has queued up meanwhile, then flush once
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = _STOP in batch
            try:
                for entry in batch:
                    if entry is _STOP:
                        continue
                    decision, facts, decision_id, at, seconds, as_of = entry
                    record = log_record(
                        decision,
                        facts,
                        decision_id=decision_id,
                        at=at,
                        seconds=seconds,
                        with_facts=self.with_facts,
                        as_of=as_of,
                    )
                    stream.write(json.dumps(record, ensure_ascii=False) + "\n")
                stream.flush()
            except Exception:  # a full disk, say: said, and the log goes on with the next lines
                self.failures += 1
                logging.getLogger("jurisdiction.service").exception(
                    "the decision log could not write %d line(s) to %s", len(batch), self.target
                )
            if stop:
                return

    def close(self) -> None:
        """Write every queued record, flush, and stop the thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join()
        if self._owned:
            self._stream.close()


@dataclass(frozen=True, slots=True)
class Replayed:
    """What replaying one line found."""

    line: int
    decision_id: str | None
    status: str  # same, changed, no_facts, error
    detail: str = ""


def _answer(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "outcome": record.get("outcome"),
        "bodies": record.get("bodies"),
        "citations": record.get("citations"),
    }


def replay(engine: Engine, lines: Iterator[str]) -> Iterator[Replayed]:
    """Decide each logged decision again (those logged with their facts) and say, line by
    line, whether ``engine``'s policy answers the same: outcome, bodies and citations."""
    from ..core.errors import JurisdictionError

    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as exc:
            yield Replayed(number, None, "error", f"not a log line: {exc}")
            continue
        if not isinstance(record, dict):
            yield Replayed(number, None, "error", "not a log line: not a JSON object")
            continue
        decision_id = record.get("decision_id")
        facts = record.get("facts")
        if not isinstance(facts, dict):
            yield Replayed(number, decision_id, "no_facts", "logged with the facts' hash only")
            continue
        try:
            model = engine.parse_facts(facts)
            logged_day = record.get("as_of")
            day = logged_day if isinstance(logged_day, str) else None
            again = engine.decide(model, str(record.get("question")), as_of=day)
        except JurisdictionError as exc:
            yield Replayed(number, decision_id, "error", str(exc))
            continue
        now = log_record(again, model, decision_id="", at=0.0, seconds=0.0, with_facts=False)
        if _answer(now) == _answer(record):
            yield Replayed(number, decision_id, "same")
        else:
            was, became = _answer(record), _answer(now)
            changed = [k for k in was if was[k] != became[k]]
            detail = "; ".join(f"{k}: {was[k]} → {became[k]}" for k in changed)
            yield Replayed(number, decision_id, "changed", detail)
