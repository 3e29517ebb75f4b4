"""The command line: ``jurisdiction decide``, ``questions``, ``features``, ``models`` and ``check``.

The help texts name no word of any policy: where they describe the bundled policy (its subjects
and their fields, its place codes, a question to try), they read it when the help is shown.

Exit codes: 0 success; 1 findings (check); 2 usage; 3 policy error; 4 bad facts or question;
5 conflict between rules; 6 evaluator unavailable or failed; 8 the check is incomplete (check:
no other finding, but some classes of cases could not be verified).
"""

from __future__ import annotations

import datetime
import inspect
import json
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..core.collector import held_back, whole_process
from ..core.errors import FactsError, JurisdictionError, suggest
from ..core.paths import bundled_policy_path
from . import kept_answers
from .common import engine_for, guarded, load_policy_for, read_facts, reports_errors
from .options import AS_OF as _AS_OF
from .options import LANG as _LANG
from .options import OVERLAYS as _OVERLAYS
from .options import POLICY as _POLICY
from .options import output_file as _output_file
from .options import text_or_json as _text_or_json

if TYPE_CHECKING:  # imported where used: `jurisdiction --help` loads no engine
    from ..core.text import Lang
    from ..engine.decision import Decision
    from ..engine.engine import Engine, Evaluator
    from ..language.subjects import Feature, FieldInfo, Subject
    from ..policy.model import Policy

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])


def _help_values() -> dict[str, str]:
    """The parts of the help texts read from the bundled policy, kept in a cache file keyed by
    the policy's files and this module, so that ``--help`` need not load the policy each time."""
    import hashlib

    from ..language.parse_cache import cache_directory

    root = bundled_policy_path()
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    directory = cache_directory()
    cache = directory / f"help-{digest.hexdigest()[:32]}.json" if directory else None
    try:
        found = json.loads(_read_cache(cache)) if cache else None
        if isinstance(found, dict) and set(found) == set(_DESCRIBED):
            return {str(k): str(v) for k, v in found.items()}
    except (OSError, ValueError):
        pass
    policy = _bundled_policy()
    if policy is None:
        return dict.fromkeys(_DESCRIBED, _UNAVAILABLE)
    values = {key: describe(policy) for key, describe in _DESCRIBED.items()}
    try:
        if cache is not None:
            cache.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fresh = cache.with_name(f".{cache.name}.{os.getpid()}")
            fresh.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
            os.replace(fresh, cache)  # replaces a link; never writes through one
    except OSError:
        pass  # no cache: the next help loads the policy again
    return values


_HELP_CACHE_LIMIT = 1 << 16


def _read_cache(path: Path) -> str:
    """A help cache file's text: a regular file, not a link (to /dev/zero, say), at most 64 KiB;
    anything else raises OSError or ValueError, and the help is read from the policy."""
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > _HELP_CACHE_LIMIT:
            raise ValueError(f"{path}: not a small regular file")
        return f.read(_HELP_CACHE_LIMIT + 1).decode("utf-8")


def _bundled_policy() -> Policy | None:
    """The bundled policy, for help texts; None if it does not load (the help still shows)."""
    from ..policy.load import load_policy

    try:
        return load_policy(bundled_policy_path())
    except (JurisdictionError, OSError):
        return None


def _required(info: FieldInfo) -> bool:
    return not (info.optional or info.has_default or info.derived_default)


