"""Tests as data: every ``tests/cases/*.yaml`` file is collected, one test per case.

A case file::

    policy: policies            # optional: a policy directory relative to the repository root
    overlays: examples/overlays # optional: an overlay folder the caller adds (load(overlays=))
    cases:
      - name: a separated woman gets the first-child certificate from her residence place
        question: first_child_certificate
        facts: {kind: resident, hukou: "120101001", residence: "120104002", sex: female, age: 30}
        expect:
          outcome: responsible          # responsible | not_applicable | undetermined | no_rule
          bodies:                       # compared as a set; every listed key must match:
                                        # kind, name (Chinese), place, level, code, role, cite,
                                        # via (the article of a citation chain)
            - {kind: fp_department, place: residence, level: street, code: "120104002",
               role: responsible, cite: "(二)5"}
          citations: ["(二)5"]          # exactly these, in any order
          rules_applied: [first_child_certificate.residence]   # optional
          rules_overridden: []          # optional, exactly these
          sources: []                   # optional: the overlay files that decided it, exactly
          notes_contains: "1000"        # optional: some note of the rules applied says this
          reason_contains: "..."        # optional: the not-applicable/undetermined reason says this
      - name: ...
        expect: {error: FactsError}     # or ConflictError: decide must raise it
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

import jurisdiction

ROOT = Path(__file__).resolve().parent.parent
_ENGINES: dict[str, jurisdiction.Engine] = {}


def engine_for(policy: str | None, overlays: str | None = None) -> jurisdiction.Engine:
    key = f"{policy or ''}|{overlays or ''}"
    if key not in _ENGINES:
        _ENGINES[key] = jurisdiction.load(
            ROOT / policy if policy else None, overlays=ROOT / overlays if overlays else None
        )
    return _ENGINES[key]


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "cases":
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        policy = data.get("policy")
        overlays = data.get("overlays")
        seen: set[str] = set()
        for case in data["cases"]:
            name = case["name"]
            assert name not in seen, f"duplicate case name {name!r} in {self.path}"
            seen.add(name)
            yield CaseItem.from_parent(self, name=name, case=case, policy=policy, overlays=overlays)


class CaseItem(pytest.Item):
    def __init__(
        self, *, case: dict[str, Any], policy: str | None, overlays: str | None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.policy = policy
        self.overlays = overlays

    def runtest(self) -> None:
        engine = engine_for(self.policy, self.overlays)
        expect = self.case["expect"]
        facts, question = self.case["facts"], self.case["question"]
        if "error" in expect:
            error = getattr(jurisdiction, expect["error"])
            with pytest.raises(error):
                engine.decide(facts, question)
            return
        decision = engine.decide(facts, question)
        check_decision(decision, expect)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"case: {self.name}"


def _body_view(body: jurisdiction.Body) -> dict[str, str]:
    return {
        "kind": body.kind,
        "name": body.name.zh,
        "place": body.place,
        "level": body.level,
        "code": body.place_code,
        "role": body.role,
        "cite": str(body.cite),
        "via": str(body.via) if body.via is not None else "",
    }


def check_decision(decision: jurisdiction.Decision, expect: dict[str, Any]) -> None:
    assert decision.outcome == expect["outcome"], decision.render("en")
    if "bodies" in expect:
        actual = [_body_view(b) for b in decision.bodies]
        wanted = expect["bodies"]
        assert len(actual) == len(wanted), f"bodies: {actual} != {wanted}"
        for want in wanted:
            assert any(all(str(a[k]) == str(v) for k, v in want.items()) for a in actual), (
                f"no body matches {want}; got {actual}"
            )
    if "citations" in expect:
        assert sorted(str(c.cite) for c in decision.citations) == sorted(expect["citations"])
    if "rules_applied" in expect:
        assert sorted(decision.rules_applied) == sorted(expect["rules_applied"])
    if "rules_overridden" in expect:
        assert sorted(decision.rules_overridden) == sorted(expect["rules_overridden"])
    if "sources" in expect:
        assert list(decision.sources) == expect["sources"]
    if "notes_contains" in expect:
        assert any(expect["notes_contains"] in note for note in decision.notes), decision.notes
    if "reason_contains" in expect:
        assert decision.reason is not None
        assert expect["reason_contains"] in decision.reason.zh + decision.reason.en


# Property tests: no per-example deadline (the first example of a run compiles and warms caches).
settings.register_profile("jurisdiction", deadline=None)
settings.load_profile("jurisdiction")
