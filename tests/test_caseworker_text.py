"""Issue 20.8: the text a caseworker reads. `decide` prints no identifiers (question, value,
rule, parameter) unless asked with `--ids`, in either language; Chinese is set with full-width
punctuation, lists whose items hold 、 are separated by ；, a citation chain reads as Chinese
(依第(七)条，按第(二)条第四项), and (七)'s residence place is called 所属地 as (七) calls it.
JSON keeps every identifier."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from jurisdiction.cli.main import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BLIND = str(EXAMPLES / "blind_spot_resident.yaml")  # (七): the locality keeps (二)4
UNIT = str(EXAMPLES / "unit_1000_staff.yaml")


def _decide(*args: str) -> str:
    result = CliRunner().invoke(cli, ["decide", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_chinese_for_a_caseworker_has_no_identifiers_and_reads_as_chinese() -> None:
    text = _decide(BLIND, "-q", "contraceptives", "--lang", "zh", "--as-of", "2012-06-01")
    assert "contraceptives" not in text
    assert "适用规则" not in text
    assert "被排除的规则" not in text
    assert "参数" not in text
    assert "residence_fp_level" not in text
    assert "问题：谁提供免费避孕药具、开展生殖健康服务\n" in text
    assert "所属地（街道 鼓楼街道(120104002)，层级为本政策的解读）" in text
    assert "依第(七)条，按第(二)条第四项" in text
    assert "→" not in text
    assert "决定日期：2012-06-01（由调用方指定）" in text


def test_ids_are_shown_when_asked_in_both_languages() -> None:
    for lang, rules in (
        ("zh", "适用规则：contraceptives.affiliation_unclear"),
        ("en", "Rules applied: contraceptives.affiliation_unclear"),
    ):
        plain = _decide(BLIND, "-q", "contraceptives", "--lang", lang)
        shown = _decide(BLIND, "-q", "contraceptives", "--lang", lang, "--ids")
        assert "[contraceptives]" in shown
        assert "[contraceptives]" not in plain
        assert rules in shown
        assert rules not in plain
        assert "residence_fp_level" in shown
        assert "residence_fp_level" not in plain


def test_list_items_that_hold_a_comma_of_their_own_are_kept_apart() -> None:
    text = _decide(UNIT, "-q", "unit_guidance", "--lang", "zh")
    line = next(x for x in text.splitlines() if x.startswith("内容："))
    items = line.removeprefix("内容：").split("；")
    assert "提供计划生育宣传、药具和相关咨询服务" in items
    assert len(items) == 3


def test_json_keeps_every_identifier() -> None:
    (decision,) = json.loads(_decide(BLIND, "-q", "contraceptives", "--format", "json"))
    assert decision["question"] == "contraceptives"
    assert decision["rules_applied"] == ["contraceptives.affiliation_unclear"]
    assert decision["bodies"][0]["level_param"] == "residence_fp_level"
    assert decision["bodies"][0]["place"] == "locality"
