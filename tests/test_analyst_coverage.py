"""Coverage on an analyst's own policy (issue 21): every citation shape, one notion of "cited"
shared with ``check``, and unused features and literal thresholds warned as ``check`` warns
unused parameters (located findings), by ``check`` and in the coverage report."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from jurisdiction.analysis.check import check, usage_lints
from jurisdiction.analysis.usage import cited
from jurisdiction.cli.main import cli
from jurisdiction.core.text import Cite
from jurisdiction.policy.load import load_policy

ROOT = Path(__file__).resolve().parent.parent
PERMIT = ROOT / "examples" / "residence_permit"

CASES = """\
cases:
  - name: an adult applies in person
    question: application
    facts: {kind: applicant, residence: KN01, hukou_in_city: false, age: 30}
    expect: {outcome: responsible}
  - name: a child's guardian applies
    question: application
    facts: {kind: applicant, residence: KN01, hukou_in_city: false, age: 12}
    expect: {outcome: responsible}
"""


def _mixed(tmp: Path) -> Path:
    """The residence-permit policy, one rule citing the whole of Article 3, another a paragraph
    of it (the shape that crashed coverage)."""
    root = tmp / "permit"
    shutil.copytree(PERMIT, root)
    rules = root / "rules.yaml"
    text = rules.read_text("utf-8")
    whole = text.replace(
        'cite: [{article: 3, paragraph: 1}, "${via}"]', 'cite: [{article: 3}, "${via}"]', 1
    )
    whole = whole.replace("cite: {article: 3, paragraph: 1}}", "cite: {article: 3}}", 1)
    assert whole.count("{article: 3}") == 2
    rules.write_text(whole, "utf-8")
    (root / "cases").mkdir()
    (root / "cases" / "basic.yaml").write_text(CASES, "utf-8")
    return root


def test_citations_of_an_article_and_of_its_parts_sort_in_the_order_of_the_text() -> None:
    cites = {Cite(3, None, 2), Cite(3), Cite(2, 1), Cite(3, 1, 2), Cite(2)}
    assert sorted(cites) == [Cite(2), Cite(2, 1), Cite(3), Cite(3, None, 2), Cite(3, 1, 2)]


def test_coverage_reports_on_a_policy_with_mixed_citations(tmp_path: Path) -> None:
    root = _mixed(tmp_path)
    result = CliRunner().invoke(cli, ["test", str(root), "--coverage"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    assert "2 passed" in result.output
    assert "Traceback" not in result.output
    # the whole Article 3 and its paragraph 2 are both counted, and both exercised
    assert "第三条 " in result.output
    assert "2/2  ok" in result.output


def test_coverage_counts_what_check_counts_as_cited(tmp_path: Path) -> None:
    """Article 2 is cited by the scope definition and the city parameter, not by a rule:
    ``check`` counts it as encoded, and so does coverage (one function, ``usage.cited``)."""
    root = _mixed(tmp_path)
    policy = load_policy(root)
    assert Cite(2) in cited(policy)
    assert not [f for f in check(root) if f.code == "uncited-article"]
    result = CliRunner().invoke(cli, ["test", str(root), "--coverage", "--format", "json"])
    report = result.output[result.output.index("{") :]
    import json

    articles = json.loads(report)["coverage"]["articles"]
    assert set(articles) == {str(c) for c in cited(policy)}
    assert articles["第二条"] is True  # the scope a fired rule reads carries it
    assert json.loads(report)["coverage"]["not_encoded"] == []


def test_an_unused_feature_is_warned_where_it_is_declared(tmp_path: Path) -> None:
    root = _mixed(tmp_path)
    facts = root / "facts.yaml"
    text = facts.read_text("utf-8")
    facts.write_text(
        text.replace(
            "    features:\n",
            "    features:\n      adult:\n        expr: applicant.age >= 18\n        doc: of age\n",
            1,
        ),
        "utf-8",
    )
    found = usage_lints(load_policy(root))
    assert [f for f in check(root) if f.code in ("unused-feature", "bounds")] == found
    codes = sorted(f.code for f in found)
    assert codes == ["bounds", "unused-feature"], found
    unused = next(f for f in found if f.code == "unused-feature")
    assert "applicant.adult" in unused.message
    assert unused.severity == "warning"
    assert unused.location is not None
    assert unused.location.line == text[: text.index("    features:\n")].count("\n") + 2
    literal = next(f for f in found if f.code == "bounds")
    assert "`>= 18`" in literal.message
    result = CliRunner().invoke(cli, ["test", str(root), "--coverage"])
    assert result.exit_code == 0, result.output
    warnings = result.output.split("warnings:\n", 1)[1].split("coverage:", 1)[0]
    assert f"facts.yaml:{unused.location.line}:7: unused-feature" in warnings
    assert "bounds: feature `applicant.adult` compares with a literal" in warnings


def _applied_on(root: Path, condition: str) -> None:
    """Give the applicant the day of the application, and the own-application rule ``condition``
    besides its age."""
    facts = root / "facts.yaml"
    facts.write_text(
        facts.read_text("utf-8").replace(
            "      age: {type: int, min: 0, max: 150, doc: age in whole years}\n",
            "      age: {type: int, min: 0, max: 150, doc: age in whole years}\n"
            "      applied_on: {type: date, doc: the day of the application}\n",
        ),
        "utf-8",
    )
    rules = root / "rules.yaml"
    rules.write_text(
        rules.read_text("utf-8").replace(
            "when: applicant.age >= param.own_application_age\n",
            f"when: applicant.age >= param.own_application_age and {condition}\n",
            1,
        ),
        "utf-8",
    )


def test_a_date_literal_in_a_rule_is_data_not_a_literal_threshold(tmp_path: Path) -> None:
    """The day a text takes force is data of the text: neither ``check`` nor coverage warns it."""
    root = _mixed(tmp_path)
    _applied_on(root, 'applicant.applied_on >= date("2020-01-01")')
    assert [f for f in check(root) if f.code == "bounds"] == []
    assert [f for f in usage_lints(load_policy(root)) if f.code == "bounds"] == []


def test_a_number_literal_in_a_derived_condition_is_warned_at_its_rule(tmp_path: Path) -> None:
    root = _mixed(tmp_path)
    _applied_on(root, "days_between(applicant.applied_on, applicant.applied_on) < 30")
    found = [f for f in usage_lints(load_policy(root)) if f.code == "bounds"]
    assert len(found) == 1, found
    assert "`< 30`" in found[0].message
    assert found[0].location is not None
    assert found[0].location.file.endswith("rules.yaml")  # at the rule that compares
    assert [f for f in check(root) if f.code == "bounds"] == found
