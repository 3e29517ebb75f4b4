"""Pass 1b of loading a policy: templates — a rule, or a group of rules with their overrides,
written once and used by many questions with named arguments.

A file's ``templates`` section declares them; among a question's ``rules`` an entry
``{use: NAME, with: {ARG: VALUE, ...}}`` stands for the template's rules with every ``${ARG}``
replaced (``${question}`` is the question's name). Uses are expanded here, on the plain YAML
values, before any file is validated: every instance is then a rule like any other for the
schema, the builder, the checker and every evaluator, which never learn templates existed.

Where each value of an instance came from is kept: a value written in the template is located at
the template's line, one given as an argument at the use, and both carry a ``context`` naming the
instance ("in an instance of template `T` for question `Q`, used at FILE:LINE:COL"), so a located
error or a finding about an instance names the template line and the instance.

How a value is replaced:

* a scalar that is exactly ``${name}`` becomes the argument, whatever it is (text, number,
  mapping, list);
* in a list, an item that is exactly ``${name}`` whose argument is a list is replaced by that
  list's items (so an empty list removes it);
* ``${name}`` inside a longer text is replaced by the argument, which must be a text or a number;
  ``$${`` writes ``${``;
* ``${name:cite}`` and ``${name:cite_zh}`` write an argument that is a citation
  (``{article: 2, item: 1}``) as decisions print it: its short form and its Chinese label, so that
  a template's notes name the article its instance rests on from the citation alone.

An argument a use does not give is the enclosing template's of that name (a use inside a
template), or the question's ``with`` (a use among a question's rules), and only then the
declared default — which may itself be built from the arguments given (``${name}`` in a default
stands for the argument the use, the enclosing template or the question gave).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ..core.errors import Diagnostic, Location, PolicyError, suggest
from ..core.text import Cite
from . import schema as s
from .sources import pydantic_diagnostics
from .strict_yaml import LocatedDocument, Mark, Path_

__all__ = ["expand_templates"]

SECTION = "templates"
SHARED = "template_arguments"
"""The section declaring, once, arguments that several templates list by name."""
QUESTION = "question"
"""The argument every use gives implicitly: the name of the question it is used in."""
WITH = "with"
"""A question's arguments for every use among its rules (a use's own win)."""
MAX_NESTING = 8
"""How deep templates may use one another."""

_PLACEHOLDER = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z_]+))?\}")
_WHOLE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


@dataclass(frozen=True, slots=True)
class _Located:
    """A value with the marks and key locations of its parts, by path relative to it."""

    value: Any
    marks: Mapping[Path_, Mark]
    keys: Mapping[Path_, Location]


@dataclass(frozen=True, slots=True)
class _Template:
    name: str
    spec: s.Template
    doc: LocatedDocument
    rules: tuple[_Located, ...]
    arguments: Mapping[str, s.ArgumentSpec]
    """Every argument the template declares, those it lists by name resolved."""


@dataclass
class _Index:
    """The marks of one document grouped under a few prefixes, read once."""

    doc: LocatedDocument
    under: dict[Path_, tuple[dict[Path_, Mark], dict[Path_, Location]]] = field(
        default_factory=dict
    )

    @classmethod
    def of(cls, doc: LocatedDocument, depth: int) -> _Index:
        index = cls(doc)
        for path, mark in doc.marks.items():
            if len(path) >= depth and path[0] in ("questions", SECTION):
                index.under.setdefault(path[:depth], ({}, {}))[0][path[depth:]] = mark
        for path, key in doc.keys.items():
            if len(path) >= depth and path[0] in ("questions", SECTION):
                index.under.setdefault(path[:depth], ({}, {}))[1][path[depth:]] = key
        return index

    def located(self, prefix: Path_, value: Any) -> _Located:
        marks, keys = self.under.get(prefix, ({}, {}))
        return _Located(value, marks, keys)


def _validated(
    model: type[BaseModel], value: Any, doc: LocatedDocument, path: Path_
) -> tuple[Any, list[Diagnostic]]:
    try:
        return model.model_validate(value), []
    except ValidationError as exc:
        return None, pydantic_diagnostics(doc, exc, path)


def _shared_arguments(
    docs: list[LocatedDocument], problems: list[Diagnostic]
) -> dict[str, tuple[s.ArgumentSpec, LocatedDocument]]:
    """The arguments declared once for every template (sections ``template_arguments``); a name
    may be declared in one file only."""
    found: dict[str, tuple[s.ArgumentSpec, LocatedDocument]] = {}
    for doc in docs:
        section = doc.value.get(SHARED) if isinstance(doc.value, dict) else None
        if section is None:
            continue
        spec, section_problems = _validated(_SharedSection, {SHARED: section}, doc, ())
        problems.extend(section_problems)
        if spec is None:
            continue
        for name, declared in spec.template_arguments.items():
            if name == QUESTION:
                problems.append(
                    Diagnostic(
                        "template-argument",
                        f"`{QUESTION}` is given to every use (the question's name): it cannot "
                        "be declared",
                        doc.key_location((SHARED, name)),
                    )
                )
            elif name in found:
                problems.append(
                    Diagnostic(
                        "duplicate-name",
                        f"template argument `{name}` is declared twice (also in "
                        f"{found[name][1].file})",
                        doc.key_location((SHARED, name)),
                    )
                )
            else:
                found[name] = (declared, doc)
    return found


class _SharedSection(BaseModel):
    """A ``template_arguments`` section, validated where it is written."""

    model_config = ConfigDict(extra="forbid", strict=True)
    template_arguments: dict[s.Name, s.ArgumentSpec]


def _declared(
    name: str,
    spec: s.Template,
    shared: Mapping[str, tuple[s.ArgumentSpec, LocatedDocument]],
    doc: LocatedDocument,
    problems: list[Diagnostic],
) -> dict[str, s.ArgumentSpec]:
    """A template's arguments by name: its own declarations, and those it lists by name from
    ``template_arguments``."""
    if isinstance(spec.arguments, dict):
        return dict(spec.arguments)
    out: dict[str, s.ArgumentSpec] = {}
    for i, item in enumerate(spec.arguments):
        at: Path_ = (SECTION, name, "arguments", i)
        own = item if isinstance(item, dict) else None
        if own is None:
            assert isinstance(item, str)
            if item not in shared:
                problems.append(
                    Diagnostic(
                        "template-argument",
                        f"template `{name}` lists argument `{item}`, which no "
                        f"`{SHARED}` section declares"
                        + ("; declared there: " + ", ".join(sorted(shared)) if shared else ""),
                        doc.location(at),
                        suggest(item, set(shared)),
                        at,
                    )
                )
                continue
            own = {item: shared[item][0]}
        for arg, declared in own.items():
            if arg in out:
                problems.append(
                    Diagnostic(
                        "template-argument",
                        f"template `{name}` declares argument `{arg}` twice",
                        doc.location(at),
                        None,
                        at,
                    )
                )
            out[arg] = declared
    return out


def _templates(
    docs: list[LocatedDocument], problems: list[Diagnostic], failed: set[str]
) -> dict[str, _Template]:
    """Every file's templates, validated; a name may be defined in one file only (``failed``
    gets the names of those that are not valid, whose uses are then not reported again)."""
    found: dict[str, _Template] = {}
    shared = _shared_arguments(docs, problems)
    for doc in docs:
        section = doc.value.get(SECTION) if isinstance(doc.value, dict) else None
        if section is None:
            continue
        if not isinstance(section, dict):
            problems.append(
                Diagnostic(
                    "schema",
                    "templates: a mapping of template names to templates",
                    doc.location((SECTION,)),
                )
            )
            continue
        index = _Index.of(doc, 4)
        for name, raw in section.items():
            path: Path_ = (SECTION, name)
            spec, found_problems = _validated(s.Template, raw, doc, path)
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                found_problems.append(
                    Diagnostic(
                        "schema",
                        f"template name `{name}`: lower_snake_case",
                        doc.key_location(path),
                    )
                )
            declared = raw.get("arguments") if isinstance(raw, dict) else None
            if isinstance(declared, list):
                declared = {
                    k: v for item in declared if isinstance(item, dict) for k, v in item.items()
                }
            if isinstance(declared, dict) and QUESTION in declared:
                found_problems.append(
                    Diagnostic(
                        "template-argument",
                        f"`{QUESTION}` is given to every use (the question's name): a template "
                        "cannot declare it",
                        doc.key_location((*path, "arguments", QUESTION)),
                    )
                )
            if name in found:
                found_problems.append(
                    Diagnostic(
                        "duplicate-name",
                        f"template `{name}` is defined twice (also in {found[name].doc.file})",
                        doc.location(path),
                    )
                )
            if spec is not None:
                arguments = _declared(name, spec, shared, doc, found_problems)
            problems.extend(found_problems)
            if found_problems or spec is None:
                failed.add(name)
                continue
            rules = tuple(
                index.located((*path, "rules", k), rule) for k, rule in enumerate(spec.rules)
            )
            found[name] = _Template(name, spec, doc, rules, arguments)
    return found


class _Expander:
    """The uses of templates in one document's questions, expanded in place."""

    def __init__(
        self,
        doc: LocatedDocument,
        templates: Mapping[str, _Template],
        failed: set[str],
        problems: list[Diagnostic],
    ) -> None:
        self.doc = doc
        self.templates = templates
        self.failed = failed
        self.problems = problems
        self._reported: set[tuple[str, Path_, str]] = set()

    def run(self) -> LocatedDocument:
        value = self.doc.value
        if not isinstance(value, dict):
            return self.doc
        questions = value.get("questions")
        uses = {
            name
            for name, q in (questions.items() if isinstance(questions, dict) else ())
            if isinstance(q, dict)
            and isinstance(q.get("rules"), list)
            and (WITH in q or any(isinstance(r, dict) and "use" in r for r in q["rules"]))
        }
        if not uses and SECTION not in value and SHARED not in value:
            return self.doc
        marks = {p: m for p, m in self.doc.marks.items() if not self._replaced(p, uses)}
        keys = {p: k for p, k in self.doc.keys.items() if not self._replaced(p, uses)}
        out = {k: v for k, v in value.items() if k not in (SECTION, SHARED)}
        if uses:
            assert isinstance(questions, dict)
            index = _Index.of(self.doc, 4)
            new_questions = dict(questions)
            for qname in uses:
                rules_path: Path_ = ("questions", qname, "rules")
                given = self._question_arguments(qname, questions[qname], index)
                expanded: list[Any] = []
                for i, item in enumerate(questions[qname]["rules"]):
                    at = (*rules_path, i)
                    if isinstance(item, dict) and "use" in item:
                        written = index.located(at, item)
                        parts = self._use(item, self.doc, at, written, qname, (), "", given)
                    else:
                        parts = [index.located(at, item)]
                    for part in parts:
                        _place(part, (*rules_path, len(expanded)), marks, keys)
                        expanded.append(part.value)
                written_out = {k: v for k, v in questions[qname].items() if k != WITH}
                new_questions[qname] = {**written_out, "rules": expanded}
            out["questions"] = new_questions
        return LocatedDocument(self.doc.file, out, marks, keys, self.doc.digest)

    def _question_arguments(
        self, qname: str, question: dict[str, Any], index: _Index
    ) -> dict[str, _Located]:
        """A question's ``with``: the arguments each use among its rules takes unless it gives
        its own, as a use inside a template takes the enclosing template's. A name that no
        template used there declares is a located ``template-argument`` error."""
        given = question.get(WITH)
        at: Path_ = ("questions", qname, WITH)
        if given is None:
            return {}
        if not isinstance(given, dict) or not all(isinstance(k, str) for k in given):
            self.problems.append(
                Diagnostic(
                    "schema",
                    f"`{WITH}` of question `{qname}`: a mapping of the arguments every use of a "
                    "template among its rules takes unless it gives its own",
                    self.doc.location(at),
                    None,
                    at,
                )
            )
            return {}
        used = [
            self.templates.get(r["use"])
            for r in question["rules"]
            if isinstance(r, dict) and "use" in r
        ]
        declared = {a for t in used if t is not None for a in t.arguments}
        for name in given:
            if name not in declared and None not in used:
                self.problems.append(
                    Diagnostic(
                        "template-argument",
                        f"question `{qname}` gives `{name}` to its uses, but no template it uses "
                        "declares it (they declare: "
                        + (", ".join(sorted(declared)) or "none")
                        + ")",
                        self.doc.key_location((*at, name)),
                        suggest(name, declared),
                        (*at, name),
                    )
                )
        return {name: index.located((*at, name), v) for name, v in given.items()}

    @staticmethod
    def _replaced(path: Path_, uses: set[str]) -> bool:
        if path[:1] in ((SECTION,), (SHARED,)):
            return True
        return (
            len(path) > 2
            and path[0] == "questions"
            and path[1] in uses
            and (path[2] == WITH or (path[2] == "rules" and len(path) > 3))
        )

    # one use -----------------------------------------------------------------------------------

    def _use(
        self,
        item: dict[str, Any],
        doc: LocatedDocument,
        at: Path_,
        written: _Located,
        question: str,
        chain: tuple[str, ...],
        outer: str = "",
        enclosing: Mapping[str, _Located] | None = None,
    ) -> list[_Located]:
        """The rules of one use of a template (``written``: the use, located in ``doc`` at
        ``at`` — in a question, or in the rules of another template; ``outer`` says where that
        template was used, ``enclosing`` gives that template's arguments)."""
        use, problems = _validated(s.Use, item, doc, at)
        if use is None:
            self.problems.extend(problems)
            return []
        where = doc.location(at)
        template = self.templates.get(use.use)
        if template is None and use.use in self.failed:
            return []  # the template's own problems are reported
        if template is None:
            self.problems.append(
                Diagnostic(
                    "unknown-template",
                    f"no template `{use.use}`"
                    + (
                        "; the templates are " + ", ".join(sorted(self.templates))
                        if self.templates
                        else "; the policy declares none (a `templates` section)"
                    ),
                    doc.location((*at, "use")),
                    suggest(use.use, set(self.templates)),
                    (*at, "use"),
                )
            )
            return []
        if use.use in chain or len(chain) >= MAX_NESTING:
            self.problems.append(
                Diagnostic(
                    "template-argument",
                    "templates use each other in a circle: " + " → ".join((*chain, use.use))
                    if use.use in chain
                    else f"templates nested more than {MAX_NESTING} deep",
                    where,
                    None,
                    at,
                )
            )
            return []
        args = self._arguments(template, use, written, doc, at, question, enclosing or {})
        if args is None:
            return []
        context = (
            f"in an instance of template `{template.name}` for question `{question}`, "
            f"used at {where}{outer}"
        )
        inner_outer = f", within template `{template.name}` used at {where}{outer}"
        out: list[_Located] = []
        for k, rule in enumerate(template.rules):
            path: Path_ = (SECTION, template.name, "rules", k)
            if isinstance(rule.value, dict) and "use" in rule.value:
                inner = self._substitute(rule, args, template, path, context)
                out.extend(
                    self._use(
                        inner.value,
                        _as_document(inner, template.doc),
                        (),
                        inner,
                        question,
                        (*chain, template.name),
                        inner_outer,
                        args,
                    )
                )
            else:
                out.append(self._substitute(rule, args, template, path, context))
        return out

    def _arguments(
        self,
        template: _Template,
        use: s.Use,
        written: _Located,
        doc: LocatedDocument,
        at: Path_,
        question: str,
        enclosing: Mapping[str, _Located],
    ) -> dict[str, _Located] | None:
        """The use's arguments, each with where it is written; None after a problem. An
        argument the use does not give is the enclosing template's of that name (a use inside a
        template), else the declared default."""
        declared = template.arguments
        before = len(self.problems)
        for name in use.with_:
            if name not in declared:
                listed = ", ".join(sorted(declared)) or "none"
                self.problems.append(
                    Diagnostic(
                        "template-argument",
                        f"template `{template.name}` has no argument `{name}` (its arguments: "
                        f"{listed}"
                        + ("; the question's name is given by itself" if name == QUESTION else "")
                        + ")",
                        doc.key_location((*at, "with", name)),
                        suggest(name, set(declared)),
                        (*at, "with", name),
                    )
                )
        args: dict[str, _Located] = {QUESTION: _Located(question, {}, {})}
        defaulted: list[str] = []
        for name, spec in declared.items():
            if name in use.with_:
                args[name] = _sub(written, ("with", name), use.with_[name])
            elif name in enclosing:
                args[name] = enclosing[name]
            elif isinstance(spec, s.TemplateArgument) and "default" in spec.model_fields_set:
                args[name] = _Located(spec.default, {}, {})
                defaulted.append(name)
            else:
                what = spec if isinstance(spec, str) else spec.doc
                self.problems.append(
                    Diagnostic(
                        "template-argument",
                        f"template `{template.name}` needs argument `{name}`: {what}",
                        doc.location(at),
                        None,
                        at,
                    )
                )
        if len(self.problems) != before:
            return None
        given = {k: v for k, v in args.items() if k not in defaulted}
        for name in defaulted:  # a default may be built from the arguments given
            if "${" in repr(args[name].value):
                path = _declaration(template, name)
                args[name] = self._substitute(args[name], given, template, path, "")
        return args if len(self.problems) == before else None

    # replacing placeholders --------------------------------------------------------------------

    def _substitute(
        self,
        rule: _Located,
        args: Mapping[str, _Located],
        template: _Template,
        path: Path_,
        context: str,
    ) -> _Located:
        marks: dict[Path_, Mark] = {}
        keys: dict[Path_, Location] = {}

        def located(mark: Mark) -> Mark:
            return Mark(mark.location.within(context), mark.style, mark.source)

        def copy(arg: _Located, inner: Path_, out: Path_) -> None:
            for p, m in arg.marks.items():
                if p[: len(inner)] == inner:
                    marks[(*out, *p[len(inner) :])] = located(m)
            for p, loc in arg.keys.items():
                if p[: len(inner)] == inner:
                    keys[(*out, *p[len(inner) :])] = loc.within(context)

        def visit(value: Any, src: Path_, out: Path_) -> Any:
            mark = rule.marks.get(src)
            if mark is not None:
                marks[out] = located(mark)
            if src in rule.keys:
                keys[out] = rule.keys[src].within(context)
            if isinstance(value, str):
                whole = _WHOLE.match(value)
                if whole is not None:
                    arg = self._argument(whole.group(1), args, template, path, src)
                    if arg is None:
                        return value
                    copy(arg, (), out)
                    return arg.value
                if "$" not in value:
                    return value
                text = self._interpolate(value, args, template, path, src)
                if mark is not None and text != value:  # positions inside no longer map
                    marks[out] = Mark(mark.location.within(context), None)
                return text
            if isinstance(value, dict):
                return {k: visit(v, (*src, k), (*out, k)) for k, v in value.items()}
            if isinstance(value, list):
                items: list[Any] = []
                for i, item in enumerate(value):
                    whole = _WHOLE.match(item) if isinstance(item, str) else None
                    arg = (
                        self._argument(whole.group(1), args, template, path, (*src, i))
                        if whole is not None
                        else None
                    )
                    if arg is not None and isinstance(arg.value, list):
                        for j, spliced in enumerate(arg.value):
                            copy(arg, (j,), (*out, len(items)))
                            items.append(spliced)
                        continue
                    items.append(visit(item, (*src, i), (*out, len(items))))
                return items
            return value

        value = visit(rule.value, (), ())
        return _Located(value, marks, keys)

    def _argument(
        self,
        name: str,
        args: Mapping[str, _Located],
        template: _Template,
        path: Path_,
        src: Path_,
    ) -> _Located | None:
        arg = args.get(name)
        if arg is None:
            self._report(
                template,
                (*path, *src),
                f"`${{{name}}}`: template `{template.name}` has no argument `{name}` (its "
                "arguments: " + ", ".join(sorted(args)) + ")",
                suggest(name, set(args)),
            )
        return arg

    def _interpolate(
        self,
        text: str,
        args: Mapping[str, _Located],
        template: _Template,
        path: Path_,
        src: Path_,
    ) -> str:
        def one(match: re.Match[str]) -> str:
            name, form = match.group(1), match.group(2)
            if name is None:
                return "${"
            arg = self._argument(name, args, template, path, src)
            if arg is None:
                return match.group(0)
            if form is not None:
                written = _cite_form(arg.value, form)
                if written is None:
                    self._report(
                        template,
                        (*path, *src),
                        f"`{match.group(0)}`: `:{form}` writes a citation "
                        "({article: N} or {article: N, item: M}) as `:cite` (its short form) or "
                        f"`:cite_zh` (its Chinese label); argument `{name}` is {arg.value!r}",
                        suggest(form, set(_FORMS)),
                    )
                    return match.group(0)
                return written
            if isinstance(arg.value, bool) or not isinstance(arg.value, str | int):
                self._report(
                    template,
                    (*path, *src),
                    f"`${{{name}}}` stands inside a text, so its argument must be a text or a "
                    f"number, not {type(arg.value).__name__}",
                    None,
                )
                return match.group(0)
            return str(arg.value)

        return _PLACEHOLDER.sub(one, text)

    def _report(self, template: _Template, path: Path_, message: str, hint: str | None) -> None:
        """A problem with the template itself, reported once whatever the number of uses."""
        key = (template.name, path, message)
        if key in self._reported:
            return
        self._reported.add(key)
        self.problems.append(
            Diagnostic("template-argument", message, template.doc.location(path), hint, path)
        )


