"""Test cases as data: YAML files of facts, a question and the expected decision.

The format (docs/testing.md) is read into the pydantic models below, which are also the source
of the case files' JSON Schema. ``run_file`` decides every case of a file and returns, per case,
what differs between the expectation and the decision (empty: the case passes), with the
decision itself so that coverage can be counted from the rules that fired.

Used by ``jurisdiction test`` and by the pytest plugin (``jurisdiction.testing.pytest_plugin``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ..core.errors import ConflictError, FactsError, JurisdictionError, PolicyError
from ..core.text import Cite
from ..engine.decision import Body, Decision
from ..engine.engine import Engine, bundled_policy_path
from ..policy.load import load_policy
from ..policy.model import ParamValue, Policy

__all__ = [
    "CaseFileModel",
    "CaseModel",
    "CaseResult",
    "Coverage",
    "Expect",
    "coverage",
    "load_case_file",
    "run_case",
]

Scalar = str | int | bool


AsOf = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
"""A day, YYYY-MM-DD."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BodyExpect(_Strict):
    """A body the decision must name: every key given must match (values compared as text)."""

    kind: str | None = None
    name: str | None = Field(default=None, description="the body's name in Chinese (zh)")
    place: str | None = None
    level: str | None = None
    code: Scalar | None = Field(default=None, description="the body's place code")
    role: str | None = None
    cite: str | None = Field(default=None, description="the article (and item) it rests on")
    via: str | None = Field(
        default=None,
        description="the article through which `cite` applies (a citation chain via → cite); "
        "empty text for none",
    )


class Expect(_Strict):
    """What the decision must be; a key left out is not checked."""

    outcome: (
        Literal["responsible", "not_applicable", "undetermined", "no_rule", "not_in_force"] | None
    ) = None
    error: Literal["FactsError", "ConflictError"] | None = Field(
        default=None, description="decide must raise this error instead of deciding"
    )
    bodies: tuple[BodyExpect, ...] | None = Field(
        default=None, description="compared as a set: as many bodies, each matching one given"
    )
    citations: tuple[str, ...] | None = Field(default=None, description="exactly these")
    rules_applied: tuple[str, ...] | None = None
    rules_overridden: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = Field(
        default=None, description="the overlay files that decided it, exactly"
    )
    notes_contains: str | None = None
    reason_contains: str | None = None
    failed: tuple[str, ...] | None = Field(
        default=None,
        description="the ids of the failed criteria a decision lists (`criteria: all`), exactly",
    )
    instruments: tuple[str, ...] | None = Field(
        default=None,
        description="the ids of the later instruments the decision names (ended, caution), exactly",
    )

    @model_validator(mode="after")
    def _outcome_or_error(self) -> Expect:
        if (self.outcome is None) == (self.error is None):
            raise ValueError("expect either an `outcome` or an `error`, not both")
        return self


class CaseModel(_Strict):
    """One case: a fact set, a question, what the decision must be."""

    name: str
    question: str
    facts: dict[str, Any]
    expect: Expect
    parameters: dict[str, Scalar] = Field(
        default_factory=dict,
        description="parameter values for this case only (over the file's and the policy's)",
    )
    as_of: AsOf | None = Field(
        default=None, description="decide as of this day (over the file's `as_of`)"
    )


class CaseFileModel(_Strict):
    """A file of cases."""

    policy: str | None = Field(
        default=None, description="a policy directory, relative to this file (default: given)"
    )
    overlays: str | None = Field(
        default=None,
        description="a folder of overlays the caller adds, relative to this file "
        "(as load(..., overlays=DIR))",
    )
    parameters: dict[str, Scalar] = Field(
        default_factory=dict, description="parameter values for every case of the file"
    )
    as_of: AsOf | None = Field(
        default=None,
        description="decide every case as of this day (default: as decide does, from the facts "
        "or today)",
    )
    cases: tuple[CaseModel, ...] = Field(min_length=1, description="at least one case")

    @model_validator(mode="after")
    def _unique_names(self) -> CaseFileModel:
        seen: set[str] = set()
        for case in self.cases:
            if case.name in seen:
                raise ValueError(f"two cases are named {case.name!r}")
            seen.add(case.name)
        return self


class CaseFileError(JurisdictionError):
    """A case file that cannot be read or does not follow the format."""

    exit_code = 2


def load_case_file(path: Path, as_of: str | None = None) -> CaseFileModel:
    """Read and validate a case file; raises CaseFileError saying where it is wrong. Each case
    carries the day it is decided as of: its own, else the file's, else ``as_of`` (if given)."""
    model = _validated(path)
    day = model.as_of or as_of
    if day is None:
        return model
    cases = tuple(c if c.as_of else c.model_copy(update={"as_of": day}) for c in model.cases)
    return model.model_copy(update={"cases": cases})