def _kinds_help(policy: Policy) -> str:
    """Each subject of ``policy`` with its fields, optional ones in brackets, for ``decide``."""
    subjects = policy.subjects
    width = max(len(name) for name in subjects) + len("kind: ")
    lines = []
    for subject in subjects.values():
        must = [n for n, info in subject.fields.items() if _required(info)]
        may = [n for n, info in subject.fields.items() if not _required(info)]
        listed = ", ".join(must) + (f"[, {', '.join(may)}]" if must and may else "")
        listed = listed or f"[{', '.join(may)}]"
        head = f"kind: {subject.name}".ljust(width)
        wrapped = _wrapped(listed, 100 - 2 - width - 2 - 4)
        lines.append(f"  {head}  {wrapped[0]}")
        lines += [f"  {'':<{width}}  {line}" for line in wrapped[1:]]
    nested = sorted(
        {
            f"The `{n}` of a {s.name} is a fact set of kind {i.subject}."
            for s in subjects.values()
            for n, i in s.fields.items()
            if i.subject is not None
        }
    )
    hierarchy = policy.hierarchy
    levels = ", ".join(f"{lv.length}-character {lv.name}" for lv in hierarchy.levels)
    text = "\b\n" + "\n".join(lines) + "\n\n"
    text += " ".join(nested) + (" " if nested else "")
    text += f"Places are codes of the bundled policy's levels: {levels} (see docs/facts.md)."
    if hierarchy.overlay_level is not None:
        text += (
            f" A fact set located in a {hierarchy.overlay_level} with an overlay"
            f" (overlays/<{hierarchy.overlay_level}>.yaml, or --overlays DIR) is decided with that"
            f" {hierarchy.overlay_level}'s values of the delegated parameters, and the decision"
            " names the overlay."
        )
    return text


def _wrapped(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _summary_help(policy: Policy) -> str:
    """What the bundled policy is, for the top-level help."""
    subjects = ", ".join(policy.subjects)
    return (
        f"The bundled policy is {policy.title.en!r} ({policy.name}, {len(policy.articles)}"
        f" articles, {len(policy.questions)} questions). Its kinds of fact set are {subjects};"
        " give it the facts of one, and it answers each question about it with the responsible"
        " bodies and the article (and item) behind each."
    )


def _examples_help(policy: Policy) -> str:
    subject = next(iter(policy.subjects))
    question = next((n for n, q in policy.questions.items() if q.subject == subject), "Q")
    return (
        "\b\nExamples:\n"
        "  jurisdiction questions\n"
        f"  jurisdiction questions --subject {subject}\n"
        f"  jurisdiction features --subject {subject}\n"
        "  jurisdiction decide facts.yaml\n"
        f"  jurisdiction decide facts.yaml -q {question} --lang zh\n"
        "  jurisdiction decide facts.json --format json\n"
        "  jurisdiction models -o my_models.py\n"
        "  jurisdiction check my_policy/ --certificate partition.json"
    )


_DESCRIBED: dict[str, Callable[[Policy], str]] = {
    "subjects": lambda policy: ", ".join(policy.subjects),
    "summary": _summary_help,
    "examples": _examples_help,
    "kinds": _kinds_help,
}
_UNAVAILABLE = "(the bundled policy does not load: `jurisdiction check` says why)"


class _DescribesPolicy:
    """A command whose help has ``{summary}``, ``{examples}`` or ``{kinds}`` in it: filled in from
    the bundled policy when the help is shown, so that no policy's words are written here."""

    help: str | None

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        original = self.help
        if original is not None and "{" in original:
            self.help = inspect.cleandoc(original).format(**_help_values())
        try:
            super().format_help_text(ctx, formatter)  # type: ignore[misc]
        finally:
            self.help = original


class _Group(_DescribesPolicy, click.Group):
    pass


class _Command(_DescribesPolicy, click.Command):
    pass


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="jurisdiction")
def cli() -> None:
    """Who is responsible, and which article says so.

    {summary}

    {examples}

    Exit codes (docs/errors.md): 0 ok, 1 findings, 2 usage, 3 policy error,
    4 bad facts, question or input, 5 conflict between rules, 6 evaluator or
    extra unavailable, 7 a file cannot be written, 8 check incomplete, 70 a
    defect of ours, 130 interrupted, 143 terminated.
    """


