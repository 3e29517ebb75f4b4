"""The command line: ``jurisdiction decide``, ``jurisdiction questions`` and ``jurisdiction check``.

Exit codes: 0 success; 1 findings (check); 2 usage; 3 policy error; 4 bad facts or question;
5 conflict between rules; 6 evaluator unavailable or failed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import BaseModel, ValidationError

from ._decision import Decision
from ._engine import Engine, Evaluator, bundled_policy_path, load
from ._errors import FactsError, JurisdictionError, PolicyError
from ._text import Lang
from ._yaml import LocatedDocument, parse_yaml

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

_POLICY = click.option(
    "--policy",
    "policy_dir",
    type=click.Path(path_type=Path, exists=False),
    default=None,
    metavar="DIR",
    help="Policy directory to use instead of the bundled one.",
)
_LANG = click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the text output.",
)


def _reports_errors(func: F) -> F:
    """Turn our exceptions into a message on stderr and the exit code of their class."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except JurisdictionError as exc:
            kind = type(exc).__name__
            click.echo(f"error ({kind}): {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="jurisdiction")
def cli() -> None:
    """Who is responsible, and which article says so.

    The bundled policy encodes a municipal opinion on grassroots population and
    family-planning work (19 articles). Give it the facts of a resident, an
    out-of-policy birth case, a unit or an area, and it answers each question with
    the responsible bodies and the article (and item) behind each.

    \b
    Examples:
      jurisdiction questions
      jurisdiction questions --subject unit
      jurisdiction decide examples/separated_resident.yaml
      jurisdiction decide examples/separated_resident.yaml -q second_child_approval --lang zh
      jurisdiction decide examples/unit_1000_staff.yaml
      jurisdiction decide examples/blind_spot_resident.yaml -q first_child_certificate
      jurisdiction decide facts.json --format json
      jurisdiction check my_policy/ --certificate partition.json

    Exit codes: 0 ok, 1 findings, 2 usage, 3 policy error, 4 bad facts or
    question, 5 conflict between rules, 6 evaluator unavailable.
    """


def _read_facts(path: Path, engine: Engine) -> list[BaseModel]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FactsError(f"cannot read the facts file: {exc}", source=path) from exc
    try:
        doc = parse_yaml(text, str(path))
    except PolicyError as exc:
        raise FactsError(str(exc)) from exc
    value = doc.value
    items: list[tuple[tuple[str | int, ...], Any]]
    items = [((i,), v) for i, v in enumerate(value)] if isinstance(value, list) else [((), value)]
    if not items:
        raise FactsError("the facts file holds no fact set", source=path)
    return [_one_fact_set(doc, where, v, engine) for where, v in items]


def _one_fact_set(
    doc: LocatedDocument, where: tuple[str | int, ...], value: Any, engine: Engine
) -> BaseModel:
    location = doc.location(where)
    if not isinstance(value, dict):
        raise FactsError(f"{location}: a fact set is a mapping with a `kind`")
    try:
        return engine.parse_facts(value)  # the subjects of the policy asked, not the bundled
    except FactsError as exc:
        cause = exc.__cause__
        if isinstance(cause, ValidationError):
            lines = []
            for err in cause.errors():
                path = tuple(p for p in err["loc"][1:] if isinstance(p, str | int))
                loc = doc.location((*where, *path))
                field = ".".join(str(p) for p in path) or "facts"
                lines.append(f"{loc}: {field}: {err['msg']}")
            raise FactsError("invalid facts:\n" + "\n".join(lines)) from cause
        raise FactsError(f"{location}: {exc}") from exc


@cli.command()
@click.argument("facts", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "-q",
    "--question",
    "questions",
    multiple=True,
    metavar="Q",
    help="A question to answer (repeatable). Default: every question about the subject.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for programs (a list of decisions).",
)
@click.option(
    "--evaluator",
    type=click.Choice(["compiled", "durable"]),
    default="compiled",
    show_default=True,
    help="What evaluates the rules: compiled closures, or durable_rules (needs "
    "pip install 'jurisdiction[durable]'); both decide alike (docs/evaluators.md).",
)
@_LANG
@_POLICY
@_reports_errors
def decide(
    facts: Path,
    questions: Sequence[str],
    fmt: str,
    evaluator: Evaluator,
    lang: Lang,
    policy_dir: Path | None,
) -> None:
    """Answer questions for the fact sets in FACTS (a YAML or JSON file).

    FACTS holds one fact set, or a list of them. Each is a mapping whose `kind`
    says what it describes (optional fields in brackets):

    \b
      kind: resident     hukou, residence, sex, age[, marital_status,
                         spouse_sex, spouse_hukou, area]
      kind: birth_case   hukou, residence, hukou_reported,
                         residence_reported[, attribution_disputed]
      kind: unit         category, staff, location[, rank,
                         large_state_owned_enterprise]
      kind: area         place, management_in_place[, blind_spot_cause,
                         designated_street, proxy_community,
                         adjacent_districts, community_organisation,
                         community, original_villagers_committee,
                         original_village, urbanisation, households]
      kind: district     code

    A resident's `area` is the area where it lives, with the fields of an
    area. Places are statistical division codes: 6-digit district/county,
    9-digit street/township, 12-digit community/village (see docs/facts.md).
    A fact set located in a district with an overlay
    (policies/overlays/<district>.yaml) is decided with that district's
    values of the delegated parameters, and the decision names the overlay.
    """
    engine = load(policy_dir, evaluator=evaluator)
    fact_sets = _read_facts(facts, engine)
    decisions: list[Decision] = []
    for model in fact_sets:
        asked = questions or engine.questions(engine.subject_of(model))
        decisions.extend(engine.decide(model, q) for q in asked)
    if fmt == "json":
        click.echo(json.dumps([d.to_dict() for d in decisions], ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join(d.render(lang) for d in decisions))


@cli.command()
@click.option("--subject", default=None, help="Only questions about this kind of subject.")
@_LANG
@_POLICY
@_reports_errors
def questions(subject: str | None, lang: Lang, policy_dir: Path | None) -> None:
    """List the questions the policy answers, with the articles each rests on."""
    engine = load(policy_dir)
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people (file:line:col: code: message), JSON for programs.",
)
@click.option(
    "--certificate",
    "certificate_file",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    default=None,
    metavar="FILE",
    help="Also write the partition certificate (every class of cases with its answer) as JSON.",
)
@_reports_errors
def check(policy_dir: Path | None, fmt: str, certificate_file: Path | None) -> None:
    """Verify a policy exactly: overlaps, gaps, unreachable rules and lints.

    Checks POLICY_DIR (default: the bundled policy). Each question's fact
    space is cut into the classes its conditions can tell apart, and every
    class is decided with the engine; an overlap or a gap comes with a witness,
    a fact set that `jurisdiction decide` confirms.

    Exit codes: 0 clean, 1 findings, 3 the policy does not load.
    """
    from ._certificate import certificate, render
    from ._check import Checker
    from ._load import load_policy

    root = policy_dir if policy_dir is not None else bundled_policy_path()
    checker = Checker(Engine(load_policy(root, strict=False)))
    findings = []
    for finding in checker.all_findings():
        findings.append(finding)
        if fmt == "text":
            click.echo(str(finding))
            witness = finding.witness_json()
            if witness is not None:
                click.echo(f"  witness: {witness}")
    questions_ = len(checker.policy.questions)
    if fmt == "json":
        report = {
            "policy": checker.policy.name,
            "fingerprint": checker.policy.fingerprint,
            "classes_decided": checker.classes_decided,
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
        click.echo(
            f"{summary}; {checker.classes_decided} classes of cases decided "
            f"in {questions_} question{'s' * (questions_ != 1)}",
            err=bool(findings),
        )
    if certificate_file is not None:
        certificate_file.write_text(render(certificate(checker, findings)), encoding="utf-8")
    if findings:
        sys.exit(1)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``jurisdiction`` console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="jurisdiction")
