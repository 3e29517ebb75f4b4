"""Both languages, all the way (issue 9, item 8).

A decision rendered in Chinese carries no English: its notes, reasons, details, quotations and
labels are all given in both languages by the bundled policy, and the Chinese rendering takes
the Chinese of each. What may stay Latin in a Chinese rendering are identifiers a caseworker
looks up, not prose: rule ids, question ids, parameter names, the policy's name, its sha256
fingerprint, and the file of an overlay that decided.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

import jurisdiction
from jurisdiction.analysis.certificate import certificate
from jurisdiction.analysis.check import Checker
from jurisdiction.core.text import Text
from jurisdiction.testing.cases import Engines, case_files, run_file

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
EXAMPLE_OVERLAYS = ROOT / "examples" / "overlays"
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
_FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")


def _identifiers(policy: jurisdiction.Policy) -> list[str]:
    names = {policy.name, *policy.questions, *policy.parameters}
    names |= {r.id for q in policy.questions.values() for r in q.rules}
    # the rule a question answers with on a day it is not in force (policy.dated)
    names |= {f"{q}.not_in_force" for q in policy.questions}
    return sorted(names, key=len, reverse=True)  # a.b.c before a.b: strip the longest first


def _english_in(text: str, identifiers: Iterable[str], sources: Iterable[str]) -> list[str]:
    """The runs of three or more Latin letters left once identifiers are taken out."""
    text = _FINGERPRINT.sub(" ", text)
    for name in (*sources, *identifiers):
        text = re.sub(rf"(?<![A-Za-z0-9_.]){re.escape(name)}(?![A-Za-z0-9_])", " ", text)
    return _LATIN_WORD.findall(text)


def _offending_lines(
    decision: jurisdiction.Decision, identifiers: list[str]
) -> list[tuple[str, list[str]]]:
    out = []
    for line in decision.render("zh").splitlines():
        words = _english_in(line, identifiers, decision.sources)
        if words:
            out.append((line, words))
    return out


@pytest.fixture(scope="module")
def engine() -> jurisdiction.Engine:
    """The policy as the text stood (before later law ended some duties in 2016 and 2021): every
    class of every question answers with bodies, notes and reasons to render. The days after are
    rendered through tests/cases/over_time.yaml below."""
    return jurisdiction.load().at("2012-06-01")


@pytest.fixture(scope="module")
def witnesses(engine: jurisdiction.Engine) -> list[tuple[str, dict[str, Any]]]:
    checker = Checker(engine)
    findings = list(checker.all_findings())
    assert findings == []
    data = certificate(checker, findings)
    out = [
        (q["question"], cls["witness"])
        for q in data["questions"]
        for cls in q["classes"]
        if cls["outcome"] not in ("conflict", "error")
    ]
    assert len(out) > 1000  # every class of every question
    return out


def test_the_check_itself_finds_an_english_note(engine: jurisdiction.Engine) -> None:
    """The test below would fail if an English note came back: a note given as one plain
    (English) string is found, and the same decision with its bilingual note is clean."""
    identifiers = _identifiers(engine.policy)
    decision = engine.decide(
        {"kind": "unit", "category": "other_enterprise", "staff": 1000, "location": "120101002001"},
        "unit_management",
    )
    assert decision.notes, "this decision has a note to break"
    assert _offending_lines(decision, identifiers) == []
    english = dataclasses.replace(decision, notes=tuple(Text(n.en, n.en) for n in decision.notes))
    found = _offending_lines(english, identifiers)
    assert found
    assert any("exactly" in words for _line, words in found)
    # and identifiers are taken out only where they are whole names
    assert _english_in("see unit_management.district_by_staff", identifiers, ()) == ["see"]
    assert _english_in("unit_management.district_by_staffing", identifiers, ()) != []


def test_every_witness_renders_in_chinese_without_english(
    engine: jurisdiction.Engine, witnesses: list[tuple[str, dict[str, Any]]]
) -> None:
    identifiers = _identifiers(engine.policy)
    problems = []
    checked: set[tuple[str, tuple[str, ...]]] = set()  # a line checked once is checked for all
    for question, facts in witnesses:
        decision = engine.decide(facts, question)
        for line in decision.render("zh").splitlines():
            if (line, decision.sources) in checked:
                continue
            checked.add((line, decision.sources))
            words = _english_in(line, identifiers, decision.sources)
            if words:
                problems.append((question, line, words))
    assert len(checked) > 400  # every distinct line of thousands of decisions
    assert not problems, "\n".join(f"{q}: {words}: {line}" for q, line, words in problems[:20])


def test_every_case_renders_in_chinese_without_english_overlays_too() -> None:
    """The YAML cases include decisions an overlay changed: its title and notes are Chinese too."""
    engines = Engines()
    seen = overlaid = 0
    problems = []
    for path in case_files([CASES]):
        for result in run_file(engines, path):
            if result.decision is None or result.policy is None:
                continue
            seen += 1
            overlaid += bool(result.decision.sources)
            identifiers = _identifiers(result.policy)
            problems += [
                (result.id, line, words)
                for line, words in _offending_lines(result.decision, identifiers)
            ]
    assert seen > 100
    assert overlaid > 0
    assert not problems, "\n".join(f"{i}: {words}: {line}" for i, line, words in problems[:20])


def test_the_bundled_policy_gives_every_note_in_both_languages() -> None:
    """A plain-string note (allowed for a policy in one language) stands for both languages;
    the bundled policy and its example overlay write each note twice, and differently."""
    policy = jurisdiction.load(overlays=EXAMPLE_OVERLAYS).policy
    notes: list[tuple[str, Text]] = [
        (r.id, r.note) for q in policy.questions.values() for r in q.rules if r.note is not None
    ]
    notes += [(f"parameter {p.name}", p.note) for p in policy.parameters.values() if p.note]
    overlay_notes = [
        (f"overlay parameter {p.name}", p.note)
        for o in policy.overlays.values()
        for p in o.parameters.values()
        if p.note
    ]
    assert len(notes) >= 50
    assert len(overlay_notes) == 4
    for where, note in notes + overlay_notes:
        assert note.zh != note.en, f"{where}: the note is in one language only"
        assert re.search(r"[\u4e00-\u9fff]", note.zh), where
        # the Chinese is Chinese: any Latin in it is an identifier of the policy
        assert _english_in(note.zh, _identifiers(policy), ()) == [], (where, note.zh)
        # the English is English, beyond the Chinese it quotes
        assert len(_LATIN_WORD.findall(note.en)) >= 3, (where, note.en)


def test_a_plain_string_note_is_still_accepted_for_a_policy_in_one_language() -> None:
    policy = jurisdiction.load(ROOT / "examples" / "dog_licence").policy
    plain = [r.note for q in policy.questions.values() for r in q.rules if r.note is not None]
    assert plain
    assert all(n.zh == n.en for n in plain)


MARRIED_WOMAN = {
    "kind": "resident",
    "hukou": "120101001",
    "residence": "120104002",
    "sex": "female",
    "age": 30,
    "marital_status": "married",
}


def test_notes_are_bilingual_in_json_and_chinese_in_the_chinese_rendering(
    engine: jurisdiction.Engine,
) -> None:
    facts = {
        **MARRIED_WOMAN,
        "area": {
            "place": "120104002",
            "management_in_place": False,
            "blind_spot_cause": "affiliation_unclear",
        },
    }
    decision = engine.decide(facts, "contraceptives")
    (note,) = decision.to_dict()["notes"]
    assert set(note) == {"zh", "en"}
    assert "所属地保留第(二)条第四项的这项职责" in note["zh"]
    assert "the locality keeps this duty" in note["en"]
    assert jurisdiction.Decision.from_json(decision.to_json()) == decision
    zh, en = decision.render("zh"), decision.render("en")
    assert note["zh"] in zh
    assert note["en"] not in zh
    assert note["en"] in en


def test_each_citation_s_translation_sits_beside_its_chinese(engine: jurisdiction.Engine) -> None:
    decision = engine.decide(MARRIED_WOMAN, "social_maintenance_fee")
    assert len(decision.citations) == 2
    lines = decision.render("en").splitlines()
    for c in decision.citations:
        at = lines.index(f"  {c.cite.label('en')}: {c.quote.en}")
        assert lines[at + 1] == f"    ({c.cite.label('zh')}：{c.quote.zh})"  # full-width (20.8)
    zh = decision.render("zh")
    assert all(c.quote.en not in zh for c in decision.citations)


def test_the_document_title_is_not_quoted_as_the_text_s(engine: jurisdiction.Engine) -> None:
    """The source text has no title: the policy's is its own, and no rendering quotes it."""
    source = (ROOT / "docs" / "source" / "opinion.zh.txt").read_text(encoding="utf-8")
    title = engine.policy.document_title.zh
    assert title not in source
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"“{title}”" not in readme
    assert f"*{title}*" not in readme
    assert "The source text carries no title" in readme
    decision = engine.decide(
        {"kind": "unit", "category": "other_enterprise", "staff": 10, "location": "120101002001"},
        "unit_management",
    )
    for lang in ("zh", "en"):
        assert engine.policy.document_title[lang] not in decision.render(lang)


def test_a_text_refuses_to_be_searched_or_iterated_as_one_string() -> None:
    from jurisdiction.core.text import Text

    text = Text("恰为1000人", "exactly 1000")
    with pytest.raises(TypeError):
        _ = "1000" in text  # would loop forever through __getitem__ without the guard
    with pytest.raises(TypeError):
        list(text)
    assert "1000" in text.en


def test_the_bundled_policy_renders_the_reason_line_in_both_languages() -> None:
    """A not-applicable decision of the bundled policy says why, on its Reason (理由) line, in
    each language (dropping the line was caught only by the dog policy, in English)."""
    engine = jurisdiction.load()
    facts = {
        "kind": "resident",
        "hukou": "120101001",
        "residence": "120101001",  # not separated: (一) does not apply
        "sex": "female",
        "age": 31,
    }
    decision = engine.decide(facts, "first_child_certificate", as_of="2012-06-01")
    assert decision.outcome == "not_applicable"
    assert decision.reason is not None
    for lang, head in (("zh", "理由"), ("en", "Reason")):
        lines = decision.render(lang).splitlines()
        (line,) = [ln for ln in lines if ln.startswith(head)]
        assert line.endswith(decision.reason[lang])
        assert "120101001" in line  # the row's values in it