@cli.command(cls=_Command)
@click.argument("facts", type=click.Path(path_type=Path))
@click.option(
    "-q",
    "--question",
    "questions",
    multiple=True,
    metavar="Q",
    help="A question to answer (repeatable). Default: every question about the subject.",
)
@_text_or_json("Text for people, JSON for programs (a list of decisions).")
@click.option(
    "--evaluator",
    type=click.Choice(["compiled", "durable"]),
    default="compiled",
    show_default=True,
    help="What evaluates the rules: compiled closures, or durable_rules (needs "
    "pip install 'jurisdiction[durable]'); both decide alike (docs/evaluators.md).",
)
@_AS_OF
@_LANG
@click.option(
    "--ids",
    is_flag=True,
    help="Show the question, value, rule and parameter identifiers in text output "
    "(a caseworker reads the titles and articles; JSON always has them).",
)
@_POLICY
@_OVERLAYS
@reports_errors
def decide(
    facts: Path,
    questions: Sequence[str],
    fmt: str,
    evaluator: Evaluator,
    as_of: datetime.datetime | None,
    lang: Lang,
    ids: bool,
    policy_dir: Path | None,
    overlays_dir: Path | None,
) -> None:
    """Answer questions for the fact sets in FACTS (a YAML or JSON file; `-`
    reads JSON or YAML from standard input).

    FACTS holds one fact set, or a list of them. Each is a mapping whose `kind`
    says what it describes; the bundled policy's kinds and their fields
    (optional ones in brackets):

    {kinds}

    `jurisdiction features` lists what the conditions read of each kind.
    """
    engine = engine_for(policy_dir, evaluator, overlays_dir)
    fact_sets = read_facts(facts, engine)
    answers: list[Decision | JurisdictionError] = []
    where: list[str] = []
    for i, model in enumerate(fact_sets):
        asked = questions or engine.questions(engine.subject_of(model))
        day = as_of.date() if as_of is not None else None
        for q in asked:  # one fact set's conflict does not silence the others' answers
            try:
                answers.append(engine.decide(model, q, as_of=day))
            except JurisdictionError as exc:
                answers.append(exc)
            where.append(f"fact set {i + 1}, question {q}" if len(fact_sets) > 1 else q)
    failed = [(w, a) for w, a in zip(where, answers, strict=True) if isinstance(a, Exception)]
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {"error": type(a).__name__, "message": str(a), "at": w}
                    if isinstance(a, Exception)
                    else a.to_dict()
                    for w, a in zip(where, answers, strict=True)
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        shown = [a.render(lang, ids=ids) for a in answers if not isinstance(a, Exception)]
        if shown:
            click.echo("\n\n".join(shown))
    for w, error in failed:
        click.echo(f"error ({type(error).__name__}) in {w}: {error}", err=True)
    if failed:
        sys.exit(failed[0][1].exit_code)
    plain = (fmt, evaluator, policy_dir, overlays_dir) == ("text", "compiled", None, None)
    if kept_answers.WANTED[0] and plain and questions and len(fact_sets) == 1:
        kept_answers.keep(engine, questions)  # the next plain `decide` of them runs without us


@cli.command()
@click.option("--subject", default=None, help="Only questions about this kind of subject.")
@_LANG
@_POLICY
@reports_errors
def questions(subject: str | None, lang: Lang, policy_dir: Path | None) -> None:
    """List the questions the policy answers, with the articles each rests on."""
    engine = engine_for(policy_dir)
    _print_questions(engine, subject, lang)


def _print_questions(engine: Engine, subject: str | None, lang: Lang) -> None:
    policy = engine.policy
    names = engine.questions(subject)
    if not names:
        raise FactsError(f"no question is about `{subject}`")
    width = max(len(n) for n in names)
    for name in names:
        q = policy.questions[name]
        cites = " ".join(c.label(lang) if lang == "zh" else str(c) for c in q.cites)
        click.echo(f"{name:<{width}}  [{q.subject}]  {q.title[lang]}")
        click.echo(f"{'':<{width}}  {'依据' if lang == 'zh' else 'rests on'}: {cites}")


