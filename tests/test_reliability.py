"""Issue 12: nothing bad gets through and nothing good is lost.

The fingerprint names the bytes parsed; numbers mean what they say; every bad input is a located
JurisdictionError (the inputs reported against earlier versions are kept in tests/corpus/, and
hypothesis generates more); errors and engines survive pools and forks.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import hashlib
import multiprocessing
import os
import pickle
import shutil
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jurisdiction
from jurisdiction.cli.main import cli
from jurisdiction.policy import sources as _sources
from jurisdiction.policy.facts_files import read_facts_file
from jurisdiction.policy.load import load_policy
from policy_files import BASE, EXAMPLE_OVERLAY, FIXTURES, bundled_copy, compose

CORPUS = Path(__file__).parent / "corpus"
ENGINE = jurisdiction.load()
SEPARATED = {
    "kind": "resident",
    "hukou": "120101001",
    "residence": "120104002",
    "sex": "female",
    "age": 31,
}
EXIT_CODES = {0, 3, 4, 5}
TIME_BOUND = 10.0  # seconds any one input may take, load and check included


# --- one read, one hash -----------------------------------------------------------------------


def test_the_fingerprint_names_the_bytes_parsed_even_if_a_file_is_replaced_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = compose(tmp_path / "policy")
    expected = load_policy(root).fingerprint
    real = _sources._validate

    def replace_then_validate(docs: Any) -> Any:
        rules = root / "rules.yaml"  # an atomic replacement, after the files were read
        rules.write_text(rules.read_text(encoding="utf-8") + "# other\n", encoding="utf-8")
        return real(docs)

    monkeypatch.setattr("jurisdiction.policy.load._validate", replace_then_validate)
    assert load_policy(root).fingerprint == expected


def test_a_manifest_refuses_a_file_that_differs(tmp_path: Path) -> None:
    root = compose(tmp_path / "policy", FIXTURES / "overlay-value")
    shutil.rmtree(root / "overlays")
    result = CliRunner().invoke(cli, ["check", str(root), "--write-manifest"])
    assert result.exit_code == 0, result.output
    manifest = (root / ".manifest").read_text(encoding="utf-8")
    rules = (root / "rules.yaml").read_bytes()
    assert f"{hashlib.sha256(rules).hexdigest()}  rules.yaml\n" in manifest
    load_policy(root)  # verified and equal
    (root / "rules.yaml").write_bytes(rules + b"# half-written\n")
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (diagnostic,) = err.value.diagnostics
    assert diagnostic.code == "manifest"
    assert diagnostic.location == jurisdiction.Location(str(root / "rules.yaml"), 1, 1)
    (root / "extra.yaml").write_text("{}\n", encoding="utf-8")
    (root / "rules.yaml").write_bytes(rules)
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    assert [d.message for d in err.value.diagnostics] == [
        "`extra.yaml` is not listed in the manifest"
    ]


@pytest.mark.parametrize(
    "where", ["overlays/120104.yml", "Overlays/120104.yaml", "overlays/old/120104.yaml", "x.yml"]
)
def test_a_file_that_would_be_ignored_is_refused(tmp_path: Path, where: str) -> None:
    root = bundled_copy(tmp_path / "policy")
    target = root / where
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE_OVERLAY, target)
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    assert set(err.value.codes) == {"unexpected-file"}
    assert any(Path(d.location.file).name in where for d in err.value.diagnostics if d.location)


def test_a_callers_overlay_folder_is_listed_as_strictly(tmp_path: Path) -> None:
    folder = tmp_path / "overlays"
    folder.mkdir()
    shutil.copy(EXAMPLE_OVERLAY, folder / "120104.yaml")
    (folder / "120105.yml").write_text("overlay: {district: '120105'}\n", encoding="utf-8")
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(overlays=folder)
    assert list(err.value.codes) == ["unexpected-file"]
    assert err.value.diagnostics[0].location is not None
    assert err.value.diagnostics[0].location.file.endswith("120105.yml")
    (folder / "120105.yml").unlink()
    engine = jurisdiction.load(overlays=folder)
    assert set(engine.policy.overlays) == {"120104"}
    with pytest.raises(jurisdiction.PolicyError) as missing:
        jurisdiction.load(overlays=tmp_path / "nowhere")
    assert list(missing.value.codes) == ["overlay-district"]


def test_the_callers_overlays_are_in_the_fingerprint_and_survive_pickling(tmp_path: Path) -> None:
    folder = tmp_path / "overlays"
    folder.mkdir()
    shutil.copy(EXAMPLE_OVERLAY, folder / "120104.yaml")
    plain, with_overlay = jurisdiction.load(), jurisdiction.load(overlays=folder)
    assert plain.policy.fingerprint != with_overlay.policy.fingerprint
    again = pickle.loads(pickle.dumps(with_overlay))
    assert again.policy.fingerprint == with_overlay.policy.fingerprint
    assert set(again.policy.overlays) == {"120104"}


def test_non_regular_files_and_escaping_links_are_refused_before_reading(tmp_path: Path) -> None:
    root = compose(tmp_path / "policy")
    (root / "dir.yaml").mkdir()
    with pytest.raises(jurisdiction.PolicyError, match="this folder would be ignored"):
        load_policy(root)
    (root / "dir.yaml").rmdir()
    (root / "zero.yaml").symlink_to("/dev/zero")
    with pytest.raises(jurisdiction.PolicyError, match="not followed"):
        load_policy(root)
    (root / "zero.yaml").unlink()
    outside = tmp_path / "secret.yaml"
    outside.write_text("policy: {name: secret}\n", encoding="utf-8")
    (root / "link.yaml").symlink_to(outside)
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    assert "secret" not in str(err.value).replace(str(outside), "")
    (root / "link.yaml").unlink()
    os.mkfifo(root / "pipe.yaml")
    started = time.monotonic()
    with pytest.raises(jurisdiction.PolicyError, match="not a regular file"):
        load_policy(root)
    assert time.monotonic() - started < 5
    facts = tmp_path / "zero.yaml"
    facts.symlink_to("/dev/zero")
    with pytest.raises(jurisdiction.FactsError, match="not a regular file"):
        read_facts_file(facts)


# --- numbers mean what they say -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("octal.yaml", "yaml-scalar"),
        ("base60.yaml", "yaml-scalar"),
        ("yes.yaml", "yaml-scalar"),
        ("bool_age.yaml", "valid integer"),
        ("string_age.yaml", "valid integer"),
        ("float_age.yaml", "valid integer"),
        ("octal.json", "not JSON"),
        ("bool.json", "valid integer"),
        ("nan.json", "not JSON"),
        ("duplicate.json", "duplicate key"),
        ("huge_int.yaml", "limit"),
        ("deep.yaml", "limit"),
        ("deep.json", "nested"),
        ("tag.yaml", "yaml-tag"),
        ("python_name.yaml", "yaml-tag"),
        ("kind_list.yaml", "`kind` must be one of"),
    ],
)
def test_reported_facts_are_refused_with_exit_4(name: str, says: str) -> None:
    result = CliRunner().invoke(cli, ["decide", str(CORPUS / "facts" / name)])
    assert result.exit_code == 4, result.output
    assert says in result.output
    assert "Traceback" not in result.output


def test_a_missing_facts_file_exits_4(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["decide", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 4
    assert "no such facts file" in result.output


def test_yaml_12_reads_plain_numbers_and_booleans_as_written() -> None:
    from jurisdiction.policy.strict_yaml import parse_yaml

    value = parse_yaml("a: 100\nb: true\nc: 0x10\nd: 2020-01-01\ne: '0100'\n", "f").value
    assert value == {"a": 100, "b": True, "c": 16, "d": "2020-01-01", "e": "0100"}


def test_when_yes_in_a_policy_is_an_error_not_true(tmp_path: Path) -> None:
    root = compose(tmp_path / "policy")
    text = (root / "rules.yaml").read_text(encoding="utf-8")
    (root / "rules.yaml").write_text(text.replace("when: adult", "when: yes", 1), encoding="utf-8")
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    assert err.value.codes == ("yaml-scalar",)


# --- no traceback, ever ---------------------------------------------------------------------------

_CONDITIONS = (CORPUS / "conditions" / "reported.txt").read_text(encoding="utf-8").splitlines()


def _with_condition(root: Path, condition: str) -> Path:
    text = (BASE / "rules.yaml").read_text(encoding="utf-8")
    quoted = "'" + condition.replace("'", "''") + "'"
    (root / "rules.yaml").write_text(text.replace("when: adult", f"when: {quoted}", 1), "utf-8")
    return root


def _only_our_errors(root: Path) -> None:
    """load, check and decide on a policy directory: nothing but JurisdictionError, in time."""
    started = time.monotonic()
    try:
        policy = load_policy(root, strict=False)
        list(jurisdiction.check(policy))
        engine = jurisdiction.Engine(policy)
        for question in engine.questions():
            with contextlib.suppress(jurisdiction.JurisdictionError):
                engine.decide(SEPARATED, question)
    except jurisdiction.JurisdictionError:
        pass
    assert time.monotonic() - started < TIME_BOUND


@pytest.mark.parametrize("condition", _CONDITIONS, ids=lambda c: c[:24])
def test_reported_conditions_are_located_errors(tmp_path: Path, condition: str) -> None:
    root = _with_condition(compose(tmp_path / "policy"), condition)
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    assert all(d.location is not None for d in err.value.diagnostics)
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 3, result.output


def test_certificate_into_a_missing_folder_is_refused_before_the_check(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--certificate", str(tmp_path / "no" / "c.json")])
    assert result.exit_code == 2
    assert "no folder" in result.output


_YAMLISH = st.lists(
    st.sampled_from([*"ab01 :-[]{}\n\"'!&*#|>.,?%@`~\\é", "yes", "0100", "!!int", "  - "]),
    max_size=40,
).map("".join)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=_YAMLISH, cut=st.integers(0, 4000), insert=st.booleans())
def test_fuzzed_policy_text_gives_only_our_errors(
    tmp_path_factory: pytest.TempPathFactory, text: str, cut: int, insert: bool
) -> None:
    root = compose(tmp_path_factory.mktemp("fuzz") / "policy")
    rules = (root / "rules.yaml").read_text(encoding="utf-8")
    cut = min(cut, len(rules))
    mutated = rules[:cut] + text + (rules[cut:] if insert else "")
    (root / "rules.yaml").write_text(mutated, encoding="utf-8")
    _only_our_errors(root)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=_YAMLISH, suffix=st.sampled_from([".yaml", ".json"]), prefix=st.booleans())
def test_fuzzed_facts_text_gives_only_our_errors(
    tmp_path_factory: pytest.TempPathFactory, text: str, suffix: str, prefix: bool
) -> None:
    head = "kind: resident\nhukou: '120101001'\nresidence: '120104002'\nsex: female\n"
    path = tmp_path_factory.mktemp("facts") / f"f{suffix}"
    path.write_text((head if prefix else "") + text, encoding="utf-8")
    started = time.monotonic()
    try:
        value = read_facts_file(path).value
        for item in value if isinstance(value, list) else [value]:
            ENGINE.decide_all(item)
    except jurisdiction.JurisdictionError:
        pass
    assert time.monotonic() - started < TIME_BOUND


def test_the_cli_on_the_whole_corpus_exits_with_documented_codes() -> None:
    runner = CliRunner()
    for path in sorted((CORPUS / "facts").iterdir()):
        result = runner.invoke(cli, ["decide", str(path)])
        assert result.exit_code in EXIT_CODES, (path, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), path


# --- API edges --------------------------------------------------------------------------------


def test_bad_api_arguments_raise_typed_errors() -> None:
    decision = ENGINE.decide(SEPARATED, "first_child_certificate")
    with pytest.raises(jurisdiction.FactsError):
        ENGINE.decide(SEPARATED, None)  # type: ignore[arg-type]
    with pytest.raises(jurisdiction.FactsError):
        decision.render("fr")  # type: ignore[arg-type]
    with pytest.raises(jurisdiction.FactsError):
        jurisdiction.Decision.from_json("{}")
    with pytest.raises(jurisdiction.PolicyError):
        jurisdiction.load(123)  # type: ignore[arg-type]


def test_a_model_copied_with_a_bad_value_never_reaches_an_evaluator() -> None:
    facts = ENGINE.parse_facts(SEPARATED)
    with pytest.raises(jurisdiction.FactsError, match="age"):
        facts.model_copy(update={"age": "30"})
    with pytest.raises(jurisdiction.FactsError):
        type(facts).model_construct(kind="resident", age=True)
    older = facts.model_copy(update={"age": 60})
    assert older.age == 60  # type: ignore[attr-defined]
    assert ENGINE.decide(older, "second_child_approval") == ENGINE.decide(
        {**SEPARATED, "age": 60}, "second_child_approval"
    )


# --- pools and forks --------------------------------------------------------------------------


def test_every_error_pickles_to_an_equal_one() -> None:
    where = jurisdiction.Location("f.yaml", 3, 4)
    errors = [
        jurisdiction.PolicyError.single("schema", "bad", where, "good"),
        jurisdiction.FactsError("bad facts", source="f.yaml"),
        jurisdiction.ConflictError("q", [("a", "(一)", where), ("b", "(二)", None)]),
        jurisdiction.EvaluatorError("gone"),
        jurisdiction.JurisdictionError("root"),
    ]
    for error in errors:
        back = pickle.loads(pickle.dumps(error))
        assert back == error
        assert str(back) == str(error)


def _conflict_engine(tmp_path: Path) -> tuple[jurisdiction.Engine, dict[str, Any], str]:
    import yaml

    root = compose(tmp_path / "policy", FIXTURES / "overlap")
    expect = yaml.safe_load((FIXTURES / "overlap" / "expect.yaml").read_text(encoding="utf-8"))
    engine = jurisdiction.load(root)
    finding = next(f for f in jurisdiction.check(engine.policy) if f.code == "overlap")
    assert expect["check"]
    facts = finding.witness_data()
    assert facts is not None
    assert finding.question is not None
    return engine, facts, finding.question


def _decide(engine: jurisdiction.Engine, facts: dict[str, Any], question: str) -> Any:
    return engine.decide(facts, question)


def test_a_pool_worker_raising_a_conflict_returns_it(tmp_path: Path) -> None:
    engine, facts, question = _conflict_engine(tmp_path)
    with pytest.raises(jurisdiction.ConflictError) as here:
        engine.decide(facts, question)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pending = pool.apply_async(_decide, (engine, facts, question))  # the engine pickles
        with pytest.raises(jurisdiction.ConflictError) as there:
            pending.get(timeout=120)
    assert there.value == here.value


def test_an_engine_is_not_pickled_from_a_policy_that_changed(tmp_path: Path) -> None:
    root = compose(tmp_path / "policy")
    engine = jurisdiction.load(root)
    data = pickle.dumps(engine)
    assert pickle.loads(data).policy.fingerprint == load_policy(root).fingerprint
    with (root / "rules.yaml").open("a", encoding="utf-8") as f:
        f.write("# changed\n")
    assert pickle.loads(data).policy.fingerprint == engine.policy.fingerprint  # its own bytes
    with pytest.raises(jurisdiction.PolicyError) as err:
        pickle.dumps(engine)
    assert err.value.codes == ("manifest",)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_forks_during_durable_decisions_all_finish() -> None:
    engine = jurisdiction.load(evaluator="durable")
    expected = engine.decide(SEPARATED, "first_child_certificate")
    stop = threading.Event()

    def decide_forever() -> None:
        while not stop.is_set():
            engine.decide(SEPARATED, "first_child_certificate")

    threads = [threading.Thread(target=decide_forever) for _ in range(4)]
    for t in threads:
        t.start()
    children = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: on purpose
            for _ in range(30):
                pid = os.fork()
                if pid == 0:  # the child: one durable decision, then out
                    ok = engine.decide(SEPARATED, "first_child_certificate") == expected
                    os._exit(0 if ok else 1)
                children.append(pid)
    finally:
        stop.set()
        for t in threads:
            t.join()
    deadline = time.monotonic() + 60
    statuses = {}
    while children and time.monotonic() < deadline:
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                statuses[pid] = status
                children.remove(pid)
        time.sleep(0.01)
    for pid in children:  # a hung child: stop it, and fail
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    assert not children, f"{len(children)} of 30 forked children hung"
    assert all(os.waitstatus_to_exitcode(s) == 0 for s in statuses.values())


def _rss_mb() -> float:
    """The process's resident memory, after glibc has handed its free heap pages back (so a
    suite worker's fragmented arenas, not a leak, do not move it; durable_rules' state is C
    memory, which Python's own allocator counts cannot see)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: measured as it is
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads /proc")
def test_a_hundred_durable_reloads_keep_memory_flat() -> None:
    policy = ENGINE.policy

    def reload(i: int) -> None:  # a reload whose files changed (a new fingerprint), rules alike
        engine = jurisdiction.Engine(
            dataclasses.replace(policy, fingerprint=f"sha256:{i:064x}"), evaluator="durable"
        )
        assert engine.decide(SEPARATED, "first_child_certificate", as_of="2012-06-01").outcome == (
            "responsible"
        )

    for i in range(10):
        reload(i)
    gc.collect()
    before = _rss_mb()
    for i in range(10, 50):
        reload(i)
    gc.collect()
    assert _rss_mb() - before < 12  # was about 10 MB per reload: 400 MB over these forty
