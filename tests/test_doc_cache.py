"""The command line keeps a policy's documents (read from YAML, templates expanded) between runs
(``jurisdiction.policy.doc_cache``): a policy loaded from them is the policy loaded from its
files and decides every example alike; an edited file is read again, never served from the old
entry; a file someone else could have written, or whose payload does not match its digest, is
not believed (and is replaced)."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import jurisdiction
from jurisdiction.core.errors import JurisdictionError, Location
from jurisdiction.core.paths import bundled_policy_path
from jurisdiction.policy import doc_cache
from jurisdiction.policy.load import load_policy
from jurisdiction.policy.sources import _listing

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
EXAMPLE_POLICIES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "facts.yaml").exists())
DAYS = [datetime.date(2012, 6, 1), datetime.date(2026, 1, 1)]


class Reads:
    """Counts the documents composed from YAML (a miss) while it is installed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        composed = doc_cache._composed

        def counting(*args: Any) -> Any:
            self.count += 1
            return composed(*args)

        monkeypatch.setattr(doc_cache, "_composed", counting)


def _kept(directory: Path) -> list[Path]:
    return sorted((directory / "jurisdiction").glob("documents-*.json"))


def _answers(engine: jurisdiction.Engine, path: Path) -> list[Any]:
    """Every question of every fact set of the example, decided on two days, as JSON values."""
    value = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: list[Any] = []
    for facts in value if isinstance(value, list) else [value]:
        model = engine.parse_facts(facts)
        for question in engine.questions(engine.subject_of(model)):
            for day in DAYS:
                try:
                    out.append(engine.decide(model, question, as_of=day).to_dict())
                except JurisdictionError as exc:
                    out.append([type(exc).__name__, str(exc)])
    return out


def _overlays(path: Path) -> Path | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# overlays: "):
            return path.parent / line.removeprefix("# overlays: ").strip()
    return None


