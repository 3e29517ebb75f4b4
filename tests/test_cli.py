"""The command line: output, JSON, and one exit code per error class, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jurisdiction import Decision
from jurisdiction.cli.main import cli

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
    code, out, _ = run(
        "decide", SEPARATED, "-q", "first_child_certificate", "--as-of", "2012-06-01", "--ids"
    )
    assert code == 0
    assert (
        "residence place (subdistrict 鼓楼街道 (120104002); the level is this policy's reading, "
        "parameter residence_fp_level)" in out
    )
    assert "article (二) item 5" in out
    code, out, _ = run(
        "decide", SEPARATED, "-q", "second_child_approval", "--lang", "zh", "--as-of", "2012-06-01"
    )
    assert code == 0
    assert (
        "女方户籍地（街道 劝业场街道(120101001)，层级为本政策的解读）"
        "人口和计划生育部门" in out  # no ids
    )
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
            ":2:8: hukou: Value error, a place code has 6 (district), 9 (street), 12 (community) "
            "characters, got 8",
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


def test_missing_facts_file_exits_4_as_the_docs_say() -> None:
    code, _, err = run("decide", "no/such/file.yaml")
    assert code == 4
    assert "no such facts file" in err


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
    out = " ".join(out.split())
    for word in ("decide", "questions", "features", "models", "check", "Exit codes"):
        assert word in out
    # the bundled policy is described from the policy itself, read when the help is shown
    assert "19 articles, 25 questions" in out
    assert "resident, birth_case, area, unit, district" in out
    assert "jurisdiction questions --subject resident" in out


def test_decide_help_lists_each_kind_with_its_fields_from_the_policy() -> None:
    code, out, _ = run("decide", "--help")
    assert code == 0
    assert "kind: resident    hukou, residence, sex, age[, marital_status," in out
    out = " ".join(out.split())
    assert "kind: birth_case hukou, residence, hukou_reported, residence_reported[," in out
    assert "kind: district code" in out
    assert "The `area` of a resident is a fact set of kind area." in out
    assert "6-character district, 9-character street, 12-character community" in out
    assert "overlays/<district>.yaml, or --overlays DIR" in out


def test_help_follows_the_bundled_policy_not_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jurisdiction.cli.main as cli_module

    root = copy_bundled(tmp_path)
    facts = root / "facts.yaml"
    facts.write_text(facts.read_text().replace("  birth_case:\n", "  birth_event:\n", 1))
    for path in root.glob("*.yaml"):
        path.write_text(path.read_text().replace("birth_case", "birth_event"))
    monkeypatch.setattr(cli_module, "bundled_policy_path", lambda: root)
    code, out, _ = run("decide", "--help")
    assert code == 0
    assert "kind: birth_event" in out
    assert "birth_case" not in out
    (root / "facts.yaml").write_text("places: [\n")  # a policy that does not load
    code, out, _ = run("--help")
    assert code == 0
    assert "the bundled policy does not load" in " ".join(out.split())


def test_models_writes_the_shipped_module_for_the_bundled_policy(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parent.parent / "src" / "jurisdiction" / "models.py"
    code, out, _ = run("models")
    assert code == 0
    assert out == shipped.read_text(encoding="utf-8")
    target = tmp_path / "my_models.py"
    code, out, err = run("models", "-o", str(target))
    assert code == 0
    assert out == ""
    assert f"wrote {target}" in err
    assert target.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")


def test_models_of_another_policy_and_of_a_broken_one(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    facts = root / "facts.yaml"
    facts.write_text(
        facts.read_text()
        + "\n  land_parcel:\n    doc: a parcel of land\n    fields:\n"
        + "      plot: {type: place, levels: [community], doc: where it lies}\n"
    )
    code, out, _ = run("models", str(root))
    assert code == 0
    assert "class LandParcel(BaseModel):" in out
    assert '    kind: Literal["land_parcel"] = "land_parcel"\n' in out
    assert "    plot: str = Field(strict=True)\n" in out
    facts.write_text(facts.read_text().replace("type: sex, doc", "type: sexx, doc", 1))
    code, out, err = run("models", str(root))
    assert code == 3
    assert out == ""
    assert "unknown-type" in err


def test_models_help_teaches_its_use() -> None:
    code, out, _ = run("models", "--help")
    assert code == 0
    out = " ".join(out.split())
    for words in (
        "static type checker",
        "mypy --strict",
        "Engine.decide",
        "-o, --output FILE",
        "Do not edit",
    ):
        assert words in out, words


def test_features_lists_what_a_condition_reads() -> None:
    code, out, _ = run("features", "--subject", "unit")
    assert code == 0
    assert out.startswith("unit: a unit located in the area")
    assert "    in_city: bool\n" in out
    assert "        = within(unit.location, param.city_code)\n" in out
    assert "    staff: int 0..10000000\n" in out
    assert "    rank: one of ministerial, bureau, vice_bureau, division, section, none\n" in out
    assert (
        '    rank: one of ministerial, bureau, vice_bureau, division, section, none, default "none"'
        in out
    )
    assert "  places (where an answer's bodies are):\n    location: place (community)\n" in out
    assert 'at(place, "level"): the place of that level containing it' in out
    assert "resident" not in out


def test_features_lists_every_subject_and_derived_features_not(tmp_path: Path) -> None:
    code, out, _ = run("features")
    assert code == 0
    for subject in ("resident", "birth_case", "area", "unit", "district"):
        assert f"\n{subject}: " in f"\n{out}", subject
    assert "places (district)" in out  # an area's adjacent districts
    assert "derived from a rule" not in out


def test_features_json_is_complete() -> None:
    import jurisdiction
    from jurisdiction.language.expressions import FUNCTIONS

    code, out, _ = run("features", "--format", "json")
    assert code == 0
    report = json.loads(out)
    engine = jurisdiction.load()
    assert report["fingerprint"] == engine.policy.fingerprint
    assert report["functions"] == dict(FUNCTIONS)
    assert list(report["subjects"]) == list(engine.subjects)
    area = report["subjects"]["area"]
    features = {f["name"]: f for f in area["features"]}
    assert features["households"]["type"] == {"kind": "int", "min": 0, "max": 10000000}
    assert features["form"]["type"] == {"kind": "enum", "values": ["urban", "rural"]}
    assert features["blind_spot"] == {
        "name": "blind_spot",
        "type": {"kind": "bool"},
        "doc": "family-planning management is not in place, a blind spot (六)",
        "expr": "not area.management_in_place",
    }
    fields = {f["name"]: f for f in area["fields"]}
    assert fields["adjacent_districts"]["type"] == {"kind": "places", "levels": ["district"]}
    assert fields["urbanisation"]["default"] == "none"
    assert fields["community_organisation"]["derived_default"] is True
    assert fields["place"]["required"] is True
    places = {p["name"]: p for p in area["places"]}
    assert places["adjacent_districts"]["many"] is True
    assert places["managing_street"]["levels"] == ["street"]
    resident = report["subjects"]["resident"]
    assert {f["name"] for f in resident["fields"]} == set(engine.subjects["resident"].fields)
    assert resident["location"] == "residence"


def test_features_of_an_unknown_subject_exits_4_with_a_suggestion() -> None:
    code, out, err = run("features", "--subject", "resdent")
    assert code == 4
    assert out == ""
    assert "did you mean `resident`?" in err