def _validated(path: Path) -> CaseFileModel:
    from ..policy.strict_yaml import parse_yaml

    try:
        text = path.read_text(encoding="utf-8")
        doc = parse_yaml(text, str(path))
    except (OSError, UnicodeDecodeError, PolicyError) as exc:
        raise CaseFileError(f"{path}: cannot read the case file: {exc}") from exc
    try:
        return CaseFileModel.model_validate(doc.value)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = tuple(p for p in err["loc"] if isinstance(p, str | int))
            located = where
            while located and not _has(doc.value, located):
                located = located[:-1]
            lines.append(f"{doc.location(located)}: {'.'.join(map(str, where))}: {err['msg']}")
        raise CaseFileError("invalid case file:\n" + "\n".join(lines)) from exc


def _has(value: Any, path: tuple[str | int, ...]) -> bool:
    for step in path:
        inside_list = isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value)
        if not (inside_list or (isinstance(value, dict) and step in value)):
            return False
        value = value[step]
    return True


class Engines:
    """Engines by policy directory and parameter values, each built once."""

    def __init__(self, default: Path | None = None, *, bundled: bool = True) -> None:
        self.default = default
        self.bundled = bundled
        self._policies: dict[tuple[Path, Path | None], Policy] = {}
        self._engines: dict[
            tuple[Path, Path | None, tuple[tuple[str, ParamValue], ...]], Engine
        ] = {}

    def root_for(self, case_file: Path, named: str | None) -> Path:
        """The policy a case file is decided with: the one it names (``policy:``, relative to
        itself), else the one its ``cases/`` folder belongs to, else the default (and, when
        ``bundled``, the bundled policy); a CaseFileError saying so when there is none."""
        if named is not None:
            root = (case_file.parent / named).resolve()
            if not (root / "policy.yaml").is_file():
                raise CaseFileError(
                    f"{case_file}: `policy: {named}` names {root}, which holds no policy "
                    "(no policy.yaml there)"
                )
            return root
        folder = case_file.resolve().parent
        if folder.name == "cases" and (folder.parent / "policy.yaml").is_file():
            return folder.parent
        if self.default is not None:
            return self.default.resolve()
        if self.bundled:
            return bundled_policy_path().resolve()
        raise CaseFileError(
            f"{case_file}: names no policy, and is in no policy's cases/ folder: write "
            "`policy: PATH` (relative to the file) in it, move it into POLICY/cases/, or set "
            "the ini option `jurisdiction_policy`"
        )

    @staticmethod
    def overlays_for(case_file: Path, named: str | None) -> Path | None:
        """The overlay folder a case file names, relative to itself (none: the policy's own)."""
        return (case_file.parent / named).resolve() if named is not None else None

    def get(
        self, root: Path, parameters: Mapping[str, ParamValue], overlays: Path | None = None
    ) -> Engine:
        key = (root, overlays, tuple(sorted(parameters.items())))
        engine = self._engines.get(key)
        if engine is None:
            policy = self._policies.get((root, overlays))
            if policy is None:
                policy = self._policies[(root, overlays)] = load_policy(root, overlays=overlays)
            engine = Engine(with_parameters(policy, parameters))
            self._engines[key] = engine
        return engine


def with_parameters(policy: Policy, values: Mapping[str, ParamValue]) -> Policy:
    """``policy`` with some parameters set to other values (district overlays still apply)."""
    if not values:
        return policy
    params = dict(policy.parameters)
    for name, value in values.items():
        param = params.get(name)
        if param is None:
            raise CaseFileError(
                f"no parameter `{name}` in policy {policy.name}; it has {', '.join(params)}"
            )
        if param.type == "level":
            raise CaseFileError(
                f"parameter `{name}` is a level, which the policy resolves when it loads; "
                "set it in the policy, not in a case"
            )
        want = {"int": int, "bool": bool, "code_prefix": str}[param.type]
        if type(value) is not want:
            raise CaseFileError(f"parameter `{name}` is of type {param.type}, got {value!r}")
        params[name] = dataclasses.replace(param, value=value)
    return dataclasses.replace(policy, parameters=params)


