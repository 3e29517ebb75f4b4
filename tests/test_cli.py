"""The command line: output, JSON, and one exit code per error class, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jurisdiction import Decision
from jurisdiction._cli import cli

from policy_kit import copy_bundled

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEPARATED = str(EXAMPLES / "separated_resident.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_decide_prints_cited_bodies_in_english_and_chinese() -> None:
    code, out, _ = run("decide", SEPARATED, "-q", "first_child_certificate")
    assert code == 0
    assert "residence place (subdistrict 120104002)" in out
    assert "article (二) item 5" in out
    code, out, _ = run("decide", SEPARATED, "-q", "second_child_approval", "--lang", "zh")
    assert code == 0
    assert "女方户籍地(街道 120101001)人口和计划生育部门" in out
    assert "第(三)条第一项" in out


def test_decide_without_question_answers_every_question_about_the_subject() -> None:
    code, out, _ = run("decide", SEPARATED, "--format", "json")
    assert code == 0
    decisions = [Decision.from_dict(d) for d in json.loads(out)]
    assert {d.question for d in decisions} >= {"first_child_certificate", "second_child_approval"}
    assert all(d.subject_id == "R-2013-000187" for d in decisions)


def test_a_list_of_fact_sets_is_answered_in_order(tmp_path: Path) -> None:
    facts = tmp_path / "many.json"
    facts.write_text(
        json.dumps(
            [
                {
                    "kind": "resident",
                    "hukou": "120101001",
                    "residence": "120104002",
                    "sex": "female",
                    "age": 30,
                    "id": "a",
                },
                {
                    "kind": "resident",
                    "hukou": "130101001",
                    "residence": "120104002",
                    "sex": "female",
                    "age": 30,
                    "id": "b",
                },
            ]
        )
    )
    code, out, _ = run("decide", str(facts), "-q", "contraceptives", "--format", "json")
    assert code == 0
    got = [(d["subject_id"], d["outcome"]) for d in json.loads(out)]
    assert got == [("a", "responsible"), ("b", "not_applicable")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "kind: resident\nhukou: '120101001'\nresidence: '120104002'\nsex: female\nage: 300\n",
            ":5:6: age: Input should be less than or equal to 150",
        ),
        (
            "kind: resident\nhukou: '12010100'\nresidence: '120104002'\nsex: female\nage: 30\n",
            ":2:8: hukou: Value error, a place code is 6 (district), 9 (street/township)",
        ),
        (
            "kind: resident\nhukou: '120101001'\nresidence: '120104002'\nsex: female\nage: 30\n"
            "colour: red\n",
            ":6:9: colour: Extra inputs are not permitted",
        ),
        ("kind: residant\n", "did you mean `resident`?"),
        ("kind: resident\nkind: resident\n", "duplicate-key"),
        ("kind: [resident\n", "yaml-syntax"),
        ("- 3\n", "a fact set is a mapping"),
    ],
    ids=["range", "code", "extra", "kind", "duplicate", "syntax", "not-a-mapping"],
)
def test_bad_facts_exit_4_with_a_located_message(
    tmp_path: Path, content: str, message: str
) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(content)
    code, out, err = run("decide", str(facts))
    assert code == 4
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_missing_facts_file_is_a_usage_error() -> None:
    code, _, err = run("decide", "no/such/file.yaml")
    assert code == 2
    assert "does not exist" in err


def test_unknown_question_exits_4_with_a_suggestion() -> None:
    code, _, err = run("decide", SEPARATED, "-q", "contraceptive")
    assert code == 4
    assert "did you mean `contraceptives`?" in err


def test_broken_policy_exits_3_with_its_location(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    chapter = root / "chapter1.yaml"
    chapter.write_text(
        chapter.read_text().replace(
            "resident.woman_hukou_known\n", "resident.woman_hukou_knwon\n", 1
        )
    )
    code, _, err = run("decide", SEPARATED, "--policy", str(root))
    assert code == 3
    assert f"{chapter}:" in err
    assert "unknown-fact" in err
    assert "did you mean `resident.woman_hukou_known`?" in err


def test_questions_lists_each_question_with_its_articles() -> None:
    code, out, _ = run("questions")
    assert code == 0
    assert "second_child_approval" in out
    assert "(三)1" in out
    code, out, _ = run("questions", "--subject", "birth_case", "--lang", "zh")
    assert code == 0
    assert "out_of_policy_birth_assessment" in out
    assert "第(五)条" in out
    assert "first_child_certificate" not in out


def test_help_teaches_the_commands() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for word in ("decide", "questions", "Exit codes"):
        assert word in out
