"""The command line keeps parsed conditions between runs (``jurisdiction.language.parse_cache``):
a kept tree is the tree parsing gives, a changed condition is parsed again, and a file that
someone else could have written, or that does not hold trees, is not believed."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from jurisdiction.language import conditions as _nodes
from jurisdiction.language import parse as _conditions
from jurisdiction.language import parse_cache as _parse_cache
from jurisdiction.language.parse import decode_tree, encode_tree, parse_expression, parser_digest

# one text for each kind of node, and a few of the bundled policy's
TEXTS = [
    "unit.staff >= param.unit_district_min_staff and not unit.in_city",
    'unit.category in ["other_enterprise", "state_owned"] or false',
    "if resident.age > 3 then resident.age + 1 else resident.age * 2",
    '-resident.age < count(resident.children) and at(resident.hukou, "district") != "1"',
    "resident.home.postcode == null",
    '[resident.age, 1] == [2, 1] and question.unit_management == "district"',
    "resident.code in resident.places",
    "a_definition",
    "param.x",
    "unit.staff >= 100\n  and unit.staff <= 1000",
    "as_of >= add_months(next_anniversary(unit.start, as_of), -1)",
    "any(person.family, m -> m.age >= 18) and lookup(table.quota, person.city) > 0",
]


def _fresh(text: str) -> _nodes.Node:
    """The tree of ``text`` parsed by lark, whatever is kept."""
    _conditions._PARSED.pop(text, None)
    return _conditions._parse_expression(text)


def _spans(node: _nodes.Node) -> list[object]:
    return [getattr(n, "span", None) for n in _nodes.walk(node)]


def test_every_node_class_is_kept_and_read_back_field_for_field() -> None:
    classes = {
        obj
        for obj in vars(_nodes).values()
        if isinstance(obj, type)
        and dataclasses.is_dataclass(obj)
        and obj.__module__ == _nodes.__name__
    }
    assert classes == {*_conditions._NODE_CLASSES.values(), _nodes.Span}
    for cls in _conditions._NODE_CLASSES.values():  # a span is kept as [line, column]
        assert [f.type for f in dataclasses.fields(cls) if f.name == "span"] == ["Span"]
    seen: set[type] = set()
    for text in TEXTS:
        tree = _fresh(text)
        data = json.loads(json.dumps(encode_tree(tree)))  # as it goes through the file
        back = decode_tree(data)
        assert back == tree
        assert _spans(back) == _spans(tree)  # spans do not take part in ==
        assert encode_tree(back) == data
        seen.update(type(n) for n in _nodes.walk(back))
        seen.update(type(getattr(n, "span", None)) for n in _nodes.walk(back))
    assert seen == classes


@pytest.mark.parametrize(
    "data",
    [
        {"": "Compare", "left": 1},  # a field missing
        {"": "IntConst", "value": 1, "span": [1, 1], "x": 2},
        {"": "os.system", "value": "true"},  # not a node class
        {"": "IntConst", "value": 1.5, "span": [1, 1]},
        {"": "IntConst", "value": None, "span": [1, 1]},
        {"": "IntConst", "value": 1, "span": [1]},
        {"": "IntConst", "value": 1, "span": [1, "1"]},
        {"": "IntConst", "value": 1, "span": {"": "Span", "line": 1, "column": 1}},
        ["IntConst", 1],
    ],
)
def test_data_that_encoding_would_not_give_is_refused(data: object) -> None:
    try:
        tree = decode_tree(data)
    except (ValueError, TypeError):
        return
    assert not isinstance(tree, _conditions._NODE_TYPES)  # what _kept refuses as well


def _kept_file(directory: Path) -> Path:
    (found,) = directory.glob("conditions-*.jsonl")
    return found


def _kept_trees(file: Path) -> dict[str, Any]:
    """The trees of a kept file by text: a line of its format and parser, then a line per text
    (the text as JSON, a tab, the tree as JSON)."""
    head, *lines = file.read_text(encoding="utf-8").split("\n")
    assert json.loads(head)["format"] == _parse_cache.FORMAT
    return {json.loads(k): json.loads(v) for k, _, v in (line.partition("\t") for line in lines)}


def _write_trees(file: Path, trees: dict[str, Any], raw: dict[str, str]) -> None:
    """Write ``trees`` in place of the file's (and for the texts of ``raw``, its text as the
    tree's JSON), under the file's own first line."""
    head = file.read_text(encoding="utf-8").split("\n")[0]
    written = {k: json.dumps(v) for k, v in trees.items()} | raw
    lines = [f"{json.dumps(k, ensure_ascii=False)}\t{v}" for k, v in written.items()]
    file.write_text("\n".join([head, *lines]), encoding="utf-8")


def _parse_all(directory: Path) -> dict[str, _nodes.Node]:
    for text in TEXTS:
        _conditions._PARSED.pop(text, None)
    with _parse_cache.persisting(directory):
        return {text: parse_expression(text) for text in TEXTS}


def _parses_from_lark(directory: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The texts parsed by lark (not found kept) in one run over TEXTS."""
    parsed: set[str] = set()
    real = _conditions._parse_expression

    def spy(text: str) -> _nodes.Node:
        parsed.add(text)
        return real(text)

    with monkeypatch.context() as patch:
        patch.setattr(_conditions, "_parse_expression", spy)
        trees = _parse_all(directory)
    assert trees == {text: _fresh(text) for text in TEXTS}
    return parsed


