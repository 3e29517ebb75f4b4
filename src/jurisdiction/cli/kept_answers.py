"""``jurisdiction decide FILE -q Q`` answered by kept answer programs, without the engine.

A warm ``decide`` spends most of its time importing the engine, pydantic and click and loading the
policy. For the plain form of the command — ``decide FILE -q Q [-q Q ...] [--as-of YYYY-MM-DD]
[--lang en|zh] [--ids]``, each argument a token of its own — the console script (``cli.entry``)
first tries the kept answer program of each question (``engine.kept_answers``: the fact set
validated, decided by the question's decision tree and built into a ``Decision``, importing no
pydantic), reads the facts file with the command's own reader (``policy.facts_files``) and
renders each decision with ``render_decision``: the same text, byte for byte, as the command
line proper prints. Exact or nothing: any other form of the command, a program missing or not
verified, a fact set it cannot vouch for, or anything that goes wrong gives None, and the
command line proper answers (with its errors and exit codes).

A program is written by the command line proper after it answered the plain form with one fact
set, in the user's cache directory, as ``core.user_cache`` says (owned by the user, writable by
no one else, not a link, written whole), one file per question and sources (the newest few of a
question kept, the others removed when one is written), and verified on read: the file
opens with a full description of what the program is made from (the question, the interpreter's
version, the path, size and modification time of every module of this package, of pydantic's
and of every file of the bundled policy: ``core.sources_key``), compared in full before a
byte of the program is used; then a sha256 of what follows, checked; then the program's code
(``marshal``, which the interpreter's version in the description covers) and its source
beside it. Never pickle. A question the
generator cannot vouch for is kept as a program that answers None, so it is not generated again
on every run.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from typing import Any

from ..core import user_cache
from ..core.sources_key import sources_key

__all__ = ["WANTED", "answered", "keep", "plain"]

WANTED = [False]
"""Set by the console script when it tried the kept programs of a plain ``decide``: the command
line proper then keeps the programs it did not find."""

LIMIT = 64 << 20
"""A larger program file is not read."""

KEPT_PER_QUESTION = 3
"""Programs of one question kept, made from different sources: the newest (see ``_prune``)."""

NOTHING = "def answer(value, day, source):\n    return None\n"
"""The program of a question the generator cannot vouch for."""


class Plain:
    """The arguments of a plain ``decide``."""

    __slots__ = ("as_of", "facts", "ids", "lang", "questions")

    def __init__(self) -> None:
        self.facts: str | None = None
        self.questions: list[str] = []
        self.as_of: str | None = None
        self.lang = "en"
        self.ids = False


def plain(argv: list[str]) -> Plain | None:
    """``argv`` read as the plain form of ``decide`` (see the module's text), or None."""
    if not argv or argv[0] != "decide":
        return None
    found = Plain()
    lang: str | None = None
    rest = argv[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        value = rest[i + 1] if i + 1 < len(rest) else None
        if arg in ("-q", "--question", "--as-of", "--lang"):
            if value is None or value.startswith("-"):
                return None
            if arg == "--as-of":
                if found.as_of is not None or not _iso_day(value):
                    return None
                found.as_of = value
            elif arg == "--lang":
                if lang is not None or value not in ("en", "zh"):
                    return None
                lang = found.lang = value
            else:
                found.questions.append(value)
            i += 2
        elif arg == "--ids":
            found.ids = True
            i += 1
        elif arg.startswith("-") or found.facts is not None:
            return None
        else:
            found.facts = arg
            i += 1
    return found if found.facts is not None and found.questions else None


def _iso_day(text: str) -> bool:
    """``YYYY-MM-DD`` in ASCII digits (what both the option's parser and ``fromisoformat`` read
    alike; anything else is left to the option's parser)."""
    digits = text[:4] + text[5:7] + text[8:]
    return len(text) == 10 and text[4] == text[7] == "-" and digits.isascii() and digits.isdigit()


def program_key(question: str) -> bytes:
    """What the kept program of ``question`` is made from (see the module's text)."""
    return sources_key(f"decide\0{question}", ("pydantic",))


def _prefix(question: str) -> str:
    """What the names of ``question``'s programs begin with, whatever they were made from."""
    return f"answer-{zlib.crc32(question.encode('utf-8', 'surrogateescape')):08x}-"


def _name(question: str, key: bytes) -> str:
    return f"{_prefix(question)}{zlib.crc32(key):08x}-{len(key)}.bin"


def _prune(dir_fd: int, question: str, kept: str) -> None:
    """Keep ``question``'s newest ``KEPT_PER_QUESTION`` programs (a program is up to a megabyte
    or two, made again after every change of the package or the policy)."""
    user_cache.prune(dir_fd, _prefix(question), ".bin", kept, KEPT_PER_QUESTION)


def _read(dir_fd: int, question: str, key: bytes) -> bytes | None:
    """The program's code kept under ``key``, if its file is the user's, says it was made from
    the same sources and holds what its digest says."""
    data = user_cache.read_private(dir_fd, _name(question, key), LIMIT)
    payload = user_cache.unkeyed(data, key)
    if payload is None:
        return None
    size, _, rest = payload.partition(b"\n")
    return rest[: int(size)] if size.isdigit() else None


def _program(code: bytes) -> Any:
    import marshal

    scope: dict[str, Any] = {"__name__": "jurisdiction_kept_answer"}
    exec(marshal.loads(code), scope)  # our own program: the file was verified above
    return scope["answer"]


def answered(argv: list[str]) -> str | None:
    """What ``decide`` prints for ``argv`` (see the module's text), or None."""
    found = plain(argv)
    directory = user_cache.cache_path() if user_cache.SUPPORTED else None
    if found is None or directory is None:
        return None
    dir_fd = user_cache.open_directory(directory, create=False)
    if dir_fd is None:
        return None
    programs: dict[str, Any] = {}
    try:
        for question in found.questions:
            if question not in programs:
                code = _read(dir_fd, question, program_key(question))
                if code is None:
                    return None
                programs[question] = code
    finally:
        os.close(dir_fd)
    try:
        return _answers(found, programs)
    except Exception:  # anything at all: the command line proper answers
        return None


def _answers(found: Plain, codes: dict[str, bytes]) -> str | None:
    import datetime
    from pathlib import Path

    from ..engine.decision import render_decision
    from ..policy.facts_files import read_facts_file

    assert found.facts is not None
    value = read_facts_file(Path(found.facts)).value
    if found.as_of is not None:
        day, source = datetime.date.fromisoformat(found.as_of), "given"
    else:
        day, source = datetime.date.today(), "today"
    programs = {q: _program(code) for q, code in codes.items()}
    shown = []
    for question in found.questions:
        decision = programs[question](value, day, source)
        if decision is None:
            return None
        shown.append(render_decision(decision, found.lang, ids=found.ids))  # type: ignore[arg-type]
    text = "\n\n".join(shown)
    return None if "\x1b" in text else text + "\n"  # click would strip ANSI codes off a pipe


def keep(engine: Any, questions: Sequence[str]) -> None:
    """Keep the program of each of ``questions`` that is not kept yet (see the module's text)."""
    import marshal

    from ..engine.kept_answers import program

    directory = user_cache.cache_path() if user_cache.SUPPORTED else None
    if directory is None:
        return
    dir_fd = user_cache.open_directory(directory, create=True)
    if dir_fd is None:
        return
    try:
        for question in dict.fromkeys(questions):
            key = program_key(question)
            if _read(dir_fd, question, key) is not None:
                continue  # kept: it did not vouch for these facts, and would not if made again
            try:
                source = program(engine, question) or NOTHING
            except Exception:  # a defect here must not fail the command that answered
                continue
            code = marshal.dumps(compile(source, f"<kept answer {question}>", "exec"))
            payload = str(len(code)).encode() + b"\n" + code + source.encode("utf-8")
            name = _name(question, key)
            user_cache.write_private(dir_fd, name, user_cache.keyed(key, payload))
            _prune(dir_fd, question, name)
    finally:
        os.close(dir_fd)
