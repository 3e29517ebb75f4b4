"""Pass 4 of loading a policy: build the frozen model from the merged sections — articles,
parameters, vocabulary, bodies; definitions and questions with their conditions parsed,
type-checked and expanded — resolving and checking every cross-reference."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..core.errors import Diagnostic, Location, suggest
from ..core.text import Cite, CiteStyle, Text, placeholders
from ..language.conditions import (
    And,
    BoolConst,
    Compare,
    ConditionSyntaxError,
    DefRef,
    Expr,
    InSet,
    ListConst,
    Member,
    Node,
    Not,
    NullConst,
    Or,
    QuestionRef,
    Relation,
    StrConst,
    transform,
    walk,
)
from ..language.parse import parse_condition
from ..language.subjects import Subject
from ..language.typecheck import Problem, typecheck
from .body_levels import body_level
from .model import (
    AnswerSpec,
    ArticleText,
    BodySpec,
    BodyTemplate,
    Definition,
    OutsideCase,
    Parameter,
    Policy,
    Question,
    Rule,
    Vocabulary,
)
from .sources import _Merged, _Source
from .strict_yaml import Path_
from .vocabulary import Vocabulary as Facts
from .vocabulary import build_vocabulary

if TYPE_CHECKING:  # read, not validated, here: kept documents come without it (kept_models)
    from . import schema as s

__all__ = ["override_problems"]


# --- pass 4: build ----------------------------------------------------------------------------


def _text(t: s.Text) -> Text:
    return Text(t.zh, t.en)


def note_text(note: s.Text | str | None) -> Text | None:
    """A note in both languages; a plain string (a policy in one language) stands for both."""
    if note is None:
        return None
    return Text(note, note) if isinstance(note, str) else _text(note)


def _cite(c: s.Citation, style: CiteStyle = "opinion") -> Cite:
    return Cite(c.article, c.item, c.paragraph, style)


class _Builder:
    def __init__(self, merged: _Merged) -> None:
        self.m = merged
        self.problems: list[Diagnostic] = []
        self.facts: Facts | None = None

    @property
    def subjects(self) -> Mapping[str, Subject]:
        return self.facts.subjects if self.facts is not None else {}

    @property
    def citation_style(self) -> CiteStyle:
        document = self.m.document
        return document[0].citation if document is not None else "opinion"

    def cite(self, c: s.Citation) -> Cite:
        """A citation, written in the style of the policy's text."""
        return _cite(c, self.citation_style)

    def vocabulary_of_facts(self, params: Mapping[str, Parameter]) -> Facts | None:
        """Pass 4a: the place hierarchy, enums and subjects the policy declares."""
        facts, problems = build_vocabulary(self.m, params)
        self.problems.extend(problems)
        self.facts = facts
        return facts

    def problem(
        self, code: str, message: str, src: _Source, path: Path_, suggestion: str | None = None
    ) -> None:
        self.problems.append(Diagnostic(code, message, src.doc.location(path), suggestion, path))

    # articles ---------------------------------------------------------------------------------

    def _chapter_starts(self) -> dict[int, int]:
        """The first article of each chapter that says it, by article number; a chapter whose
        first article is no article, or that starts where another does, is a problem."""
        starts: dict[int, int] = {}
        for number, (i, chapter, src) in sorted(self.m.chapters.items()):
            first = chapter.first_article
            if first is None:
                continue
            path: Path_ = ("chapters", i, "first_article")
            if first not in self.m.articles:
                self.problem(
                    "unknown-article",
                    f"chapter {number} starts at article {first}, which the policy does not have",
                    src,
                    path,
                )
            elif first in starts:
                self.problem(
                    "duplicate-name",
                    f"chapters {starts[first]} and {number} both start at article {first}",
                    src,
                    path,
                )
            else:
                starts[first] = number
        return starts

    def _chapter_of(self, number: int, given: int | None, starts: Mapping[int, int]) -> int | None:
        """An article's chapter: the one it names, else the one whose first article is the
        greatest at or below it (none before the first chapter's first article)."""
        if given is not None:
            return given
        at = [first for first in starts if first <= number]
        return starts[max(at)] if at else None

    def articles(self) -> dict[int, ArticleText]:
        out: dict[int, ArticleText] = {}
        starts = self._chapter_starts()
        for number, (i, art, src) in sorted(self.m.articles.items()):
            if art.chapter is not None and art.chapter not in self.m.chapters:
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
            paragraphs: dict[int, Text] = {}
            for j, paragraph in enumerate(art.paragraphs):
                if paragraph.number in paragraphs:
                    self.problem(
                        "duplicate-name",
                        f"paragraph {paragraph.number} is listed twice",
                        src,
                        ("articles", i, "paragraphs", j),
                    )
                if paragraph.zh not in art.zh:
                    self.problem(
                        "article-text",
                        "the paragraph's text is not part of the article's",
                        src,
                        ("articles", i, "paragraphs", j, "zh"),
                    )
                paragraphs[paragraph.number] = Text(paragraph.zh, paragraph.en)
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
                self._chapter_of(number, art.chapter, starts),
                Text(art.zh, art.en),
                items,
                tuple((c.zh, c.reason) for c in art.not_encoded),
                src.doc.location(("articles", i)),
                paragraphs,
                note_text(art.provenance),
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
        elif cite.paragraph is not None and cite.paragraph not in article.paragraphs:
            listed = ", ".join(str(n) for n in sorted(article.paragraphs)) or "none"
            self.problem(
                "unknown-item",
                f"article {cite} has no paragraph {cite.paragraph} (paragraphs: {listed})",
                src,
                path,
            )

    # parameters, vocabulary, bodies -----------------------------------------------------------

    def parameters(self, articles: Mapping[int, ArticleText]) -> dict[str, Parameter]:
        out: dict[str, Parameter] = {}
        for name, (p, src) in sorted(self.m.parameters.items()):
            cite = self.cite(p.cite) if p.cite else None
            if cite:
                self.check_cite(cite, articles, src, ("parameters", name, "cite"))
            out[name] = Parameter(
                name,
                p.type,
                tuple(str(v) for v in p.value) if isinstance(p.value, list) else p.value,
                p.doc,
                p.bound,
                p.delegated,
                cite,
                note_text(p.note),
                src.doc.location(("parameters", name)),
                src.doc.file,
                src.doc.location(("parameters", name, "type")),
            )
        return out

    def vocabulary(self) -> Vocabulary:
        assert self.m.vocabulary is not None
        v, src = self.m.vocabulary
        levels: dict[str, tuple[Text, ...]] = {}
        if self.facts is not None:
            h = self.facts.hierarchy
            for name in h.names:
                entry = v.levels.get(name)
                if entry is None:
                    self.problem(
                        "missing-key",
                        f"vocabulary.levels names no `{name}` (the levels are "
                        + ", ".join(h.names)
                        + ")",
                        src,
                        ("vocabulary", "levels"),
                    )
                    continue
                levels[name] = self.by_form(entry, src, ("vocabulary", "levels", name))
            for name in v.levels:
                if name not in h.names:
                    self.problem(
                        "unknown-key",
                        f"`{name}` is no level of the place hierarchy (" + ", ".join(h.names) + ")",
                        src,
                        ("vocabulary", "levels", name),
                        suggest(name, set(h.names)),
                    )
        return Vocabulary(
            levels,
            {k: _text(t) for k, t in v.places.items()},
            {k: _text(t) for k, t in v.roles.items()},
            {k: _text(t) for k, t in v.outcomes.items()},
        )

    def by_form(
        self, entry: s.Text | dict[str, s.Text], src: _Source, path: Path_
    ) -> tuple[Text, ...]:
        """Words in one form, or per form: one text for each form of the hierarchy."""
        forms = self.facts.hierarchy.forms if self.facts is not None else ("",)
        if not isinstance(entry, dict):  # one text for every form
            return tuple(_text(entry) for _f in forms)
        out: list[Text] = []
        for form in forms:
            if form not in entry:
                self.problem("missing-key", f"no words for the `{form}` form", src, path)
                return tuple(Text("?", "?") for _f in forms)
            out.append(_text(entry[form]))
        for form in entry:
            if form not in forms:
                self.problem(
                    "unknown-key",
                    f"`{form}` is no form of the place hierarchy (" + ", ".join(forms) + ")",
                    src,
                    (*path, form),
                    suggest(form, set(forms)),
                )
        return tuple(out)

    def bodies(self) -> dict[str, BodySpec]:
        out: dict[str, BodySpec] = {}
        for kind, (b, src) in sorted(self.m.bodies.items()):
            names = self.by_form(b.name, src, ("bodies", kind, "name"))
            level = None
            if b.level is not None and self.facts is not None and self.facts.builder is not None:
                values = {v: _text(t) for v, t in b.level.values.items()}
                where: Path_ = ("bodies", kind, "level")
                level, found = body_level(b.level.expr, values, self.facts.builder, src.doc, where)
                self.problems.extend(found)
            out[kind] = BodySpec(kind, names, b.actor, level)
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
        found: list[Problem] = []
        if any(isinstance(n, QuestionRef) for n in walk(expr)):
            expr, found = self.expand_questions(expr, subject)
        if not found and self.facts is not None and subject in self.facts.subjects:
            expr, found = self.facts.lift(expr, subject)
        if not found:
            found = typecheck(expr, subject, ptypes, dsubjects, self.subjects)
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
            if d.subject not in self.subjects:
                self.problem(
                    "unknown-subject",
                    f"unknown subject `{d.subject}`",
                    src,
                    ("definitions", name, "subject"),
                    suggest(d.subject, set(self.subjects)),
                )
                continue
            if d.cite:
                self.check_cite(self.cite(d.cite), articles, src, ("definitions", name, "cite"))
            expr = self.condition(d.when, d.subject, src, ("definitions", name, "when"), params)
            if expr is not None:
                parsed[name] = (expr, d, src)
        expanded: dict[str, Expr] = {}
        for name in parsed:
            self._expand_definition(name, parsed, expanded, ())
        built = {
            name: Definition(
                name,
                d.subject,
                expr,
                expanded[name],
                d.doc,
                self.cite(d.cite) if d.cite else None,
                _text(d.outside)
                if d.outside is not None and not isinstance(d.outside, list)
                else None,
                src.doc.location(("definitions", name)),
                src.doc.scalar(("definitions", name, "when")),
            )
            for name, (expr, d, src) in parsed.items()
            if name in expanded
        }
        for name, (_expr, d, src) in parsed.items():
            if isinstance(d.outside, list) and name in built:
                cases = self._outside_cases(name, d, src, params, built)
                built[name] = replace(built[name], outside_cases=cases, criteria=d.criteria)
            elif d.criteria == "all" and name in built:
                self.problem(
                    "scope",
                    f"definition `{name}` says `criteria: all`, which lists every case of "
                    "`outside` that holds: give `outside` as a list of cases (id, when, zh, en)",
                    src,
                    ("definitions", name, "criteria"),
                )
        return built

    def _outside_cases(
        self,
        name: str,
        d: s.Definition,
        src: _Source,
        params: Mapping[str, Parameter],
        definitions: Mapping[str, Definition],
    ) -> tuple[OutsideCase, ...]:
        """The cases of a definition's ``outside``: each condition parsed and expanded, each
        reason's values checked to be features or places of the subject, or parameters."""
        assert isinstance(d.outside, list)
        out: list[OutsideCase] = []
        for i, case in enumerate(d.outside):
            path: Path_ = ("definitions", name, "outside", i)
            expr = self.condition(case.when, d.subject, src, (*path, "when"), params)
            text = Text(case.zh, case.en)
            self.template_problems(text, d.subject, params, src, path)
            if expr is not None:
                out.append(
                    OutsideCase(
                        case.id, expr, self.inline(expr, definitions), text, src.doc.location(path)
                    )
                )
        return tuple(out)

    def template_problems(
        self,
        text: Text,
        subject: str,
        params: Mapping[str, Parameter],
        src: _Source,
        path: Path_,
    ) -> None:
        """A value a reason asks for must be a feature or place of its subject, or a parameter."""
        found = self.subjects.get(subject)
        for head, name in placeholders(text):
            if head == "param":
                if name not in params:
                    self.problem(
                        "unknown-parameter",
                        f"the reason asks for parameter `{name}`, which the policy does not define",
                        src,
                        path,
                        suggest(name, set(params)),
                    )
                continue
            known = set(found.features) | set(found.places) if found is not None else set()
            if head != subject or name not in known:
                self.problem(
                    "unknown-fact",
                    f"the reason asks for `{head}.{name}`: a reason may name a feature or place "
                    f"of its subject ({subject}.<name>) or a parameter (param.<name>)",
                    src,
                    path,
                    suggest(name, known),
                )

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
        self._q_context = (params, definitions, articles, vocab, bodies)
        self._q_built: dict[str, Question | None] = {}
        self._q_stack: list[str] = []
        self._seen_ids: dict[str, Location] = {}
        for qname in sorted(self.m.questions):
            self.question(qname)
        return {n: q for n, q in sorted(self._q_built.items()) if q is not None}

    def question(self, qname: str) -> Question | None:
        """A question, built once: on first use by another question's condition, or in order."""
        if qname in self._q_built:
            return self._q_built[qname]
        params, definitions, articles, vocab, bodies = self._q_context
        q, src = self.m.questions[qname]
        qpath: Path_ = ("questions", qname)
        if q.subject not in self.subjects:
            self.problem(
                "unknown-subject",
                f"unknown subject `{q.subject}`",
                src,
                (*qpath, "subject"),
                suggest(q.subject, set(self.subjects)),
            )
            self._q_built[qname] = None
            return None
        self._q_stack.append(qname)
        try:
            scope = self._scope(q, qname, src, definitions)
            rules: list[Rule] = []
            if scope is not None:
                rules.extend(self._scope_rules(qname, scope, src.doc.location(qpath)))
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
                if r.value is None and q.values and r.answer.bodies:
                    # an undetermined or not-applicable answer has no value: null to a reader
                    self.problem(
                        "missing-key",
                        "the question declares `values`: say which this rule's answer is "
                        "(`value: ...`, one of " + ", ".join(q.values) + "; a rule that answers "
                        "`undetermined` or `not_applicable` needs none)",
                        src,
                        (*qpath, "rules", i),
                    )
                elif r.value is not None and r.value not in (q.values or ()):
                    self.problem(
                        "unknown-value",
                        f"`{r.value}` is not one of the question's `values` ("
                        + (", ".join(q.values or ()) or "none declared")
                        + ")",
                        src,
                        (*qpath, "rules", i, "value"),
                        suggest(r.value, set(q.values or ())),
                    )
                if rule.id in self._seen_ids:
                    self.problem(
                        "duplicate-rule",
                        f"rule id `{rule.id}` is already used at {self._seen_ids[rule.id]}",
                        src,
                        (*qpath, "rules", i, "id"),
                    )
                self._seen_ids[rule.id] = rule.location
                rules.append(rule)
        finally:
            self._q_stack.pop()
        built = Question(
            qname,
            q.subject,
            _text(q.title),
            q.scope,
            q.always_answers,
            tuple(sorted(rules, key=lambda r: r.id)),
            src.doc.location(qpath),
            self.subjects[q.subject].features,
            tuple(q.values or ()),
            {k: _text(v) for k, v in q.values.items()} if isinstance(q.values, dict) else {},
        )
        self._q_built[qname] = built
        return built

    def answer_value(
        self, ref: QuestionRef, subject: str, values: Sequence[Node], op: str
    ) -> tuple[Expr | None, list[Problem]]:
        """``question.X == "v"`` (or ``!=``, ``in [...]``) as a condition over X's own rules: X
        gives the value v exactly when a rule of X with that value holds and no rule holding
        overrides it. ``null`` stands for no value (X is not applicable, or answers by a rule
        with no value)."""
        name = ref.name
        if name not in self.m.questions:
            near = suggest(name, set(self.m.questions))
            return None, [
                Problem(
                    "unknown-fact",
                    f"`{ref}`: no question `{name}`",
                    ref.span,
                    f"question.{near}" if near else None,
                )
            ]
        if name in self._q_stack:
            cycle = " → ".join((*self._q_stack[self._q_stack.index(name) :], name))
            return None, [
                Problem("definition-cycle", f"questions read each other: {cycle}", ref.span)
            ]
        other = self.question(name)
        if other is None:
            return None, [Problem("unknown-fact", f"question `{name}` did not load", ref.span)]
        if other.subject != subject:
            return None, [
                Problem(
                    "type-mismatch",
                    f"`{ref}` answers about a {other.subject}; this condition is about a {subject}",
                    ref.span,
                )
            ]
        wanted: list[str | None] = []
        for v in values:
            if isinstance(v, NullConst):
                wanted.append(None)
            elif isinstance(v, StrConst) and v.value in other.values:
                wanted.append(v.value)
            else:
                shown = ", ".join(f'"{x}"' for x in other.values) or "no values declared"
                return None, [
                    Problem(
                        "unknown-value",
                        f"`{v}` is not a value of `{ref}` ({shown})",
                        getattr(v, "span", ref.span),
                        suggest(str(getattr(v, "value", "")), set(other.values)),
                    )
                ]
        by_id = {r.id: r for r in other.rules}

        def gives(rule: Rule) -> Expr:
            beaters = [by_id[s_.id].expanded for s_ in other.rules if rule.id in s_.overrides]
            if not beaters:
                return rule.expanded
            return And((rule.expanded, Not(Or(tuple(beaters)) if len(beaters) > 1 else beaters[0])))

        valued = [r for r in other.rules if r.answer.value is not None]
        parts: list[Expr] = []
        for value in wanted:
            if value is None:
                given = Or(tuple(gives(r) for r in valued))
                parts.append(Not(given) if valued else BoolConst(True))
            else:
                parts.extend(gives(r) for r in valued if r.answer.value == value)
        result: Expr = (
            BoolConst(False) if not parts else parts[0] if len(parts) == 1 else Or(tuple(parts))
        )
        return (Not(result) if op == "!=" else result), []

    def expand_questions(self, expr: Expr, subject: str) -> tuple[Expr, list[Problem]]:
        """Every comparison with another question's value, as a condition over its rules."""
        problems: list[Problem] = []

        def visit(node: Expr) -> Expr | None:
            ref: QuestionRef | None = None
            values: tuple[Node, ...] = ()
            op = "=="
            if isinstance(node, Compare | Relation) and node.op in ("==", "!="):
                for a, b in ((node.left, node.right), (node.right, node.left)):
                    if isinstance(a, QuestionRef):
                        ref, values, op = a, (b,), node.op
            elif isinstance(node, Member) and isinstance(node.item, QuestionRef):
                if isinstance(node.container, ListConst):
                    ref, values = node.item, node.container.items
            elif isinstance(node, InSet) and isinstance(node.term, QuestionRef):
                ref, values = node.term, node.values
            if ref is None:
                return None
            result, found = self.answer_value(ref, subject, values, op)
            problems.extend(found)
            return result

        out = transform(expr, visit)
        if not problems:
            problems.extend(
                Problem(
                    "type-mismatch",
                    f"`{node}` is another question's value: compare it with one of its "
                    'values (== "…", != "…", in [...])',
                    node.span,
                )
                for node in walk(out)
                if isinstance(node, QuestionRef)
            )
        return out, problems

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
        if scope.cite is None or (scope.outside is None and not scope.outside_cases):
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
    def _scope_rules(qname: str, scope: Definition, where: Location) -> list[Rule]:
        """The not-applicable rules a scope adds: one with the scope's reason, or one per case
        of ``outside``, each holding where it holds and no case before it does (so the first
        case that holds names the criterion; the checker proves the cases cover the outside)."""
        assert scope.cite is not None
        if not scope.outside_cases:
            return [
                Rule(
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
            ]
        rules: list[Rule] = []
        before: list[OutsideCase] = []
        every = tuple(scope.outside_cases) if scope.criteria == "all" else ()
        for case in scope.outside_cases:
            condition = And(
                (Not(DefRef(scope.name)), case.condition, *(Not(b.condition) for b in before))
            )
            expanded = And((Not(scope.expanded), case.expanded, *(Not(b.expanded) for b in before)))
            rules.append(
                Rule(
                    id=f"{qname}.outside_scope.{case.id}",
                    question=qname,
                    cites=(scope.cite,),
                    condition=condition,
                    expanded=expanded,
                    answer=AnswerSpec("not_applicable", reason=case.reason, criteria=every),
                    overrides=(),
                    location=where,
                    from_scope=True,
                )
            )
            before.append(case)
        return rules

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
        cites = tuple(self.cite(c) for c in cites_raw)
        for i, c in enumerate(cites):
            self.check_cite(
                c,
                articles,
                src,
                (*path, "cite", i) if isinstance(r.cite, list) else (*path, "cite"),
            )
        expr = self.condition(r.when, subject, src, (*path, "when"), params)
        answer = self._answer(r.answer, cites, subject, src, (*path, "answer"), vocab, bodies)
        if answer is not None and r.value is not None:
            answer = replace(answer, value=r.value)
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
            note_text(r.note),
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
        for outcome, reason in (
            ("not_applicable", a.not_applicable),
            ("undetermined", a.undetermined),
        ):
            if reason is not None:
                self.template_problems(_text(reason), subject, self._q_context[0], src, path)
                return AnswerSpec(outcome, reason=_text(reason))  # type: ignore[arg-type]
        out: list[BodyTemplate] = []
        places = self.subjects[subject].places
        levels = self.facts.hierarchy.names if self.facts is not None else ()
        root = levels[0] if levels else ""
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
                cite = self.cite(b.cite)
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
            level, level_param = self._level(b.level, levels, src, bpath)
            if level is None:
                continue
            if (b.place == root) != (level == root):
                self.problem(
                    "schema",
                    f"the `{root}` place goes with the `{root}` level, and only it",
                    src,
                    (*bpath, "level"),
                )
            via = self._via(b, cite, cites, src, bpath)
            out.append(BodyTemplate(b.body, b.place, level, b.role, cite, via, level_param))
        return AnswerSpec("responsible", tuple(out), tuple(_text(t) for t in a.detail))

    def _level(
        self, given: str, levels: Sequence[str], src: _Source, path: Path_
    ) -> tuple[str | None, str | None]:
        """A body's level and the level parameter it was read from (``param.NAME``), if any;
        ``(None, None)`` after reporting a level that is none of the hierarchy's."""
        level, param = self._level_param(given, src, path)
        if level is not None and level not in levels:
            where = f"parameter `{param}` gives " if param else ""
            self.problem(
                "unknown-place",
                f"{where}unknown level `{level}`; the levels are " + ", ".join(levels),
                src,
                (*path, "level"),
                suggest(level, set(levels)),
            )
            return None, None
        return level, param

    def _level_param(self, given: str, src: _Source, path: Path_) -> tuple[str | None, str | None]:
        if not given.startswith("param."):
            return given, None
        name = given.removeprefix("param.")
        params = self._q_context[0]
        param = params.get(name)
        if param is None or param.type != "level":
            kind = "unknown parameter" if param is None else f"parameter of type {param.type}"
            levels = {n for n, p in params.items() if p.type == "level"}
            self.problem(
                "unknown-parameter",
                f"`{given}`: {kind}; a body's level reads a parameter of type level"
                + (" (" + ", ".join(sorted(levels)) + ")" if levels else ""),
                src,
                (*path, "level"),
                suggest(name, levels),
            )
            return None, None
        return str(param.value), name

    def _via(
        self, b: s.AnswerBody, cite: Cite, cites: tuple[Cite, ...], src: _Source, path: Path_
    ) -> Cite | None:
        """The article a body's citation applies through (a chain), which its rule must cite."""
        via = self.cite(b.via) if b.via is not None else None
        if via is not None and via not in cites:
            self.problem(
                "cite",
                f"the body applies {cite} by way of {via}, which its rule does not cite "
                "(" + ", ".join(str(c) for c in cites) + ")",
                src,
                (*path, "via"),
            )
        return via


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