pytestmark = pytest.mark.skipif(not _parse_cache._SUPPORTED, reason="no private cache here")


def test_a_second_run_reads_every_tree_and_parses_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert parser_digest() is not None
    assert _parses_from_lark(tmp_path, monkeypatch) == set(TEXTS)
    assert stat.S_IMODE(tmp_path.stat().st_mode) & 0o022 == 0
    assert stat.S_IMODE(_kept_file(tmp_path).stat().st_mode) == 0o600
    assert _parses_from_lark(tmp_path, monkeypatch) == set()


def test_a_changed_text_is_parsed_again(tmp_path: Path) -> None:
    _parse_all(tmp_path)
    changed = TEXTS[0].replace(">=", "> ")  # one byte
    _conditions._PARSED.pop(changed, None)
    with _parse_cache.persisting(tmp_path):
        tree = parse_expression(changed)
    assert isinstance(tree, _nodes.And)
    first = tree.items[0]
    assert isinstance(first, _nodes.Compare)
    assert first.op == ">"
    assert changed in _kept_trees(_kept_file(tmp_path))


@pytest.mark.parametrize("mode", [0o620, 0o602])
def test_a_file_others_may_write_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    _parse_all(tmp_path)
    _kept_file(tmp_path).chmod(mode)
    assert _parses_from_lark(tmp_path, monkeypatch) == set(TEXTS)


def test_a_directory_others_may_write_is_neither_read_nor_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _parse_all(tmp_path)
    kept = _kept_file(tmp_path)
    before = kept.read_bytes()
    tmp_path.chmod(0o777)
    try:
        assert _parses_from_lark(tmp_path, monkeypatch) == set(TEXTS)
        assert kept.read_bytes() == before
        assert [p.name for p in tmp_path.iterdir()] == [kept.name]
    finally:
        tmp_path.chmod(0o700)


def test_a_group_writable_directory_is_the_users_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a umask of 002 makes it: the checks on the file decide."""
    tmp_path.chmod(0o770)
    try:
        _parse_all(tmp_path)
        assert _parses_from_lark(tmp_path, monkeypatch) == set()
    finally:
        tmp_path.chmod(0o700)


def test_a_link_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    _parse_all(cache)
    kept = _kept_file(cache)
    elsewhere = kept.rename(tmp_path / "elsewhere.json")
    kept.symlink_to(elsewhere)
    assert _parses_from_lark(cache, monkeypatch) == set(TEXTS)


def test_a_file_of_another_user_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _parse_all(tmp_path)
    try:
        os.chown(_kept_file(tmp_path), os.getuid() + 1, -1)
    except PermissionError:
        pytest.skip("only root gives a file away")
    assert _parses_from_lark(tmp_path, monkeypatch) == set(TEXTS)


def test_a_tampered_entry_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _parse_all(tmp_path)
    kept = _kept_file(tmp_path)
    trees = _kept_trees(kept)
    trees[TEXTS[0]] = {"": "BoolConst", "value": True}  # no span: not a tree
    _write_trees(kept, trees, {TEXTS[1]: "{not json"})  # not JSON at all
    assert _parses_from_lark(tmp_path, monkeypatch) == {TEXTS[0], TEXTS[1]}


def test_a_file_that_is_not_json_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _parse_all(tmp_path)
    _kept_file(tmp_path).write_bytes(b"\x80not json")
    assert _parses_from_lark(tmp_path, monkeypatch) == set(TEXTS)
    assert _parses_from_lark(tmp_path, monkeypatch) == set()


def test_a_fifo_in_place_of_the_file_is_not_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _parse_all(tmp_path)
    kept = _kept_file(tmp_path)
    kept.unlink()
    os.mkfifo(kept, 0o600)
    assert _parses_from_lark(tmp_path, monkeypatch) == set(TEXTS)  # returns: nothing blocked
    assert kept.is_file()  # and a file replaced it


def test_the_cache_directory_follows_xdg_and_needs_a_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _parse_cache.cache_directory() == tmp_path / "jurisdiction"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # ignored, as the spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _parse_cache.cache_directory() == tmp_path / "home" / ".cache" / "jurisdiction"

    # no home directory: `~` cannot be expanded (no HOME, no password entry)
    monkeypatch.delenv("HOME")
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    assert _parse_cache.cache_directory() is None
    with _parse_cache.persisting():
        assert _parse_cache.active() is None  # nothing kept, and nothing fails


def test_only_the_texts_asked_for_are_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _parse_all(tmp_path)
    kept = _kept_file(tmp_path)
    others = {f"unit.staff >= {n}": "{never decoded" for n in range(_parse_cache.MAX_ENTRIES // 2)}
    _write_trees(kept, _kept_trees(kept), others)
    decoded: list[str] = []
    real = _parse_cache.json.loads

    def counting(data: Any, *args: Any, **kwargs: Any) -> Any:
        decoded.append(data)
        return real(data, *args, **kwargs)

    monkeypatch.setattr(_parse_cache.json, "loads", counting)
    assert _parses_from_lark(tmp_path, monkeypatch) == set()  # every text found kept
    assert len(decoded) == 1 + len(set(TEXTS))  # the first line, and each text asked for once
    assert len(_kept_trees_raw(kept)) == len(set(TEXTS)) + len(others)  # nothing new: as it was


def _kept_trees_raw(file: Path) -> list[str]:
    return file.read_text(encoding="utf-8").split("\n")[1:]
