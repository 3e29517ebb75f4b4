"""The engine's source holds no domain: every word of the bundled policy lives in the policy.

The bundled policy declares its facts (``policies/facts.yaml``): subjects, fields, enums,
features, place references, the place hierarchy, bodies and roles. None of those words may appear
in the engine's source — not in code, and not in docstrings, comments, help texts or messages
either — nor any CJK character, nor a hard-coded rule of the bundled policy's place codes. The
one exception is ``models.py``, generated from the bundled policy (``jurisdiction models``).

A few words of the policy are also the engine's own vocabulary; ``ALLOWED`` lists them, each with
the reason it may stay. Everything else that matches is a leak: rewrite it generically.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import jurisdiction
from jurisdiction.policy.fact_models import class_name

SRC = Path(jurisdiction.__file__).resolve().parent
GENERATED = {"models.py"}

ALLOWED: dict[str, str] = {
    # the engine's own concepts, which the bundled policy happens to use as names too
    "rules": "the engine's rules (a role of the bundled policy is also called `rules`)",
    "responsible": "the engine's outcome `responsible` (Outcome, Decision), also a role's name",
    "district": (
        "the overlay concept: Overlay.district, Engine.district_of, overlays/<district>.yaml and "
        "the stable code `overlay-district` (the overlays are keyed by the hierarchy's "
        "`overlays` level, whatever its name)"
    ),
    "city": (
        "the stable diagnostic code `city-parameter` (docs/errors.md), and the engine's name for "
        "the policy-wide parameter values beside an overlay's (a slot of engine/engine.py)"
    ),
    "section": "a section of a policy file, and the stable code `overlay-section`",
    "level": "the place hierarchy's levels, and the expression function level()",
    "form": "the place hierarchy's forms, and the expression function form()",
    "place": "place codes and place references are the engine's vocabulary",
    "code": "place codes, and the stable codes of diagnostics",
    "location": "a source location (file:line:col), and a subject's `location` declaration",
    # plain English and Python
    "unit": "a unit of time: sqlglot's `unit=` of DATE_ADD and DATE_DIFF (batch/sql_vocabulary.py)",
    "other": "plain English ('another', 'the other rule')",
    "uses": "plain English ('a condition uses a definition')",
    "none": "Python's None",
    "category": "the standard library's unicodedata.category",
}
"""Words of the bundled policy the engine's source may use, each with its reason."""

ALLOWED_CJK: dict[str, tuple[str, str]] = {
    "core/text.py": (
        "零一二三四五六七八九十百第条款项是否（）",
        "Chinese numerals, the 第(N)条第M项 form of a citation and a statute's "
        "第N条第M款第（K）项, and 是/否 for a true/false value: "
        "zh is one of the engine's two output languages, for any policy",
    ),
    "engine/decision.py": (
        "问题结论负责机构理由内容依据适用规则被排除的说明政策指纹取值决定日期调方自案件事实当文本来源其后法律施行概述非原确程度基不层级为解读参数、他与未满足条件按：，；（）",
        "the zh headings of a rendered decision (beside the en ones), the words that say a "
        "level is the policy's reading, 依…，按… of a citation chain and full-width punctuation "
        "(issue 20.8), for any policy",
    ),
    "cli/main.py": ("依据", "the zh label of the articles a question rests on, beside the en one"),
    "service/page/page.js": (
        "中文提问条题判定访令牌使用政策指纹依据结论负责机构职引理由说明所本的规则无是否未填事实有误服务拒绝项以逗号分隔区划代码不适被排除编第（）：",
        "the caseworker page's own labels in zh (beside the en ones), for any policy; every word "
        "of the policy on the page comes from the service",
    ),
    "analysis/explain.py": (
        "、下不以件任何依值其决况则及取变在定情成据排改明最条用的立结被规论说近适逐都除（），：",
        "the zh words of a rendered explanation (fired, overridden by, nearest change…) beside "
        "the en ones, and full-width punctuation (issue 20.8), for any policy",
    ),
    "policy/dated.py": (
        "自起施行本项职责不再适用代之以问题的期间为，：；",
        "the zh words of time (from, until, in force, ended, replaced by) in the decisions of any "
        "policy that dates what it answers",
    ),
    "policy/dating.py": (
        "至自起始终止代之以",
        "the zh words of a period of force and of an ended duty (from, until, always, ended, "
        "replaced by), for any policy that dates what it answers",
    ),
    "analysis/check.py": (
        "。，、；：？！《》（）【】",
        "full-width punctuation, ignored when a lint compares zh article text, for any policy",
    ),
}
"""Files that may hold CJK characters (only these characters), and why."""

KNOWN_LEAKS: dict[tuple[str, str], str] = {}
"""Leaks found and not yet fixed: the test of that file and kind is expected to fail (strictly:
once fixed, the entry must go)."""

CJK = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
)  # with CJK and full-width punctuation
CODE_RULES = [
    re.compile(r"(?<![0-9A-Za-z_.])120[0-9]*(?![0-9])"),  # the bundled city's code prefix
    re.compile(r"\b(?:6|9|12)[- ]?(?:digit|character)s?\b", re.I),
    re.compile(r"\b(?:6|9|12)\b[^\n]{0,40}\bdigits\b", re.I),
]