_FORMS = ("cite", "cite_zh")


def _cite_form(value: Any, form: str) -> str | None:
    """A citation argument written in one of the forms the notes use, or None."""
    if form not in _FORMS or not isinstance(value, dict) or not set(value) <= {"article", "item"}:
        return None
    article, item = value.get("article"), value.get("item")
    if not isinstance(article, int) or isinstance(article, bool) or article < 1:
        return None
    if item is not None and (not isinstance(item, int) or isinstance(item, bool) or item < 1):
        return None
    cite = Cite(article, item)
    return str(cite) if form == "cite" else cite.label("zh")


def _declaration(template: _Template, name: str) -> Path_:
    """Where a template declares an argument's default: its own declaration, or (one it lists
    from ``template_arguments``) its list of arguments."""
    at: Path_ = (SECTION, template.name, "arguments")
    written = template.spec.arguments
    if isinstance(written, dict):
        return (*at, name, "default") if name in written else at
    for i, item in enumerate(written):
        if isinstance(item, dict) and name in item:
            return (*at, i, name, "default")
    return at


def _sub(located: _Located, prefix: Path_, value: Any) -> _Located:
    """The part of a located value at ``prefix``, located relative to itself."""
    n = len(prefix)
    return _Located(
        value,
        {p[n:]: m for p, m in located.marks.items() if p[:n] == prefix},
        {p[n:]: k for p, k in located.keys.items() if p[:n] == prefix},
    )


def _place(
    part: _Located, at: Path_, marks: dict[Path_, Mark], keys: dict[Path_, Location]
) -> None:
    for p, m in part.marks.items():
        marks[(*at, *p)] = m
    for p, k in part.keys.items():
        keys[(*at, *p)] = k


def _as_document(part: _Located, like: LocatedDocument) -> LocatedDocument:
    """A located value as a document of its own (a use inside a template)."""
    marks = dict(part.marks)
    marks.setdefault((), Mark(like.location(()), None))
    return LocatedDocument(like.file, part.value, marks, dict(part.keys))


def expand_templates(docs: list[LocatedDocument]) -> list[LocatedDocument]:
    """The documents with every use of a template expanded and the templates sections gone."""
    problems: list[Diagnostic] = []
    failed: set[str] = set()
    templates = _templates(docs, problems, failed)
    out = [_Expander(doc, templates, failed, problems).run() for doc in docs]
    if problems:
        raise PolicyError(problems)
    return out