def test_every_example_decides_alike_from_kept_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = Reads(monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    plain = {p: jurisdiction.load(overlays=_overlays(p)) for p in EXAMPLES}
    assert reads.count == len(EXAMPLES)  # a library caller reads every time ...
    assert not (tmp_path / "jurisdiction").exists()  # ... and keeps nothing
    with doc_cache.keeping():
        jurisdiction.load()  # the first run composes and keeps them
        assert len(_kept(tmp_path)) == 1
        kept = {p: jurisdiction.load(overlays=_overlays(p)) for p in EXAMPLES}
    assert reads.count == len(EXAMPLES) + 1  # every later load read the kept documents
    for path in EXAMPLES:
        assert kept[path].policy == plain[path].policy
        assert kept[path].policy.fingerprint == plain[path].policy.fingerprint
        assert _answers(kept[path], path) == _answers(plain[path], path), path.name


@pytest.mark.parametrize("root", EXAMPLE_POLICIES, ids=[p.name for p in EXAMPLE_POLICIES])
def test_example_policies_load_alike_from_kept_documents(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = Reads(monkeypatch)
    plain = load_policy(root)
    with doc_cache.keeping(tmp_path):
        first = load_policy(root)
        second = load_policy(root)
    assert reads.count == 2  # the plain load and the first kept one; the second read the file
    assert first == plain
    assert second == plain
    assert second.files == plain.files
    assert second.digests == plain.digests


def _copy_of_bundled(tmp_path: Path) -> Path:
    root = tmp_path / "policy"
    shutil.copytree(bundled_policy_path(), root)
    for manifest in root.glob(".manifest"):
        manifest.unlink()
    return root


def test_an_edited_policy_file_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy_of_bundled(tmp_path)
    cache = tmp_path / "cache"
    reads = Reads(monkeypatch)
    with doc_cache.keeping(cache):
        before = load_policy(root)
        assert load_policy(root) == before
        assert reads.count == 1
        file = root / "policy.yaml"
        text = file.read_text(encoding="utf-8")
        assert f'version: "{before.version}"' in text
        was = file.stat()
        file.write_text(text.replace(f'version: "{before.version}"', 'version: "x"'), "utf-8")
        os.utime(file, ns=(was.st_atime_ns, was.st_mtime_ns))  # the bytes tell, not the time
        after = load_policy(root)
        assert reads.count == 2  # the same name, new bytes: composed again ...
        assert after.version == "x"
        assert after.fingerprint != before.fingerprint
        assert load_policy(root) == after
        assert reads.count == 2  # ... and kept in place of the old entry
    assert len(list(cache.iterdir())) == 1
    assert load_policy(root) == after  # as loaded without the cache


def test_a_changed_reader_does_not_read_the_old_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = Reads(monkeypatch)
    with doc_cache.keeping(tmp_path):
        load_policy(bundled_policy_path())
        monkeypatch.setattr(doc_cache, "FORMAT", doc_cache.FORMAT + 1)
        load_policy(bundled_policy_path())
    assert reads.count == 2


def _replaced(payload: bytes, old: bytes, new: bytes) -> bytes:
    assert old in payload
    return payload.replace(old, new, 1)


def _tamper(file: Path, change: Any) -> None:
    head, _, payload = file.read_bytes().partition(b"\n")
    head, payload = change(head, payload)
    file.write_bytes(head + b"\n" + payload)


@pytest.mark.parametrize(
    "change",
    [
        # a value changed, the digest beside it left as it was
        lambda head, payload: (head, _replaced(payload, b'"version":"1"', b'"version":"2"')),
        # the payload changed, with a digest that matches it: only the key can tell
        lambda head, payload: (
            json.dumps({**json.loads(head), "key": "0" * 64}).encode(),
            payload,
        ),
        # not JSON at all
        lambda head, payload: (head, payload[: len(payload) // 2]),
        lambda head, payload: (b"[]", payload),
    ],
    ids=["value", "key", "truncated", "header"],
)
def test_a_tampered_file_is_refused_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Any
) -> None:
    reads = Reads(monkeypatch)
    with doc_cache.keeping(tmp_path):
        plain = load_policy(bundled_policy_path())
        [file] = list(tmp_path.glob("documents-*.json"))
        _tamper(file, change)
        assert load_policy(bundled_policy_path()) == plain
        assert reads.count == 2  # refused: composed again, and kept anew
        assert load_policy(bundled_policy_path()) == plain
        assert reads.count == 2


def test_a_digest_that_matches_a_tampered_payload_is_still_checked_by_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = Reads(monkeypatch)
    with doc_cache.keeping(tmp_path):
        plain = load_policy(bundled_policy_path())
        [file] = list(tmp_path.glob("documents-*.json"))
        head, _, _payload = file.read_bytes().partition(b"\n")
        payload = b'{"not": "documents"}'
        fields = {**json.loads(head), "sha256": hashlib.sha256(payload).hexdigest()}
        file.write_bytes(json.dumps(fields).encode() + b"\n" + payload)
        assert load_policy(bundled_policy_path()) == plain
    assert reads.count == 2


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners are a POSIX notion")
def test_a_file_others_may_write_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = Reads(monkeypatch)
    with doc_cache.keeping(tmp_path):
        load_policy(bundled_policy_path())
        [file] = list(tmp_path.glob("documents-*.json"))
        file.chmod(file.stat().st_mode | stat.S_IWGRP)
        load_policy(bundled_policy_path())
        assert reads.count == 2
        os.chmod(tmp_path, 0o777)  # a directory everyone may write to is no cache
        file.unlink()
        load_policy(bundled_policy_path())
        load_policy(bundled_policy_path())
    assert reads.count == 4
    assert not list(tmp_path.glob("documents-*.json"))


def test_the_command_line_keeps_the_documents(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    argv = [
        sys.executable,
        "-c",
        "from jurisdiction.cli.entry import main; main()",
        "decide",
        str(ROOT / "examples" / "unit_1000_staff.yaml"),
        "-q",
        "unit_management",
        "--as-of",
        "2012-06-01",
        "--format",
        "json",
    ]
    first = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    assert _kept(tmp_path)
    second = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    assert json.loads(second.stdout) == json.loads(first.stdout)


def test_kept_documents_locate_every_path_as_the_composed_ones(tmp_path: Path) -> None:
    """Marks are made when asked for (``_KeptPaths``): every path of every file, its mark and
    its key's location, and a path that is not there, answer as the composed document does."""
    root = bundled_policy_path()
    composed = doc_cache.documents(root, _listing(root), str).docs
    documents, keys = doc_cache.encode(composed)
    kept = doc_cache.decode(json.loads(json.dumps(documents)), json.dumps(keys))
    for plain, back in zip(composed, kept, strict=True):
        assert dict(back.marks.items()) == dict(plain.marks.items())
        assert dict(back.keys.items()) == dict(plain.keys.items())
        assert len(back.marks) == len(plain.marks)
        for path, mark in plain.marks.items():
            assert back.marks[path] == mark
            assert back.marks[path].location.context == mark.location.context
            assert back.location((*path, "no such key", 7)) == plain.location(
                (*path, "no such key", 7)
            )
        assert ("no such key",) not in back.marks
        assert back.marks.get(("no such key",)) is None


def test_key_locations_are_read_only_when_one_is_asked_for() -> None:
    root = bundled_policy_path()
    composed = doc_cache.documents(root, _listing(root), str).docs
    documents, keys = doc_cache.encode(composed)
    unread = doc_cache.decode(json.loads(json.dumps(documents)), "not JSON: never parsed")
    assert [d.location(("questions",)) for d in unread] == [
        d.location(("questions",)) for d in composed
    ]
    path = next(p for p in composed[0].keys if p)
    assert unread[0].key_location(path) == composed[0].location(path)  # no key: at its value
    kept = doc_cache.decode(json.loads(json.dumps(documents)), json.dumps(keys))
    assert kept[0].key_location(path) == composed[0].key_location(path)


def test_a_name_that_would_make_path_keys_ambiguous_is_not_kept() -> None:
    from jurisdiction.policy.strict_yaml import LocatedDocument, Mark

    here = Mark(Location("f.yaml", 1, 1), None)
    for name in ["a\x1fb", "\x1e1"]:
        doc = LocatedDocument("f.yaml", {name: 1}, {(): here, (name,): here})
        with pytest.raises(TypeError):
            doc_cache.encode([doc])
