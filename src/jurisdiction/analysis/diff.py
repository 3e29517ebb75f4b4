"""A semantic diff of two policies: every region of the fact space whose answer changes.

For each question of both policies, the two partitions are overlaid exactly: every feature either
policy's rules read is split at the union of both policies' thresholds (and enums and booleans
into their values), so that each class of the overlay lies inside one class of each partition.
Every realisable class is decided by both engines (on one witness, as the checker does); the
classes whose answers differ are then merged into regions — products of feature values that hold
no realisable class with another change — and reported with the old and the new answer and the
rules and articles behind each. An empty diff proves the two policies decide alike.

District overlays: a question is compared with the policy-wide parameter values, and again for
each place whose overlay (in either policy) sets a parameter it reads, with that place's values
(the overlays of the places containing it applied first), as ``jurisdiction check`` does. Where
overlays are at several levels, each scope names the narrower places compared apart, so a change
is reported once, in the scope whose values give it.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.errors import ConflictError, FactsError
from ..engine.engine import Engine, _Plan, parameters_read
from ..policy.model import Policy, Question
from .diff_names import Named, Truths, Witnessed, name_region, truths
from .partition import (
    ClassValue,
    DecidedClass,
    Interval,
    Split,
    Unverified,
    _candidates,
    _decide,
    _ImpossiblePairs,
    _wanted,
    label,
    realiser_for,
    splits,
)
from .realise import Realiser, Unrealised
from .region import Region
from .region import union as _union

__all__ = ["KINDS", "Answer", "Change", "QuestionDiff", "Region", "change_kind", "diff_policies"]


@dataclass(frozen=True, slots=True)
class Answer:
    """What a policy answers for a class: comparable, and described for a reader."""

    key: tuple[Any, ...]
    text: str
    rules: tuple[str, ...]
    articles: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"answer": self.text, "rules": list(self.rules), "articles": list(self.articles)}


def _answer(cls: DecidedClass | None) -> Answer:
    if cls is None:
        return Answer(("invalid",), "(the facts are not valid in this policy)", (), ())
    d = cls.decision
    if d is None:
        kind = "conflict" if isinstance(cls.error, ConflictError) else "error"
        text = (
            f"{kind}: {cls.error}" if kind == "error" else f"conflict: {', '.join(cls.remaining)}"
        )
        return Answer((kind, cls.remaining), text, cls.remaining, ())
    bodies = tuple(sorted((b.kind, b.place, b.level, b.role, str(b.cite)) for b in d.bodies))
    articles = tuple(str(c.cite) for c in d.citations)
    reason = d.reason.en if d.reason is not None else None
    key = (d.outcome, bodies, articles, reason, tuple(t.en for t in d.detail), d.value)
    shown = [f"{b.name.en} ({b.level} of {b.place}, {b.role}) {b.cite}" for b in d.bodies] or (
        [reason] if reason else []
    )
    text = d.outcome + (": " + "; ".join(shown) if shown else "")
    return Answer(key, text, d.rules_applied, articles)


KINDS = ("answer", "body", "reason-text-only")
"""What a change changes, most first: the outcome or answer value; else who answers (a body, its
place, level, role or article); else only the words — reason, detail or articles cited."""


def change_kind(old: Answer, new: Answer) -> str:
    """``answer``, ``body`` or ``reason-text-only`` (see ``KINDS``) for two differing answers."""
    a, b = old.key, new.key
    if len(a) != len(b) or len(a) < 6 or a[0] != b[0] or a[5] != b[5]:
        return "answer"  # the outcome or value, or a conflict, error or invalid fact set
    return "body" if a[1] != b[1] else "reason-text-only"


@dataclass(frozen=True, slots=True)
class Change:
    """A region whose answer is ``old`` in the old policy and ``new`` in the new one."""

    region: Region
    old: Answer
    new: Answer
    classes: int  # the classes of the overlay it merges
    also: tuple[Region, ...] = ()  # further regions with the same change (a union)
    named: Named | None = None
    """The regions' union as one of the policy's definitions says it, where that is exact."""

    @property
    def kind(self) -> str:
        return change_kind(self.old, self.new)

    @property
    def regions(self) -> tuple[Region, ...]:
        return (self.region, *self.also)

    def describe(
        self, subject: str, split_list: Sequence[Split], region: Region | None = None
    ) -> list[str]:
        """One ``feature value`` phrase per feature that the region (the first) restricts."""
        every = {s.feature: s for s in split_list}
        out = []
        for name, values in (region or self.region).values:
            split = every[name]
            if set(values) >= set(split.values):
                continue  # any value
            out.append(f"{label(subject, name)} {_values(split, values)}")
        return out or ["(every fact set)"]

    def lines(self, subject: str, split_list: Sequence[Split]) -> list[list[str]]:
        """The phrases of each alternative as reported: one, led by the definition, for a named
        change; else one per region."""
        if self.named is not None:
            rest = self.describe(subject, split_list, self.named.rest)
            return [[self.named.phrase, *(p for p in rest if p != "(every fact set)")]]
        return [self.describe(subject, split_list, region) for region in self.regions]

    def to_dict(self, subject: str, split_list: Sequence[Split]) -> dict[str, Any]:
        every = {s.feature: s for s in split_list}

        def when(region: Region) -> dict[str, Any]:
            return {
                label(subject, name): [
                    v.to_json() if isinstance(v, Interval) else v for v in _merged(values)
                ]
                for name, values in region.values
                if not set(values) >= set(every[name].values)
            }

        return {
            "kind": self.kind,
            "when": when(self.region),
            "also_when": [when(r) for r in self.also],
            **(
                {
                    "as_defined": {
                        "definition": self.named.definition,
                        "holds": self.named.holds,
                        "and_when": when(self.named.rest),
                    }
                }
                if self.named is not None
                else {}
            ),
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
        }


def _merged(values: Sequence[ClassValue]) -> list[ClassValue]:
    """Values with adjacent intervals joined, in order."""
    ints = sorted(v for v in values if isinstance(v, Interval))
    rest = [v for v in values if not isinstance(v, Interval)]
    joined: list[Interval] = []
    for iv in ints:
        if joined and joined[-1].high + 1 >= iv.low:
            joined[-1] = Interval(joined[-1].low, max(joined[-1].high, iv.high))
        else:
            joined.append(iv)
    return [*rest, *joined]


def _values(split: Split, values: Sequence[ClassValue]) -> str:
    merged = _merged(values)
    if split.type.kind == "bool" and len(merged) == 1:
        return f"= {str(merged[0]).lower()}"
    shown = [str(v) if isinstance(v, Interval) else f'"{v}"' for v in merged]
    if len(shown) == 1:
        return ("in " if isinstance(merged[0], Interval) and "." in shown[0] else "= ") + shown[0]
    return "in {" + ", ".join(shown) + "}"


@dataclass(frozen=True, slots=True)
class QuestionDiff:
    """The changes of one question in one scope (policy-wide, or one district's overlay)."""

    question: str
    subject: str
    scope: str | None  # None: policy-wide; else the place whose overlay values applied
    splits: tuple[Split, ...]
    changes: tuple[Change, ...]
    classes: int
    excluded: tuple[str, ...] = ()
    """The places inside the scope decided apart, with overlays of their own (the widest of
    them: each lists its own narrower ones)."""
    unverified: tuple[Unverified, ...] = ()
    """Classes neither policy's realiser could construct nor prove impossible: not compared."""
    level: str | None = None
    """The level of the hierarchy ``scope`` is a place of (overlays may be at several)."""

    def incomplete_lines(self) -> list[str]:
        """What the comparison could not decide here (none when it is complete)."""
        if not self.unverified:
            return []
        first = self.unverified[0]
        return [
            f"{self.question} [{self.subject}] INCOMPLETE: {len(self.unverified)} of "
            f"{self.classes + len(self.unverified)} classes neither constructed nor proved "
            f"impossible, not compared (check-incomplete), e.g. {first.describe(self.subject)}: "
            f"{first.why.why()}"
        ]

    def render(self) -> str:
        if self.scope is not None:
            where = f"in {self.level or 'district'} {self.scope}, with its overlay's values"
            if self.excluded:
                where += f", but not in {', '.join(self.excluded)} (own overlay values)"
        elif self.excluded:
            where = f"in every district but {', '.join(self.excluded)} (own overlay values)"
        else:
            where = "everywhere"
        lines = [f"{self.question} [{self.subject}] {where}:"]
        for change in self.changes:
            for n, phrases in enumerate(change.lines(self.subject, self.splits)):
                lead = f"[{change.kind}]" if n == 0 else "or".ljust(len(change.kind) + 2)
                lines.append(f"  {lead} " + ", ".join(phrases))
            for tag, answer in (("old", change.old), ("new", change.new)):
                rules = f"  [{', '.join(answer.rules)}]" if answer.rules else ""
                lines.append(f"    {tag}: {answer.text}{rules}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "subject": self.subject,
            "district": self.scope,
            "level": self.level,
            "other_districts_apart": list(self.excluded),
            "classes_compared": self.classes,
            "changes": [c.to_dict(self.subject, self.splits) for c in self.changes],
            **self._unverified_dict(),
        }

    def _unverified_dict(self) -> dict[str, Any]:
        if not self.unverified:
            return {}
        return {
            "classes_unverified": len(self.unverified),
            "unverified": [
                {"when": u.describe(self.subject), "why": u.why.why()} for u in self.unverified
            ],
        }


def _merged_splits(a: Sequence[Split], b: Sequence[Split]) -> tuple[Split, ...]:
    """Each feature of either, split at the union of both's values (thresholds included)."""
    out: dict[str, Split] = {s.feature: s for s in a}
    for s in b:
        mine = out.get(s.feature)
        if mine is None:
            out[s.feature] = s
        elif s.type.kind == "int":
            ts = tuple(sorted(set(mine.thresholds) | set(s.thresholds)))
            relational = mine.relational or s.relational
            cut = {iv.low for iv in (*mine.values, *s.values) if isinstance(iv, Interval)}
            lo, hi = s.type.minimum, s.type.maximum
            starts = sorted(c for c in cut | {lo} if lo <= c <= hi)
            values = tuple(
                Interval(start, (starts[i + 1] - 1) if i + 1 < len(starts) else hi)
                for i, start in enumerate(starts)
            )
            out[s.feature] = Split(s.feature, s.type, values, ts, relational)
        else:
            out[s.feature] = dataclasses.replace(s, values=_union(mine.values, s.values))
    return tuple(out.values())


def _flat(policy: Policy, district: str | None) -> Policy:
    if district is None:
        return policy
    return dataclasses.replace(policy, parameters=policy.parameters_for(district), overlays={})


def _compare(
    old: Engine,
    new: Engine,
    q_old: Question,
    q_new: Question,
    realisers: tuple[Realiser, Realiser],
    unverified: list[Unverified] | None = None,
) -> tuple[
    tuple[Split, ...],
    list[tuple[tuple[tuple[str, ClassValue], ...], Answer, Answer]],
    list[Witnessed],
]:
    """Every realisable class of the overlaid partitions, with its old and new answer (and its
    witness as each engine read it); a class
    neither realiser constructs, even by the exact search, nor proves impossible goes to
    ``unverified`` (never dropped without a word)."""
    split_list = _merged_splits(splits(old.policy, q_old), splits(new.policy, q_new))
    subjects = (new.policy.subjects[q_new.subject], old.policy.subjects[q_old.subject])
    impossible = [
        _ImpossiblePairs(realiser, subject, split_list)
        for subject, realiser in zip(subjects, reversed(realisers), strict=True)
    ]
    plans: tuple[dict[frozenset[str], _Plan], dict[frozenset[str], _Plan]] = ({}, {})
    decided = []
    witnessed: list[Witnessed] = []
    for combo in itertools.product(*(s.values for s in split_list)):
        if all(pairs.rules_out(combo) for pairs in impossible):
            continue  # no fact set of either policy has this class
        facts = None
        for subject, realiser in zip(subjects, reversed(realisers), strict=True):
            for assignment in _candidates(split_list, combo):
                facts = realiser.realise(subject, assignment)
                if facts is not None:
                    break
            if facts is not None:
                break
        values = tuple((s.feature, v) for s, v in zip(split_list, combo, strict=True))
        if facts is None:
            found = _exactly(subjects, (realisers[1], realisers[0]), values)
            if isinstance(found, Unrealised):
                if not found.proved and unverified is not None:
                    unverified.append(Unverified(values, found))
                continue
            facts = found
        answers = []
        read: list[Any] = []
        for engine, q, kept in ((old, q_old, plans[0]), (new, q_new, plans[1])):
            try:
                own = engine.parse_facts(facts)  # revalidated unless the model is the engine's
            except FactsError:
                answers.append(_answer(None))
                read.append(None)
                continue
            read.append(own)
            answers.append(_answer(_decide(engine, q, values, own, kept)))
        decided.append((values, answers[0], answers[1]))
        witnessed.append(Witnessed(values, (read[0], read[1])))
    return split_list, decided, witnessed


def _exactly(
    subjects: tuple[Any, Any],
    realisers: tuple[Realiser, Realiser],
    values: tuple[tuple[str, ClassValue], ...],
) -> Any:
    """A fact set of the class by the exact search (``Realiser.realise_class``) under either
    policy; or why there is none: proved only if impossible under both."""
    why: list[Unrealised] = []
    for subject, realiser in zip(subjects, realisers, strict=True):
        found = realiser.realise_class(subject, _wanted(values))
        if not isinstance(found, Unrealised):
            return found
        why.append(found)
    return next((u for u in why if not u.proved), why[0])


def _regions(
    split_list: Sequence[Split],
    decided: Sequence[tuple[tuple[tuple[str, ClassValue], ...], Answer, Answer]],
) -> list[Change]:
    """The changed classes merged, greedily, into products that hold no other realised class."""
    changes = [
        Change(Region(tuple((n, (v,)) for n, v in values)), a, b, 1)
        for values, a, b in decided
        if a.key != b.key
    ]

    def same(x: Change, y: Change) -> bool:
        return x.old.key == y.old.key and x.new.key == y.new.key

    merged = True
    while merged:
        merged = False
        for i, j in itertools.combinations(range(len(changes)), 2):
            x, y = changes[i], changes[j]
            if not same(x, y):
                continue
            box = x.region.join(y.region)
            inside = [(a, b) for values, a, b in decided if box.contains(values)]
            if all(a.key == x.old.key and b.key == x.new.key for a, b in inside):
                changes[i] = Change(box, x.old, x.new, len(inside))
                del changes[j]
                merged = True
                break
    order = {s.feature: s.values for s in split_list}

    def ordered(region: Region) -> Region:
        return Region(tuple((n, tuple(v for v in order[n] if v in vs)) for n, vs in region.values))

    return [
        dataclasses.replace(c, region=ordered(c.region), also=tuple(ordered(r) for r in c.also))
        for c in _unions(changes)
    ]


def _unions(changes: Sequence[Change]) -> list[Change]:
    """One change per old → new pair of answers: its regions joined exactly where they allow —
    two regions that differ in one feature's values only are one region with both values
    (adjacent intervals, the two sides of a boolean, the other values of an enum), and a region
    inside another is dropped. What is left are the alternatives of one change (a disjunction
    of the policy reads as one change, not a region per disjunct)."""
    grouped: dict[tuple[Any, Any], list[Change]] = {}
    for change in changes:
        grouped.setdefault((change.old.key, change.new.key), []).append(change)
    out = []
    for group in grouped.values():
        boxes = [c.region for c in group]
        joined = True
        while joined:
            joined = False
            for i, j in itertools.permutations(range(len(boxes)), 2):
                box = _exact_join(boxes[i], boxes[j])
                if box is not None:
                    boxes[i] = box
                    del boxes[j]
                    joined = True
                    break
        first = group[0]
        total = sum(c.classes for c in group)
        out.append(Change(boxes[0], first.old, first.new, total, tuple(boxes[1:])))
    return out


def _exact_join(a: Region, b: Region) -> Region | None:
    """``a ∪ b`` as one region if it is one: ``b`` inside ``a``, or the two equal but in one
    feature's values; else None."""
    theirs = dict(b.values)
    differ = [name for name, vs in a.values if set(vs) != set(theirs[name])]
    if all(set(theirs[name]) <= set(vs) for name, vs in a.values):
        return a
    if len(differ) == 1:
        return a.join(b)
    return None


def _named(
    engines: tuple[Engine, Engine],
    questions: tuple[Question, Question],
    split_list: Sequence[Split],
    decided: Sequence[tuple[tuple[tuple[str, ClassValue], ...], Answer, Answer]],
    witnessed: Sequence[Witnessed],
) -> Iterator[Change]:
    """The changes of the compared classes, each named by a definition where that is exact
    (``analysis.diff_names``)."""
    holds: Truths | None = None
    for change in _regions(split_list, decided):
        if holds is None:
            holds = truths(engines, questions, split_list, witnessed)
        changed = [a.key == change.old.key and b.key == change.new.key for _v, a, b in decided]
        found = name_region(holds, split_list, witnessed, changed, change.regions)
        yield dataclasses.replace(change, named=found) if found is not None else change


@dataclass(frozen=True, slots=True)
class PolicyDiff:
    old: Policy
    new: Policy
    added: tuple[str, ...]
    removed: tuple[str, ...]
    questions: tuple[QuestionDiff, ...]

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or any(q.changes for q in self.questions))

    @property
    def complete(self) -> bool:
        """Every class of every question compared (none left unverified)."""
        return not any(q.unverified for q in self.questions)

    def render(self) -> str:
        lines = [f"question added: {name}" for name in self.added]
        lines += [f"question removed: {name}" for name in self.removed]
        lines += [q.render() for q in self.questions if q.changes]
        lines += [line for q in self.questions for line in q.incomplete_lines()]
        if not lines:
            compared = sum(q.classes for q in self.questions)
            return f"no difference: {compared} classes of cases decided alike"
        return "\n".join([self.summary(), *lines])

    def counts(self) -> dict[str, dict[str, int]]:
        """The changes of each question (every district together) by kind."""
        out: dict[str, dict[str, int]] = {}
        for q in self.questions:
            for change in q.changes:
                mine = out.setdefault(q.question, dict.fromkeys(KINDS, 0))
                mine[change.kind] += 1
        return out

    def summary(self) -> str:
        """One line: how many changes, of which kinds, in which questions."""
        counts = self.counts()
        total = sum(sum(c.values()) for c in counts.values())
        per = "; ".join(
            f"{q} " + ", ".join(f"{n} {kind}" for kind, n in c.items() if n)
            for q, c in counts.items()
        )
        head = f"{total} change{'s' if total != 1 else ''} in {len(counts)} question"
        head += "s" if len(counts) != 1 else ""
        extra = [f"{len(self.added)} added", f"{len(self.removed)} removed"]
        moved = ", ".join(e for e in extra if not e.startswith("0 "))
        return head + (f" (questions {moved})" if moved else "") + (f": {per}" if per else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": {"name": self.old.name, "fingerprint": self.old.fingerprint},
            "new": {"name": self.new.name, "fingerprint": self.new.fingerprint},
            "differs": self.differs,
            "complete": self.complete,
            "summary": self.counts(),
            "questions_added": list(self.added),
            "questions_removed": list(self.removed),
            "questions": [q.to_dict() for q in self.questions if q.changes or q.unverified],
        }