@dataclass(frozen=True, slots=True)
class CaseResult:
    """A case, decided: ``problems`` empty when it passed."""

    file: Path
    case: CaseModel
    problems: tuple[str, ...]
    decision: Decision | None = None
    policy: Policy | None = field(default=None, compare=False, repr=False)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def id(self) -> str:
        return f"{self.file}::{self.case.name}"

    def report(self, *, ids: bool = True) -> str:
        """Expected-vs-got, with the rules that fired (``ids``; else a hint to ask for them)."""
        lines = [f"question: {self.case.question}", f"facts: {self.case.facts}"]
        if self.case.parameters:
            lines.append(f"parameters: {self.case.parameters}")
        lines += [f"  {p}" for p in self.problems]
        d = self.decision
        if d is not None and not ids:
            lines.append("(the rules that fired, overridden and applied: --ids)")
        elif d is not None:
            lines.append(f"rules fired: {', '.join(d.rules_fired) or '(none)'}")
            if d.rules_overridden:
                lines.append(f"rules overridden: {', '.join(d.rules_overridden)}")
            lines.append(f"rules applied: {', '.join(d.rules_applied) or '(none)'}")
            if d.sources:
                lines.append(f"overlays: {', '.join(d.sources)}")
        return "\n".join(lines)


def run_case(engine: Engine, file: Path, case: CaseModel) -> CaseResult:
    """Decide one case with ``engine`` and compare the decision with what the case expects."""
    expect = case.expect
    try:
        decision = engine.decide(case.facts, case.question, as_of=case.as_of)
    except (FactsError, ConflictError) as exc:
        got = type(exc).__name__
        if expect.error == got:
            return CaseResult(file, case, (), None, engine.policy)
        return CaseResult(file, case, (f"expected {_wanted(expect)}, got {got}: {exc}",))
    if expect.error is not None:
        problem = f"expected {expect.error}, got outcome {decision.outcome}"
        return CaseResult(file, case, (problem,), decision, engine.policy)
    problems = tuple(compare(decision, expect))
    return CaseResult(file, case, problems, decision, engine.policy)


def _wanted(expect: Expect) -> str:
    return expect.error if expect.error is not None else f"outcome {expect.outcome}"


def body_view(body: Body) -> dict[str, str]:
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


def _matches(actual: Mapping[str, str], want: BodyExpect) -> bool:
    given = want.model_dump(exclude_none=True)
    return all(
        actual[k] == str(v).lower() if type(v) is bool else actual[k] == str(v)
        for k, v in given.items()
    )


def compare(decision: Decision, expect: Expect) -> Iterator[str]:
    """What differs between a decision and what a case expects of it, one line each."""
    if decision.outcome != expect.outcome:
        yield f"outcome: expected {expect.outcome}, got {decision.outcome}"
    if expect.bodies is not None:
        actual = [body_view(b) for b in decision.bodies]
        wanted = [w.model_dump(exclude_none=True) for w in expect.bodies]
        unmatched = [
            w
            for w, m in zip(wanted, expect.bodies, strict=True)
            if not any(_matches(a, m) for a in actual)
        ]
        if len(actual) != len(wanted) or unmatched:
            yield f"bodies: expected {wanted}"
            yield f"        got      {actual}"
    _exactly = (
        ("citations", expect.citations, [str(c.cite) for c in decision.citations]),
        ("rules_applied", expect.rules_applied, list(decision.rules_applied)),
        ("rules_overridden", expect.rules_overridden, list(decision.rules_overridden)),
        ("instruments", expect.instruments, [i.id for i in decision.instruments]),
        ("failed", expect.failed, [f.criterion for f in decision.failed]),
    )
    for key, want, got in _exactly:
        if want is not None and sorted(want) != sorted(got):
            yield f"{key}: expected {sorted(want)}, got {sorted(got)}"
    if expect.sources is not None and list(expect.sources) != list(decision.sources):
        yield f"sources: expected {list(expect.sources)}, got {list(decision.sources)}"
    if expect.notes_contains is not None and not any(
        expect.notes_contains in note.zh or expect.notes_contains in note.en
        for note in decision.notes
    ):
        yield f"notes: expected one containing {expect.notes_contains!r}, got {decision.notes}"
    if expect.reason_contains is not None:
        reason = decision.reason
        text = reason.zh + "\n" + reason.en if reason is not None else ""
        if expect.reason_contains not in text:
            seen = f"{reason.en!r}" if reason is not None else "no reason"
            yield f"reason: expected one containing {expect.reason_contains!r}, got {seen}"