@cli.command()
@click.argument(
    "policy_dir",
    required=False,
    type=click.Path(path_type=Path, exists=False),
    metavar="[POLICY_DIR]",
)
@_text_or_json("Text for people (file:line:col: code: message), JSON for programs.")
@click.option(
    "--certificate",
    "certificate_file",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    default=None,
    metavar="FILE",
    help="Also write the partition certificate (every class of cases with its answer) as JSON.",
)
@click.option(
    "--write-manifest",
    is_flag=True,
    default=False,
    help="Write POLICY_DIR/.manifest (the sha256 of every file loaded), which every load then "
    "verifies: a half-written or mixed directory is refused.",
)
@_OVERLAYS
@reports_errors
def check(
    policy_dir: Path | None,
    fmt: str,
    certificate_file: Path | None,
    write_manifest: bool,
    overlays_dir: Path | None,
) -> None:
    """Verify a policy exactly: overlaps, gaps, unreachable rules and lints.

    Checks POLICY_DIR (default: the bundled policy). Each question's fact
    space is cut into the classes its conditions can tell apart, and every
    class is decided with the engine; an overlap or a gap comes with a witness,
    a fact set that `jurisdiction decide` confirms. A class the checker can
    neither construct nor prove impossible is reported (check-incomplete),
    never dropped.

    \b
    Exit codes: 0 clean (every class decided, no finding), 1 findings,
    3 the policy does not load, 8 incomplete (no other finding, but some
    classes could not be verified: not proven clean).
    """
    from ..analysis.certificate import certificate, render
    from ..analysis.over_time import checker_for
    from ..engine.engine import Engine
    from ..policy.load import load_policy

    root = policy_dir if policy_dir is not None else bundled_policy_path()
    if certificate_file is not None and not certificate_file.parent.is_dir():
        raise click.BadParameter(
            f"no folder {str(certificate_file.parent)!r} to write it in", param_hint="--certificate"
        )
    if write_manifest and not root.is_dir():
        raise click.BadParameter(
            f"{str(root)!r} is not a policy directory", param_hint="--write-manifest"
        )
    policy = load_policy(root, strict=False, manifest=not write_manifest, overlays=overlays_dir)
    if write_manifest:
        from ..policy.files import MANIFEST, render_manifest

        (root / MANIFEST).write_text(render_manifest(policy.digests), encoding="utf-8")
        click.echo(f"wrote {root / MANIFEST} ({len(policy.digests)} files)", err=True)
    checker = checker_for(Engine(policy))
    findings = []
    with held_back():  # the check keeps most of what it makes: see ``core.collector``
        for finding in checker.all_findings():
            findings.append(finding)
            if fmt == "text":
                click.echo(str(finding))
                witness = finding.witness_json()
                if witness is not None:
                    day = finding.day()
                    click.echo(
                        f"  witness: {witness}" + (f" (decide --as-of {day})" if day else "")
                    )
    questions_ = len(checker.policy.questions)
    if fmt == "json":
        report = {
            "policy": checker.policy.name,
            "fingerprint": checker.policy.fingerprint,
            "classes_decided": checker.classes_decided,
            "complete": not any(f.code == "check-incomplete" for f in findings),
            "questions": questions_,
            "findings": [f.to_dict() for f in findings],
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        errors = sum(f.severity == "error" for f in findings)
        summary = (
            f"{len(findings)} finding{'s' * (len(findings) != 1)} "
            f"({errors} error{'s' * (errors != 1)}, {len(findings) - errors} warnings)"
            if findings
            else "clean: no findings"
        )
        incomplete = sum(f.code == "check-incomplete" for f in findings)
        click.echo(
            f"{summary}; {checker.classes_decided} classes of cases decided "
            f"in {questions_} question{'s' * (questions_ != 1)}"
            + (
                f"; INCOMPLETE: {incomplete} question{'s' * (incomplete != 1)} with classes "
                "not verified"
                if incomplete
                else ""
            ),
            err=bool(findings),
        )
    if certificate_file is not None:
        with held_back():
            text = render(certificate(checker, findings))
        certificate_file.write_text(text, encoding="utf-8")
    if any(f.code != "check-incomplete" for f in findings):
        sys.exit(1)
    if findings:
        sys.exit(8)


_POLICY_DIR = click.argument(
    "policy_dir",
    required=False,
    type=click.Path(path_type=Path, exists=False),
    metavar="[POLICY_DIR]",
)


@cli.command(cls=_Command)
@_POLICY_DIR
@_output_file("the module")
@reports_errors
def models(policy_dir: Path | None, output: Path | None) -> None:
    """Write a typed Python module of the policy's fact models.

    The engine builds its fact models from the policy when it loads, so a
    static type checker cannot see them. This writes them out for callers:
    a StrEnum per enum the policy declares, and a frozen pydantic model per
    subject (kind of fact set), its fields typed and documented as declared.
    The module passes `ruff check` and `mypy --strict`; its header names the
    policy and its fingerprint, so a stale copy is easy to spot. Do not edit
    it: run this command again when the policy changes.

    Engine.decide accepts an instance of a generated class: it checks it again
    against the policy's own model (place codes, constraints between fields).
    The bundled policy's module ships as `jurisdiction.models`, and its classes
    are importable from `jurisdiction` itself.

    \b
    Examples:
      jurisdiction models -o my_models.py
      jurisdiction models my_policy/ -o my_policy_models.py
      jurisdiction models -o src/jurisdiction/models.py   # the shipped module
    """
    from ..policy.codegen import generate

    source = generate(load_policy_for(policy_dir))
    if output is None:
        click.echo(source, nl=False)
    else:
        output.write_text(source, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


def _feature_type(feature: Feature) -> dict[str, Any]:
    t = feature.type
    if t.kind == "enum":
        return {"kind": "enum", "values": list(t.values)}
    if t.kind == "int":
        return {"kind": "int", "min": t.minimum, "max": t.maximum}
    return {"kind": "bool"}


def _field_type(info: FieldInfo) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": info.kind}
    if info.kind == "enum":
        out["values"] = list(info.values)
    elif info.kind == "int":
        out |= {"min": info.minimum, "max": info.maximum}
    elif info.kind in ("place", "places"):
        out["levels"] = list(info.levels)
    elif info.kind == "subject":
        out["subject"] = info.subject
    return out


def _shown_type(t: dict[str, Any]) -> str:
    kind = t["kind"]
    if kind == "enum":
        return "one of " + ", ".join(t["values"])
    if kind == "int":
        return f"int {t['min']}..{t['max']}"
    if kind in ("place", "places"):
        return f"{kind} ({' or '.join(t['levels'])})"
    if kind == "subject":
        return f"a {t['subject']}"
    return str(kind)


def _declared_features(subject: Subject) -> list[Feature]:
    """The features the policy declares (and the fields that are features as they are); not the
    ones loading derived from the rules' conditions, which are named by their expression."""
    return [f for name, f in subject.features.items() if name.isidentifier()]


def _features_report(policy: Policy, subjects: Sequence[Subject]) -> dict[str, Any]:
    from ..language.expressions import FUNCTIONS

    return {
        "policy": policy.name,
        "fingerprint": policy.fingerprint,
        "subjects": {
            s.name: {
                "doc": s.doc,
                "location": s.location,
                "features": [
                    {"name": f.name, "type": _feature_type(f), "doc": f.doc, "expr": f.expr}
                    for f in _declared_features(s)
                ],
                "fields": [
                    {
                        "name": info.name,
                        "type": _field_type(info),
                        "required": _required(info),
                        "optional": info.optional,
                        **({"default": info.default} if info.has_default else {}),
                        "derived_default": info.derived_default,
                        "doc": info.doc,
                    }
                    for info in s.fields.values()
                ],
                "places": [
                    {
                        "name": p.name,
                        "levels": list(p.levels),
                        "many": p.many,
                        "optional": p.optional,
                        "doc": p.doc,
                    }
                    for p in s.places.values()
                ],
            }
            for s in subjects
        },
        "functions": dict(FUNCTIONS),
    }


def _entry(name: str, shown: str, doc: str, expr: str | None = None) -> None:
    """One entry of ``features``: its name and type, then its doc (and definition) indented."""
    click.echo(f"    {name}: {shown}")
    for line in textwrap.wrap(" ".join(doc.split()), 92):
        click.echo(f"        {line}")
    if expr is not None:
        click.echo(f"        = {' '.join(expr.split())}")


def _print_features(report: dict[str, Any]) -> None:
    for name, s in report["subjects"].items():
        click.echo(f"{name}: {' '.join(s['doc'].split())}")
        if s["location"]:
            click.echo(f"  (its place `{s['location']}` chooses the overlay that applies)")
        click.echo(f"  features (a condition reads {name}.NAME):")
        for f in s["features"]:
            expr = f["expr"] if f["expr"] != f["name"] else None
            _entry(f["name"], _shown_type(f["type"]), f["doc"], expr)
        click.echo(f"  fields (the facts; the features' expressions read {name}.NAME):")
        for f in s["fields"]:
            shown = _shown_type(f["type"])
            if "default" in f and f["default"] not in ((), None):
                shown += f", default {json.dumps(f['default'])}"
            elif f["derived_default"]:
                shown += ", derived when absent"
            elif f["optional"]:
                shown += ", optional"
            _entry(f["name"], shown, f["doc"])
        click.echo("  places (where an answer's bodies are):")
        for p in s["places"]:
            shown = ("places" if p["many"] else "place") + (
                f" ({' or '.join(p['levels'])})" if p["levels"] else ""
            )
            _entry(p["name"], shown, p["doc"])
        click.echo("")
    click.echo("functions (any expression may call them):")
    for doc in report["functions"].values():
        click.echo(f"  {doc}")


@cli.command(cls=_Command)
@_POLICY_DIR
@click.option("--subject", default=None, metavar="S", help="Only this kind of fact set.")
@_text_or_json()
@reports_errors
def features(policy_dir: Path | None, subject: str | None, fmt: str) -> None:
    """List what a condition may read, per kind of fact set (subject).

    For each subject of POLICY_DIR (default: the bundled policy, whose
    subjects are {subjects}):

    \b
      features  what a rule's condition reads as SUBJECT.NAME: its type
                (bool, one of the enum's values, or a whole-number range),
                its doc, and the expression that defines it;
      fields    the facts a caller supplies, which the features'
                expressions read;
      places    the places an answer can name (a body's place);

    then the built-in functions any expression may call. Each comes from the
    policy's facts.yaml; nothing here is built into the engine.
    """
    policy = load_policy_for(policy_dir)
    chosen = list(policy.subjects.values())
    if subject is not None:
        if subject not in policy.subjects:
            near = suggest(subject, set(policy.subjects))
            hint = f" (did you mean `{near}`?)" if near else ""
            raise FactsError(
                f"no subject `{subject}`; the subjects are {', '.join(policy.subjects)}{hint}"
            )
        chosen = [policy.subjects[subject]]
    report = _features_report(policy, chosen)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_features(report)


def _add_analyst_commands() -> None:
    from .cmd_batch import batch_command
    from .cmd_diff import diff_command
    from .cmd_explain import explain_command
    from .cmd_schema import schema_command
    from .cmd_serve import replay_command, serve_command
    from .cmd_test import test_command
    from .cmd_timeline import timeline_command

    cli.add_command(test_command)
    cli.add_command(diff_command)
    cli.add_command(explain_command)
    cli.add_command(schema_command)
    cli.add_command(batch_command)
    cli.add_command(timeline_command)
    cli.add_command(serve_command)
    cli.add_command(replay_command)
    for command in cli.commands.values():  # one line and a documented exit, whatever fails
        if command.callback is not None:
            command.callback = guarded(command.callback)


_add_analyst_commands()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``jurisdiction`` console script. Conditions parsed by one run are kept
    for the next in the user's cache directory (see ``language.parse_cache``); what a command loads
    stays out of the garbage collector's reach (see ``core.collector``). So are the policy's
    documents, read from YAML (see ``policy.doc_cache``)."""
    from ..language.parse_cache import persisting
    from ..policy.doc_cache import keeping

    with persisting(), keeping(), whole_process():
        guarded(cli.main)(args=list(argv) if argv is not None else None, prog_name="jurisdiction")
