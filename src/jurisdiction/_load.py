"""Loading a policy directory: strict YAML → schema models → cross-checked, frozen ``Policy``.

The passes, each a named function:

1. ``_read``: every ``*.yaml`` file of the directory, strictly, with marks;
2. ``_validate``: each file against the schema (located pydantic errors);
3. ``_merge``: sections and names may be defined once across all files;
4. ``_build``: articles, parameters, vocabulary, bodies; definitions and questions with their
   conditions parsed, type-checked and expanded; every cross-reference resolved;
5. ``_overlays``: each ``overlays/<district>.yaml`` of the directory, which may set the
   parameters the city policy marks ``delegated`` and nothing else.

All diagnostics of a pass are collected before raising, so an analyst sees every problem at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import _schema as s
from ._conditions import (
    And,
    ConditionSyntaxError,
    DefRef,
    Expr,
    Not,
    ParamRef,
    parse_condition,
    transform,
    walk,
)
from ._errors import Diagnostic, Location, PolicyError, suggest
from ._places import Level, validate_place
from ._policy import (
    AnswerSpec,
    ArticleText,
    BodySpec,
    BodyTemplate,
    Definition,
    Overlay,
    Parameter,
    Policy,
    Question,
    Rule,
    Vocabulary,
)
from ._subjects import CITY_PARAMETER, SUBJECTS
from ._text import Cite, Text
from ._typecheck import typecheck
from ._yaml import LocatedDocument, Path_, load_yaml

__all__ = ["load_policy"]

M = TypeVar("M", bound=BaseModel)


def _all_field_names() -> frozenset[str]:
    names: set[str] = set()
    for obj in vars(s).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            names.update(obj.model_fields)
    return frozenset(names)


_FIELD_NAMES = _all_field_names()


@dataclass
class _Source:
    doc: LocatedDocument
    model: s.PolicyFile


@dataclass
class _Merged:
    """Every section of every file, each name with the file that defined it."""

    meta: tuple[s.Meta, _Source] | None = None
    document: tuple[s.Document, _Source] | None = None
    vocabulary: tuple[s.Vocabulary, _Source] | None = None
    chapters: dict[int, tuple[int, s.Chapter, _Source]] = field(default_factory=dict)
    articles: dict[int, tuple[int, s.Article, _Source]] = field(default_factory=dict)
    parameters: dict[str, tuple[s.Parameter, _Source]] = field(default_factory=dict)
    bodies: dict[str, tuple[s.Body, _Source]] = field(default_factory=dict)
    definitions: dict[str, tuple[s.Definition, _Source]] = field(default_factory=dict)
    questions: dict[str, tuple[s.Question, _Source]] = field(default_factory=dict)


# --- pass 1 and 2: read and validate --------------------------------------------------------------


def _read(root: Path) -> list[LocatedDocument]:
    if not root.exists():
        raise PolicyError.single("file", "no such policy directory", Location(str(root), 1, 1))
    if root.is_file():
        return [load_yaml(root, str(root))]
    files = sorted(root.glob("*.yaml"))
    if not files:
        raise PolicyError.single(
            "file", "the policy directory holds no *.yaml file", Location(str(root), 1, 1)
        )
    return [load_yaml(f, str(f)) for f in files]


def pydantic_diagnostics(doc: LocatedDocument, exc: ValidationError) -> list[Diagnostic]:
    """Located diagnostics for a pydantic error on a YAML document."""
    out: list[Diagnostic] = []
    seen: set[tuple[Path_, str]] = set()
    for err in exc.errors():
        path, last = _doc_path(doc.value, err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            code, suggestion = "unknown-key", suggest(str(last), _FIELD_NAMES)
            message = f"unknown key `{last}`"
        elif kind == "missing":
            code, suggestion = "missing-key", None
            message = f"missing key `{last}`"
        else:
            code, suggestion = "schema", None
            where = ".".join(str(p) for p in path) or "document"
            message = f"{where}: {err['msg']}"
        if (path, code) in seen:
            continue
        seen.add((path, code))
        at = doc.key_location(path) if code == "unknown-key" else doc.location(path)
        out.append(Diagnostic(code, message, at, suggestion, path))
    return out


def _doc_path(value: Any, loc: Iterable[int | str]) -> tuple[Path_, int | str]:
    """The part of a pydantic location that indexes into the document, and its last element."""
    path: list[str | int] = []
    last: int | str = ""
    for part in loc:
        last = part
        inside_dict = isinstance(value, dict) and part in value
        inside_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        if inside_dict or inside_list:
            value = value[part]
            path.append(part)
    return tuple(path), last


def _validate(docs: list[LocatedDocument]) -> list[_Source]:
    sources: list[_Source] = []
    problems: list[Diagnostic] = []
    for doc in docs:
        try:
            sources.append(_Source(doc, s.PolicyFile.model_validate(doc.value)))
        except ValidationError as exc:
            problems.extend(pydantic_diagnostics(doc, exc))
    if problems:
        raise PolicyError(problems)
    return sources


# --- pass 3: merge --------------------------------------------------------------------------------


def _merge(sources: list[_Source]) -> _Merged:
    merged = _Merged()
    problems: list[Diagnostic] = []

    def once(name: str, current: tuple[Any, _Source] | None, src: _Source, path: Path_) -> None:
        if current is not None:
            problems.append(
                Diagnostic(
                    "duplicate-name",
                    f"section `{name}` is also in {current[1].doc.file}",
                    src.doc.location(path),
                )
            )

    for src in sources:
        m = src.model
        if m.policy is not None:
            once("policy", merged.meta, src, ("policy",))
            merged.meta = (m.policy, src)
        if m.document is not None:
            once("document", merged.document, src, ("document",))
            merged.document = (m.document, src)
        if m.vocabulary is not None:
            once("vocabulary", merged.vocabulary, src, ("vocabulary",))
            merged.vocabulary = (m.vocabulary, src)
        for i, chapter in enumerate(m.chapters):
            _put(
                merged.chapters,
                chapter.number,
                (i, chapter, src),
                src,
                ("chapters", i),
                "chapter",
                problems,
            )
        for i, article in enumerate(m.articles):
            _put(
                merged.articles,
                article.number,
                (i, article, src),
                src,
                ("articles", i),
                "article",
                problems,
            )
        for section in ("parameters", "bodies", "definitions", "questions"):
            table: dict[str, Any] = getattr(merged, section)
            for name, value in getattr(m, section).items():
                _put(table, name, (value, src), src, (section, name), section[:-1], problems)
    for section, where in (
        ("policy", merged.meta),
        ("vocabulary", merged.vocabulary),
        ("document", merged.document),
    ):
        if where is None:
            first = sources[0].doc
            problems.append(
                Diagnostic(
                    "missing-key",
                    f"no file of the policy has the `{section}` section",
                    first.location(()),
                )
            )
    if problems:
        raise PolicyError(problems)
    return merged


def _put(
    table: dict[Any, Any],
    key: Any,
    value: Any,
    src: _Source,
    path: Path_,
    what: str,
    problems: list[Diagnostic],
) -> None:
    if key in table:
        other: _Source = table[key][-1]
        problems.append(
            Diagnostic(
                "duplicate-name",
                f"{what} `{key}` is defined twice (also in {other.doc.file})",
                src.doc.location(path),
            )
        )
    else:
        table[key] = value


# --- pass 4: build ----------------------------------------------------------------------------


def _text(t: s.Text) -> Text:
    return Text(t.zh, t.en)


def _cite(c: s.Citation) -> Cite:
    return Cite(c.article, c.item)


class _Builder:
    def __init__(self, merged: _Merged) -> None:
        self.m = merged
        self.problems: list[Diagnostic] = []

    def problem(
        self, code: str, message: str, src: _Source, path: Path_, suggestion: str | None = None
    ) -> None:
        self.problems.append(Diagnostic(code, message, src.doc.location(path), suggestion, path))

    # articles ---------------------------------------------------------------------------------

    def articles(self) -> dict[int, ArticleText]:
        out: dict[int, ArticleText] = {}
        for number, (i, art, src) in sorted(self.m.articles.items()):
            if art.chapter not in self.m.chapters:
                self.problem(
                    "unknown-chapter",
                    f"chapter {art.chapter} is not defined",
                    src,
                    ("articles", i, "chapter"),
                )
            items: dict[int, Text] = {}
            for j, item in enumerate(art.items):
                if item.number in items:
                    self.problem(
                        "duplicate-name",
                        f"item {item.number} is listed twice",
                        src,
                        ("articles", i, "items", j),
                    )
                if item.zh not in art.zh:
                    self.problem(
                        "article-text",
                        "the item's text is not part of the article's",
                        src,
                        ("articles", i, "items", j, "zh"),
                    )
                items[item.number] = Text(item.zh, item.en)
            for j, clause in enumerate(art.not_encoded):
                if clause.zh not in art.zh:
                    self.problem(
                        "article-text",
                        "the clause is not part of the article's text",
                        src,
                        ("articles", i, "not_encoded", j, "zh"),
                    )
            out[number] = ArticleText(
                number,
                art.chapter,
                Text(art.zh, art.en),
                items,
                tuple((c.zh, c.reason) for c in art.not_encoded),
                src.doc.location(("articles", i)),
            )
        return out

    def check_cite(
        self, cite: Cite, articles: Mapping[int, ArticleText], src: _Source, path: Path_
    ) -> None:
        article = articles.get(cite.article)
        if article is None:
            self.problem(
                "unknown-article", f"article {cite.article} is not in the policy text", src, path
            )
        elif cite.item is not None and cite.item not in article.items:
            listed = ", ".join(str(n) for n in sorted(article.items)) or "none"
            self.problem(
                "unknown-item",
                f"article {cite} has no item {cite.item} (items: {listed})",
                src,
                path,
            )

    # parameters, vocabulary, bodies -----------------------------------------------------------

    def parameters(self, articles: Mapping[int, ArticleText]) -> dict[str, Parameter]:
        out: dict[str, Parameter] = {}
        for name, (p, src) in sorted(self.m.parameters.items()):
            cite = _cite(p.cite) if p.cite else None
            if cite:
                self.check_cite(cite, articles, src, ("parameters", name, "cite"))
            out[name] = Parameter(
                name,
                p.type,
                p.value,
                p.doc,
                p.bound,
                p.delegated,
                cite,
                p.note,
                src.doc.location(("parameters", name)),
                src.doc.file,
            )
        city = out.get(CITY_PARAMETER)
        city_path: Path_ = ("parameters", CITY_PARAMETER)
        if city is None or city.type != "code_prefix":
            where: Path_ = ()
            if city is not None:  # point at its type
                src, where = self.m.parameters[CITY_PARAMETER][1], (*city_path, "type")
            else:  # point at the file with the vocabulary: the policy's main file
                _v, src = self.m.vocabulary or (None, None)  # type: ignore[assignment]
            assert src is not None
            self.problem(
                "city-parameter",
                f"the policy must name its city: parameter `{CITY_PARAMETER}` of "
                'type code_prefix (e.g. value: "12")',
                src,
                where,
            )
        return out

    def vocabulary(self) -> Vocabulary:
        assert self.m.vocabulary is not None
        v, _src = self.m.vocabulary
        lv = v.levels
        levels = {
            "city": (_text(lv.city), _text(lv.city)),
            "district": (_text(lv.district), _text(lv.district)),
            "street": (_text(lv.street.urban), _text(lv.street.rural)),
            "community": (_text(lv.community.urban), _text(lv.community.rural)),
        }
        return Vocabulary(
            levels,
            {k: _text(t) for k, t in v.places.items()},
            {k: _text(t) for k, t in v.roles.items()},
            {k: _text(t) for k, t in v.outcomes.items()},
        )

    def bodies(self) -> dict[str, BodySpec]:
        out: dict[str, BodySpec] = {}
        for kind, (b, _src) in sorted(self.m.bodies.items()):
            if isinstance(b.name, s.FormText):
                out[kind] = BodySpec(kind, _text(b.name.urban), _text(b.name.rural))
            else:
                out[kind] = BodySpec(kind, _text(b.name), _text(b.name))
        return out

    # conditions -------------------------------------------------------------------------------

    def condition(
        self,
        text: str | bool,
        subject: str,
        src: _Source,
        path: Path_,
        params: Mapping[str, Parameter],
    ) -> Expr | None:
        if isinstance(text, bool):
            text = "true" if text else "false"
        try:
            expr = parse_condition(text)
        except ConditionSyntaxError as exc:
            self.problems.append(
                Diagnostic(
                    "condition-syntax",
                    str(exc),
                    src.doc.text_location(path, exc.span.line, exc.span.column),
                    None,
                    path,
                )
            )
            return None
        ptypes = {n: p.type for n, p in params.items()}
        dsubjects = {n: d.subject for n, (d, _s) in self.m.definitions.items()}
        found = typecheck(expr, subject, ptypes, dsubjects)
        for prob in found:
            self.problems.append(
                Diagnostic(
                    prob.code,
                    prob.message,
                    src.doc.text_location(path, prob.span.line, prob.span.column),
                    prob.suggestion,
                    path,
                )
            )
        return None if found else expr

    def definitions(
        self, params: Mapping[str, Parameter], articles: Mapping[int, ArticleText]
    ) -> dict[str, Definition]:
        parsed: dict[str, tuple[Expr, s.Definition, _Source]] = {}
        for name, (d, src) in sorted(self.m.definitions.items()):
            if d.subject not in SUBJECTS:
                self.problem(
                    "unknown-subject",
                    f"unknown subject `{d.subject}`",
                    src,
                    ("definitions", name, "subject"),
                    suggest(d.subject, set(SUBJECTS)),
                )
                continue
            if d.cite:
                self.check_cite(_cite(d.cite), articles, src, ("definitions", name, "cite"))
            expr = self.condition(d.when, d.subject, src, ("definitions", name, "when"), params)
            if expr is not None:
                parsed[name] = (expr, d, src)
        expanded: dict[str, Expr] = {}
        for name in parsed:
            self._expand_definition(name, parsed, expanded, ())
        return {
            name: Definition(
                name,
                d.subject,
                expr,
                expanded[name],
                d.doc,
                _cite(d.cite) if d.cite else None,
                _text(d.outside) if d.outside else None,
                src.doc.location(("definitions", name)),
                src.doc.scalar(("definitions", name, "when")),
            )
            for name, (expr, d, src) in parsed.items()
            if name in expanded
        }

    def _expand_definition(
        self,
        name: str,
        parsed: Mapping[str, tuple[Expr, s.Definition, _Source]],
        done: dict[str, Expr],
        stack: tuple[str, ...],
    ) -> Expr | None:
        if name in done:
            return done[name]
        if name not in parsed:
            return None
        expr, _d, src = parsed[name]
        if name in stack:
            cycle = " → ".join((*stack[stack.index(name) :], name))
            self.problem(
                "definition-cycle",
                f"definitions refer to each other: {cycle}",
                src,
                ("definitions", name, "when"),
            )
            return None
        failed = False

        def visit(node: Expr) -> Expr | None:
            nonlocal failed
            if isinstance(node, DefRef):
                inner = self._expand_definition(node.name, parsed, done, (*stack, name))
                if inner is None:
                    failed = True
                return inner
            return None

        result = transform(expr, visit)
        if failed:
            return None
        done[name] = result
        return result

    def inline(self, expr: Expr, definitions: Mapping[str, Definition]) -> Expr:
        return transform(
            expr, lambda n: definitions[n.name].expanded if isinstance(n, DefRef) else None
        )

    # questions --------------------------------------------------------------------------------

    def questions(
        self,
        params: Mapping[str, Parameter],
        definitions: Mapping[str, Definition],
        articles: Mapping[int, ArticleText],
        vocab: Vocabulary,
        bodies: Mapping[str, BodySpec],
    ) -> dict[str, Question]:
        out: dict[str, Question] = {}
        seen_ids: dict[str, Location] = {}
        for qname, (q, src) in sorted(self.m.questions.items()):
            qpath: Path_ = ("questions", qname)
            if q.subject not in SUBJECTS:
                self.problem(
                    "unknown-subject",
                    f"unknown subject `{q.subject}`",
                    src,
                    (*qpath, "subject"),
                    suggest(q.subject, set(SUBJECTS)),
                )
                continue
            scope = self._scope(q, qname, src, definitions)
            rules: list[Rule] = []
            if scope is not None:
                rules.append(self._scope_rule(qname, scope, src.doc.location(qpath)))
            for i, r in enumerate(q.rules):
                rule = self._rule(
                    qname,
                    q.subject,
                    r,
                    src,
                    (*qpath, "rules", i),
                    params,
                    definitions,
                    articles,
                    vocab,
                    bodies,
                    scope,
                )
                if rule is None:
                    continue
                if rule.id in seen_ids:
                    self.problem(
                        "duplicate-rule",
                        f"rule id `{rule.id}` is already used at {seen_ids[rule.id]}",
                        src,
                        (*qpath, "rules", i, "id"),
                    )
                seen_ids[rule.id] = rule.location
                rules.append(rule)
            out[qname] = Question(
                qname,
                q.subject,
                _text(q.title),
                q.scope,
                q.always_answers,
                tuple(sorted(rules, key=lambda r: r.id)),
                src.doc.location(qpath),
            )
        return out

    def _scope(
        self, q: s.Question, qname: str, src: _Source, definitions: Mapping[str, Definition]
    ) -> Definition | None:
        if q.scope is None:
            return None
        path: Path_ = ("questions", qname, "scope")
        scope = definitions.get(q.scope)
        if scope is None:
            if q.scope not in self.m.definitions:
                self.problem(
                    "unknown-definition",
                    f"unknown definition `{q.scope}`",
                    src,
                    path,
                    suggest(q.scope, set(self.m.definitions)),
                )
            return None
        if scope.subject != q.subject:
            self.problem(
                "type-mismatch",
                f"scope `{q.scope}` is about {scope.subject}, the question about {q.subject}",
                src,
                path,
            )
            return None
        if scope.cite is None or scope.outside is None:
            self.problem(
                "scope",
                f"a scope needs `cite` and `outside` (the not-applicable "
                f"reason); definition `{q.scope}` lacks them",
                src,
                path,
            )
            return None
        return scope

    @staticmethod
    def _scope_rule(qname: str, scope: Definition, where: Location) -> Rule:
        assert scope.cite is not None
        return Rule(
            id=f"{qname}.outside_scope",
            question=qname,
            cites=(scope.cite,),
            condition=Not(DefRef(scope.name)),
            expanded=Not(scope.expanded),
            answer=AnswerSpec("not_applicable", reason=scope.outside),
            overrides=(),
            location=where,
            from_scope=True,
        )

    def _rule(
        self,
        qname: str,
        subject: str,
        r: s.Rule,
        src: _Source,
        path: Path_,
        params: Mapping[str, Parameter],
        definitions: Mapping[str, Definition],
        articles: Mapping[int, ArticleText],
        vocab: Vocabulary,
        bodies: Mapping[str, BodySpec],
        scope: Definition | None,
    ) -> Rule | None:
        before = len(self.problems)
        cites_raw = r.cite if isinstance(r.cite, list) else [r.cite]
        cites = tuple(_cite(c) for c in cites_raw)
        for i, c in enumerate(cites):
            self.check_cite(
                c,
                articles,
                src,
                (*path, "cite", i) if isinstance(r.cite, list) else (*path, "cite"),
            )
        expr = self.condition(r.when, subject, src, (*path, "when"), params)
        answer = self._answer(r.answer, cites, subject, src, (*path, "answer"), vocab, bodies)
        if expr is None or answer is None or len(self.problems) > before:
            return None
        if any(isinstance(n, DefRef) and n.name not in definitions for n in walk(expr)):
            return None  # a definition it reads failed (reported there, e.g. a cycle)
        expanded = self.inline(expr, definitions)
        if scope is not None:
            expanded = And((scope.expanded, expanded))
        return Rule(
            r.id,
            qname,
            cites,
            expr,
            expanded,
            answer,
            tuple(r.overrides),
            src.doc.location(path),
            r.note,
            when_text=src.doc.scalar((*path, "when")),
        )

    def _answer(
        self,
        a: s.Answer,
        cites: tuple[Cite, ...],
        subject: str,
        src: _Source,
        path: Path_,
        vocab: Vocabulary,
        bodies: Mapping[str, BodySpec],
    ) -> AnswerSpec | None:
        if a.not_applicable is not None:
            return AnswerSpec("not_applicable", reason=_text(a.not_applicable))
        if a.undetermined is not None:
            return AnswerSpec("undetermined", reason=_text(a.undetermined))
        out: list[BodyTemplate] = []
        places = SUBJECTS[subject].places
        for i, b in enumerate(a.bodies):
            bpath = (*path, "bodies", i)
            checks = (
                ("body", b.body, bodies, "unknown-body"),
                ("place", b.place, places, "unknown-place"),
                ("role", b.role, vocab.roles, "unknown-role"),
            )
            for key, value, table, code in checks:
                if value not in table:
                    self.problem(
                        code,
                        f"unknown {key} `{value}`; known: " + ", ".join(sorted(table)),
                        src,
                        (*bpath, key),
                        suggest(value, set(table)),
                    )
            if b.place in places and b.place not in vocab.places:
                self.problem(
                    "unknown-place",
                    f"place `{b.place}` has no label in vocabulary.places",
                    src,
                    (*bpath, "place"),
                )
            if b.cite is not None:
                cite = _cite(b.cite)
                if cite not in cites:
                    self.problem(
                        "cite",
                        f"the body cites {cite}, which its rule does not cite "
                        "(" + ", ".join(str(c) for c in cites) + ")",
                        src,
                        (*bpath, "cite"),
                    )
            elif len(cites) == 1:
                cite = cites[0]
            else:
                self.problem(
                    "cite",
                    "the rule cites several articles: say which one this body rests on with `cite`",
                    src,
                    bpath,
                )
                continue
            if (b.place == "city") != (b.level == "city"):
                self.problem(
                    "schema",
                    "the `city` place goes with the `city` level, and only it",
                    src,
                    (*bpath, "level"),
                )
            out.append(BodyTemplate(b.body, b.place, Level(b.level), b.role, cite))
        return AnswerSpec("responsible", tuple(out), tuple(_text(t) for t in a.detail))


def override_problems(policy: Policy) -> Iterator[tuple[Rule, str]]:
    """Overrides naming an unknown rule, a rule of another question, or forming a cycle."""
    owner = {r.id: q.name for q in policy.questions.values() for r in q.rules}
    for question in policy.questions.values():
        graph = {r.id: r.overrides for r in question.rules}
        for rule in question.rules:
            for target in rule.overrides:
                if target not in owner:
                    near = suggest(target, set(owner))
                    hint = f" (did you mean `{near}`?)" if near else ""
                    yield rule, f"rule `{rule.id}` overrides unknown rule `{target}`{hint}"
                elif owner[target] != question.name:
                    yield (
                        rule,
                        (
                            f"rule `{rule.id}` overrides `{target}` of another question "
                            f"(`{owner[target]}`)"
                        ),
                    )
            cycle = _cycle_from(rule.id, graph)
            if cycle and cycle[0] == min(cycle):
                yield rule, "overrides form a cycle: " + " → ".join((*cycle, cycle[0]))


def _cycle_from(start: str, graph: Mapping[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    stack: list[tuple[str, tuple[str, ...]]] = [(start, (start,))]
    while stack:
        node, trail = stack.pop()
        for nxt in graph.get(node, ()):
            if nxt == start:
                return trail
            if nxt not in trail:
                stack.append((nxt, (*trail, nxt)))
    return None


# --- pass 5: district overlays ---------------------------------------------------------------

OVERLAY_DIR = "overlays"


def _overlay_files(root: Path) -> list[Path]:
    folder = root / OVERLAY_DIR
    return sorted(folder.glob("*.yaml")) if root.is_dir() and folder.is_dir() else []


class _OverlayBuilder:
    """Checks overlay files against the loaded city parameters; collects every problem."""

    def __init__(self, root: Path, params: Mapping[str, Parameter]) -> None:
        self.root = root
        self.params = params
        self.delegated = {n for n, p in params.items() if p.delegated}
        city = params[CITY_PARAMETER].value
        self.city = str(city)
        self.problems: list[Diagnostic] = []

    def problem(
        self,
        code: str,
        message: str,
        doc: LocatedDocument,
        path: Path_,
        suggestion: str | None = None,
    ) -> None:
        self.problems.append(Diagnostic(code, message, doc.location(path), suggestion, path))

    def build(self, doc: LocatedDocument, path: Path) -> Overlay | None:
        before = len(self.problems)
        model = self._validate(doc)
        if model is None:
            return None
        district = model.overlay.district
        self._district(doc, path, district)
        values: dict[str, Parameter] = {}
        relative = path.relative_to(self.root).as_posix()
        for name, entry in model.parameters.items():
            param = self._parameter(doc, name, entry)
            if param is not None:
                values[name] = dataclasses.replace(
                    param,
                    value=entry.value,
                    note=entry.note,
                    location=doc.location(("parameters", name)),
                    source=doc.file,
                )
        if len(self.problems) > before:
            return None
        return Overlay(district, _text(model.overlay.title), relative, values, doc.location(()))

    def _validate(self, doc: LocatedDocument) -> s.OverlayFile | None:
        if not isinstance(doc.value, dict):
            self.problem(
                "schema", "an overlay file is a mapping with `overlay` and `parameters`", doc, ()
            )
            return None
        extra = [k for k in doc.value if k not in s.OVERLAY_SECTIONS]
        for key in extra:
            self.problem(
                "overlay-section",
                f"an overlay sets delegated parameters only: section `{key}` belongs in the city "
                "policy (an overlay has `overlay` and `parameters`)",
                doc,
                (key,),
                suggest(key, set(s.OVERLAY_SECTIONS)),
            )
        if extra:
            return None
        try:
            return s.OverlayFile.model_validate(doc.value)
        except ValidationError as exc:
            self.problems.extend(pydantic_diagnostics(doc, exc))
            return None

    def _district(self, doc: LocatedDocument, path: Path, district: str) -> None:
        where: Path_ = ("overlay", "district")
        try:
            validate_place(district)
        except ValueError as exc:
            self.problem("overlay-district", str(exc), doc, where)
            return
        if path.stem != district:
            self.problem(
                "overlay-district",
                f"the overlay for district {district} must be named {district}.yaml, "
                f"not {path.name}",
                doc,
                where,
            )
        if not district.startswith(self.city):
            self.problem(
                "overlay-district",
                f"district {district} is not in this city (city_code {self.city})",
                doc,
                where,
            )

    def _parameter(
        self, doc: LocatedDocument, name: str, entry: s.OverlayValue
    ) -> Parameter | None:
        where: Path_ = ("parameters", name)
        listed = ", ".join(sorted(self.delegated)) or "none"
        param = self.params.get(name)
        if param is None:
            self.problem(
                "overlay-unknown-parameter",
                f"unknown parameter `{name}`; the city policy delegates: {listed}",
                doc,
                where,
                suggest(name, self.delegated or set(self.params)),
            )
            return None
        if not param.delegated:
            self.problem(
                "overlay-not-delegated",
                f"parameter `{name}` is not delegated to districts (set at {param.location}); "
                f"an overlay may set only: {listed}",
                doc,
                where,
            )
            return None
        value = entry.value
        ok = {
            "int": isinstance(value, int) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "code_prefix": isinstance(value, str),
        }[param.type]
        if not ok:
            self.problem(
                "overlay-value",
                f"parameter `{name}` is of type {param.type}; got {value!r}",
                doc,
                (*where, "value"),
            )
            return None
        return param


def _overlays(
    root: Path, params: Mapping[str, Parameter]
) -> tuple[dict[str, Overlay], list[LocatedDocument]]:
    builder = _OverlayBuilder(root, params)
    overlays: dict[str, Overlay] = {}
    docs: list[LocatedDocument] = []
    for path in _overlay_files(root):
        doc = load_yaml(path, str(path))
        docs.append(doc)
        overlay = builder.build(doc, path)
        if overlay is not None:
            overlays[overlay.district] = overlay
    if builder.problems:
        raise PolicyError(builder.problems)
    return overlays, docs


def _fingerprint(root: Path, docs: list[LocatedDocument]) -> str:
    digest = hashlib.sha256()
    for doc in sorted(docs, key=lambda d: d.file):
        path = Path(doc.file)
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def load_policy(root: Path, *, strict: bool = True) -> Policy:
    """Load, validate and cross-check the policy in ``root`` (a directory or one file).

    With ``strict=False`` a policy whose overrides are inconsistent (unknown target, a rule of
    another question, a cycle) still loads, so that ``jurisdiction.check`` can report them as
    findings; every other problem still raises :class:`PolicyError`.
    """
    docs = _read(root)
    merged = _merge(_validate(docs))
    builder = _Builder(merged)
    articles = builder.articles()
    params = builder.parameters(articles)
    vocab = builder.vocabulary()
    bodies = builder.bodies()
    definitions = builder.definitions(params, articles)
    questions = builder.questions(params, definitions, articles, vocab, bodies)
    if builder.problems:
        raise PolicyError(builder.problems)
    overlays, overlay_docs = _overlays(root, params)
    meta, _src = merged.meta  # type: ignore[misc]
    document, _dsrc = merged.document  # type: ignore[misc]
    policy = Policy(
        name=meta.name,
        version=meta.version,
        title=_text(meta.title),
        document_title=_text(document.title),
        chapters={n: Text(c.zh, c.en) for n, (_i, c, _s) in sorted(merged.chapters.items())},
        articles=articles,
        parameters=params,
        vocabulary=vocab,
        bodies=bodies,
        definitions=definitions,
        questions=questions,
        fingerprint=_fingerprint(root, [*docs, *overlay_docs]),
        root=str(root),
        files=tuple(d.file for d in [*docs, *overlay_docs]),
        overlays=overlays,
    )
    bad = [Diagnostic("override", msg, rule.location) for rule, msg in override_problems(policy)]
    if bad and strict:
        raise PolicyError(bad)
    return policy


def referenced_parameters(policy: Policy) -> set[str]:
    """Parameters that some condition reads (for lints)."""
    used: set[str] = set()
    for d in policy.definitions.values():
        used.update(n.name for n in walk(d.condition) if isinstance(n, ParamRef))
    for q in policy.questions.values():
        for r in q.rules:
            used.update(n.name for n in walk(r.expanded) if isinstance(n, ParamRef))
    return used