def _policy_words() -> dict[str, str]:
    """Every name the bundled policy declares, with what it is."""
    engine = jurisdiction.load()
    policy = engine.policy
    assert policy.facts is not None
    words: dict[str, str] = {}

    def add(name: str, what: str) -> None:
        words.setdefault(name.lower(), what)
        if "_" in name:
            words.setdefault(name.replace("_", " ").lower(), what)
            words.setdefault(class_name(name).lower(), what)

    for subject in engine.subjects.values():
        add(subject.name, "subject")
        names = [
            *((n, "field") for n in subject.fields),
            # not the features a rule derived, named by their expression
            *((n, "feature") for n in subject.features if n.isidentifier()),
            *((n, "place reference") for n in subject.places),
        ]
        for name, what in names:
            add(name, f"{what} of {subject.name}")
    for enum, values in policy.facts.enums.items():
        add(enum, "enum")
        for value in values:
            add(value, f"value of enum {enum}")
    for name in policy.bodies:
        add(name, "body")
    for name in policy.vocabulary.roles:
        add(name, "role")
    hierarchy = policy.hierarchy
    for name in hierarchy.names:
        add(name, "level of the place hierarchy")
    for form in hierarchy.forms:
        add(form, "form of a place")
    for level in hierarchy.levels:
        for r in level.ranges:
            add(r.klass, f"class of {level.name} codes")
    return words


WORDS = _policy_words()


def _name(path: Path) -> str:
    """A source file's path inside the package, as the tables above name it."""
    return path.relative_to(SRC).as_posix()


_SCANNED = (".py", ".pyi", ".html", ".js", ".css")
"""The package's source files: Python, and the caseworker page the service ships."""


def _sources() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*")):
        if path.is_file() and path.suffix in _SCANNED and path.name not in GENERATED:
            yield path


def _cases(kind: str) -> list[object]:
    return [
        pytest.param(
            path,
            id=_name(path),
            marks=[pytest.mark.xfail(reason=KNOWN_LEAKS[_name(path), kind], strict=True)]
            if (_name(path), kind) in KNOWN_LEAKS
            else [],
        )
        for path in _sources()
    ]


def _word_hits(text: str) -> Iterator[tuple[int, str]]:
    for word in WORDS:
        if word in ALLOWED:
            continue
        pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", re.I)
        for match in pattern.finditer(text):
            yield text.count("\n", 0, match.start()) + 1, word


def test_the_policy_declares_the_words_the_test_looks_for() -> None:
    # the test is only as good as its word list: it must hold the policy's names
    assert {"resident", "birth_case", "hukou", "woman_hukou", "female", "street_office"} <= set(
        WORDS
    )
    assert len(WORDS) > 100


def test_every_allowed_word_is_a_word_of_the_policy_and_is_used() -> None:
    # an allowlist entry that no longer matches anything must go
    text = "\n".join(p.read_text(encoding="utf-8") for p in _sources())
    for word in ALLOWED:
        assert word in WORDS, f"{word!r} is no word of the bundled policy: drop it from ALLOWED"
        pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", re.I)
        assert pattern.search(text), f"{word!r} is used nowhere: drop it from ALLOWED"


@pytest.mark.parametrize("path", _cases("words"))
def test_no_word_of_the_policy_in_the_engine(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    leaks = [f"{_name(path)}:{line}: {word} ({WORDS[word]})" for line, word in _word_hits(text)]
    assert leaks == [], "\n".join(leaks)


@pytest.mark.parametrize("path", _cases("cjk"))
def test_no_cjk_in_the_engine(path: Path) -> None:
    allowed, _reason = ALLOWED_CJK.get(_name(path), ("", ""))
    assert all(CJK.search(c) for c in allowed)
    text = path.read_text(encoding="utf-8")
    leaks = [
        f"{_name(path)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group()}"
        for m in CJK.finditer(text)
        if m.group() not in allowed
    ]
    assert leaks == [], "\n".join(leaks)


@pytest.mark.parametrize("path", _cases("codes"))
def test_no_rule_of_the_bundled_codes_in_the_engine(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    leaks = [
        f"{_name(path)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group()}"
        for pattern in CODE_RULES
        for m in pattern.finditer(text)
    ]
    assert leaks == [], "\n".join(leaks)


def test_the_generated_module_is_the_only_exception() -> None:
    # the scan does cover the package, and the generated module does hold the policy's words
    names = {_name(p) for p in _sources()}
    assert {"__init__.py", "engine/engine.py", "cli/main.py", "policy/codegen.py"} <= names
    assert {"service/page/index.html", "service/page/page.js", "service/page/page.css"} <= names
    assert "models.py" not in names
    models = (SRC / "models.py").read_text(encoding="utf-8")
    assert list(_word_hits(models))
    assert CJK.search(models)


def test_the_scan_finds_what_it_looks_for() -> None:
    # each detector fires on a leak of its kind, so a pass means something
    found = {w for _, w in _word_hits("the Resident's woman hukou, a BirthCase")}
    assert found == {"resident", "woman hukou", "hukou", "birthcase"}
    assert not list(_word_hits("hukou_like_name and a residential place"))
    assert CJK.search("a body (负责机构)")
    leaks = ["'120104'", "codes of 9 digits", "a 12-digit code", "6 (district) digits"]
    for leak in leaks:
        assert any(p.search(leak) for p in CODE_RULES), leak
    assert not any(p.search("a code of 16 characters, or 2120") for p in CODE_RULES)
