"""The partition certificate: for each question, every class of cases with its answer and the
rules and articles that give it — what an auditor approves, tied to the policy's fingerprint.

The certificate is plain JSON-ready data, deterministic for a given policy (no timestamps), so two
certificates can be compared with ``diff``. Where the check is incomplete, the certificate lists
the classes it could not verify (``unverified``, with why), question by question, and how many
in all (``classes_unverified``); a certificate without these keys verified every class.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from importlib.metadata import version
from typing import Any

from ..core.errors import ConflictError
from .check import Checker, Finding
from .over_time import TimeChecker
from .partition import DecidedClass, Interval, QuestionPartition, Split, label

__all__ = ["certificate", "render"]

FORMAT = "jurisdiction-partition-certificate/1"


def _value(value: bool | str | Interval) -> Any:
    return value.to_json() if isinstance(value, Interval) else value


def _split(split: Split) -> dict[str, Any]:
    out: dict[str, Any] = {"type": split.type.kind, "values": [_value(v) for v in split.values]}
    if split.type.kind == "int":
        out["range"] = {"min": split.type.minimum, "max": split.type.maximum}
        out["thresholds"] = list(split.thresholds)
        if split.relational:
            out["relational"] = True
    return out


def _class(subject: str, cls: DecidedClass) -> dict[str, Any]:
    out: dict[str, Any] = {
        "when": {label(subject, name): _value(v) for name, v in cls.values},
        "witness": cls.facts.model_dump(mode="json", exclude_none=True),
        "rules_fired": list(cls.fired),
        "rules_overridden": list(cls.overridden),
    }
    d = cls.decision
    if d is None:
        out["outcome"] = "conflict" if isinstance(cls.error, ConflictError) else "error"
        out["rules_applied"] = list(cls.remaining)
        out["error"] = str(cls.error)
        return out
    out["outcome"] = d.outcome
    out["rules_applied"] = list(d.rules_applied)
    out["articles"] = [str(c.cite) for c in d.citations]
    out["bodies"] = [
        {"body": b.kind, "place": b.place, "level": b.level, "role": b.role, "cite": str(b.cite)}
        for b in d.bodies
    ]
    if d.reason is not None:
        out["reason"] = d.reason.en
    return out


def _question(part: QuestionPartition) -> dict[str, Any]:
    q = part.question
    failures = {f.values: f for f in part.place_failures}
    classes = []
    for cls in part.classes:
        entry = _class(q.subject, cls)
        failure = failures.get(cls.values)
        if failure is not None:  # the answer cannot be given for some other facts of the class
            entry["fails_for"] = {
                "witness": failure.facts.model_dump(mode="json", exclude_none=True),
                "error": str(failure.error),
            }
        classes.append(entry)
    out: dict[str, Any] = {
        "question": q.name,
        "subject": q.subject,
        "always_answers": q.always_answers,
        "features": {label(q.subject, s.feature): _split(s) for s in part.splits},
        "classes_considered": part.considered,
        "classes_realisable": len(part.classes),
        "classes": classes,
    }
    if part.unverified:  # classes neither realised nor proved impossible: nothing is claimed
        out["classes_unverified"] = len(part.unverified)
        out["unverified"] = [
            {
                "when": {label(q.subject, name): _value(v) for name, v in u.values},
                "why": u.why.why(),
            }
            for u in part.unverified
        ]
    return out


def certificate(checker: Checker | TimeChecker, findings: Sequence[Finding]) -> dict[str, Any]:
    """The certificate of a finished check run (every question's partition, with answers). For a
    dated policy, ``questions`` are those of its first stretch, and ``later`` gives, for each
    stretch after a change, its period and the questions re-checked there."""
    policy = checker.policy
    parts = list(checker.partitions())
    later: dict[str, Any] = {}
    if isinstance(checker, TimeChecker):
        first_end = checker.stretches[0][1]
        later = {
            "until": first_end.isoformat() if first_end else None,
            "later": [
                {
                    "from": start.isoformat(),
                    "until": end.isoformat() if end else None,
                    "questions": [_question(p) for p in changed],
                }
                for start, end, changed in checker.later()
            ],
        }
    unverified = sum(len(p.unverified) for p in parts)
    incomplete = {"classes_unverified": unverified} if unverified else {}
    return {
        "format": FORMAT,
        "generator": f"jurisdiction {version('jurisdiction')}",
        "policy": {
            "name": policy.name,
            "version": policy.version,
            "fingerprint": policy.fingerprint,
        },
        "clean": not findings,
        "findings": [f.to_dict() for f in findings],
        "classes_decided": sum(len(p.classes) for p in parts),
        **incomplete,
        "questions": [_question(p) for p in parts],
        **later,
    }


def render(data: dict[str, Any]) -> str:
    """The certificate as JSON text: indented, with one line per class so that diffs read well."""
    placeholders: dict[str, str] = {}

    def one_line(value: Any) -> str:
        key = f"@@{len(placeholders)}@@"
        placeholders[key] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return key

    def lines(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                **q,
                "features": {name: one_line(spec) for name, spec in q["features"].items()},
                "classes": [one_line(cls) for cls in q["classes"]],
                **(
                    {"unverified": [one_line(u) for u in q["unverified"]]}
                    if "unverified" in q
                    else {}
                ),
            }
            for q in questions
        ]

    shaped = {**data, "questions": lines(data["questions"])}
    if "later" in data:
        shaped["later"] = [{**p, "questions": lines(p["questions"])} for p in data["later"]]
    text = json.dumps(shaped, ensure_ascii=False, indent=2)
    # one pass over the text (a replace per placeholder copied the whole text each time: minutes
    # for a certificate of ten thousand classes)
    return _PLACEHOLDER.sub(lambda m: placeholders.get(m.group(1), m.group(0)), text) + "\n"


_PLACEHOLDER = re.compile(r'"(@@[0-9]+@@)"')
"""Where ``render`` put a one-line value: its key, quoted as JSON writes it."""