def _districts(policy: Policy, question: Question) -> set[str]:
    read = parameters_read(question)
    return {d for d, o in policy.overlays.items() if read & set(o.parameters)}


def _apart(scope: str | None, places: Collection[str]) -> tuple[str, ...]:
    """The places of ``places`` inside ``scope`` (everywhere, for None) compared on their own:
    the widest of them, each place narrower than one of those being inside that one's scope."""
    inside = [p for p in places if p != scope and (scope is None or p.startswith(scope))]
    return tuple(sorted(p for p in inside if not any(o != p and p.startswith(o) for o in inside)))


def diff_policies(old: Policy, new: Policy, only: Collection[str] | None = None) -> PolicyDiff:
    """Every region of every question (of ``only``, if given) whose answer differs between
    ``old`` and ``new``. A dated policy is compared as it stands on one day: pass
    ``policy.dated.policy_on(policy, day)``."""
    common = [n for n in new.questions if n in old.questions and (only is None or n in only)]
    out: list[QuestionDiff] = []
    engines: dict[tuple[int, str | None], tuple[Engine, Realiser]] = {}

    def engine(policy: Policy, district: str | None) -> tuple[Engine, Realiser]:
        key = (id(policy), district)
        if key not in engines:
            e = Engine(_flat(policy, district))
            engines[key] = (e, realiser_for(e))
        return engines[key]

    for name in common:
        q_old, q_new = old.questions[name], new.questions[name]
        districts = sorted(_districts(old, q_old) | _districts(new, q_new))
        for scope in [None, *districts]:
            (e_old, r_old), (e_new, r_new) = engine(old, scope), engine(new, scope)
            unverified: list[Unverified] = []
            split_list, decided, witnessed = _compare(
                e_old,
                e_new,
                e_old.policy.questions[name],
                e_new.policy.questions[name],
                (r_old, r_new),
                unverified,
            )
            out.append(
                QuestionDiff(
                    name,
                    q_new.subject,
                    scope,
                    split_list,
                    tuple(
                        _named(
                            (e_old, e_new),
                            (e_old.policy.questions[name], e_new.policy.questions[name]),
                            split_list,
                            decided,
                            witnessed,
                        )
                    ),
                    len(decided),
                    _apart(scope, districts),
                    tuple(unverified),
                    None if scope is None else new.hierarchy.level_of(scope),
                )
            )
    return PolicyDiff(
        old,
        new,
        tuple(n for n in new.questions if n not in old.questions),
        tuple(n for n in old.questions if n not in new.questions),
        tuple(out),
    )


def changed_classes(diff: PolicyDiff) -> Iterator[tuple[QuestionDiff, Change]]:
    for q in diff.questions:
        for change in q.changes:
            yield q, change