def case_files(paths: Sequence[Path]) -> list[Path]:
    """The case files named, directories searched for ``*.yaml`` (sorted, recursively)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.yaml")))
        else:
            found.append(path)
    return found


def run_file(engines: Engines, path: Path, as_of: str | None = None) -> Iterator[CaseResult]:
    """Every case of a case file, decided with the engine of its policy and parameters (and as of
    its day: the case's, else the file's, else ``as_of``, else as ``decide`` does)."""
    model = load_case_file(path, as_of)
    root = engines.root_for(path, model.policy)
    overlays = engines.overlays_for(path, model.overlays)
    for case in model.cases:
        engine = engines.get(root, {**model.parameters, **case.parameters}, overlays)
        yield run_case(engine, path, case)


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which rules and which articles (and items) the decisions of some cases exercised.

    A rule is exercised when it fired in some case; an article, paragraph or item when some
    decision cited it or a rule carrying it fired. Articles nothing cites (in the sense ``check``
    uses) are listed as not encoded, outside the percentage.
    """

    rules: Mapping[str, bool]
    cites: Mapping[Cite, bool]
    not_encoded: tuple[int, ...]
    warnings: tuple[str, ...] = ()
    """What the policy declares and does not use as it should — unused features, literal
    thresholds (``analysis.check.usage_lints``) — each as ``check`` prints a finding."""

    @staticmethod
    def _percent(marks: Iterable[bool]) -> float:
        values = list(marks)
        return 100.0 * sum(values) / len(values) if values else 100.0

    @property
    def rule_percent(self) -> float:
        return self._percent(self.rules.values())

    @property
    def article_percent(self) -> float:
        return self._percent(self.cites.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": dict(self.rules),
            "articles": {str(c): v for c, v in self.cites.items()},
            "not_encoded": [str(Cite(n)) for n in self.not_encoded],
            "rule_percent": round(self.rule_percent, 1),
            "article_percent": round(self.article_percent, 1),
            "warnings": list(self.warnings),
        }

    def render(self) -> str:
        lines = ["articles and items:"]
        by_article: dict[int, list[Cite]] = {}
        for cite in self.cites:
            by_article.setdefault(cite.article, []).append(cite)
        for number in sorted({*by_article, *self.not_encoded}):
            cites = by_article.get(number, [])
            style = cites[0].style if cites else next(iter(self.cites), Cite(number)).style
            label = _padded(str(Cite(number, style=style)), 10)
            if not cites:
                lines.append(f"  {label} not encoded by any rule")
                continue
            done = sum(self.cites[c] for c in cites)
            missed = [str(c) for c in cites if not self.cites[c]]
            mark = "ok" if not missed else "MISSED " + " ".join(missed)
            lines.append(f"  {label} {done}/{len(cites)}  {mark}")
        lines.append("rules:")
        width = max((len(r) for r in self.rules), default=0)
        lines.extend(
            f"  {rule:<{width}}  {'ok' if hit else 'MISSED'}" for rule, hit in self.rules.items()
        )
        if self.warnings:
            lines.append("warnings:")
            lines.extend(f"  {w}" for w in self.warnings)
        covered_rules = sum(self.rules.values())
        covered_cites = sum(self.cites.values())
        lines.append(
            f"coverage: articles and items {covered_cites}/{len(self.cites)}"
            f" ({self.article_percent:.1f}%), rules {covered_rules}/{len(self.rules)}"
            f" ({self.rule_percent:.1f}%)"
        )
        return "\n".join(lines)


def _padded(text: str, width: int) -> str:
    """``text`` padded to ``width`` columns of a terminal, wide characters counting two."""
    from unicodedata import east_asian_width

    used = sum(2 if east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def coverage(policy: Policy, results: Iterable[CaseResult]) -> Coverage:
    """What the cases' decisions exercised of ``policy`` (see :class:`Coverage`).

    The citations counted are those ``check`` counts as encoding the text
    (:func:`jurisdiction.analysis.usage.cited`); a rule that fired exercises every citation it
    carries (its own, and those of the definitions and parameters it reads).
    """
    from ..analysis.check import usage_lints
    from ..analysis.usage import carried, cited

    rules = {r.id: (q, r) for q in policy.questions.values() for r in q.rules}
    fired: set[str] = set()
    exercised: set[Cite] = set()
    for result in results:
        d = result.decision
        if d is None or d.policy_fingerprint != policy.fingerprint:
            continue
        fired.update(d.rules_fired)
        exercised.update(c.cite for c in d.citations)
    for rule_id in fired:
        if rule_id in rules:
            exercised.update(carried(policy, *rules[rule_id]))
    every = sorted(cited(policy))
    encoded = {c.article for c in every}
    return Coverage(
        rules={rid: rid in fired for rid in sorted(rules)},
        cites={c: c in exercised for c in every},
        not_encoded=tuple(n for n in sorted(policy.articles) if n not in encoded),
        warnings=tuple(str(f) for f in usage_lints(policy)),
    )
