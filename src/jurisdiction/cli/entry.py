"""The ``jurisdiction`` console script: ``jurisdiction --help`` from the user's cache, everything
else (and the first ``--help``) by the command line proper, ``cli.main``.

Printing the top-level help needs click, every command's module and the bundled policy's
summary: about 150 ms, several times the interpreter's own start. Only ``os``, ``sys``, ``stat``
and ``zlib`` are imported here, so a help printed before from the same sources is printed again
without them. The help kept is the exact text ``cli.main`` printed, in the user's cache
directory, read and written as ``core.user_cache`` says (owned by the user, writable by no one
else, not a link, written whole), and verified on read: its file holds a description of what the
help is made from, compared in full with the present one before a byte of the help is used (the
file's name carries a CRC of it only to find it). That description covers the interpreter's
version, the width of the terminal (click wraps the help to it), and the path, size and
modification time of every module of this package, of click's and of every file of the bundled
policy: what an interpreter trusts its own bytecode cache by. A help that cannot be read or kept
is simply printed by ``cli.main``.
"""

from __future__ import annotations

import os
import sys
import zlib

from ..core import user_cache
from ..core.sources_key import sources_key

__all__ = ["main"]

HELP = (["--help"], ["-h"])
"""The arguments whose output is kept: the top-level help."""
LIMIT = 1 << 20
"""A larger help file is not read."""


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` gives it to click."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def help_key(argv: list[str]) -> bytes:
    """What the help for ``argv`` is made from (see the module's text), as bytes."""
    return sources_key(f"{argv}\0{_columns()}", ("click",))


def _name(key: bytes) -> str:
    return f"help-{zlib.crc32(key):08x}-{len(key)}.txt"


def _kept(directory: str, key: bytes) -> bytes | None:
    """The help kept under ``key``, if its file is the user's and says it was made so."""
    dir_fd = user_cache.open_directory(directory, create=False)
    if dir_fd is None:
        return None
    try:
        data = user_cache.read_private(dir_fd, _name(key), LIMIT)
    finally:
        os.close(dir_fd)
    if data is None:
        return None
    head = str(len(key)).encode() + b"\n" + key
    return data[len(head) :] if data.startswith(head) else None


def _keep(directory: str, key: bytes, text: bytes) -> None:
    dir_fd = user_cache.open_directory(directory, create=True)
    if dir_fd is None:
        return
    try:
        data = str(len(key)).encode() + b"\n" + key + text
        user_cache.write_private(dir_fd, _name(key), data)
    finally:
        os.close(dir_fd)


def _printed(argv: list[str]) -> tuple[bytes, int]:
    """What ``cli.main`` prints to stdout for ``argv``, and its exit code."""
    import io

    from .main import main as full

    out = io.StringIO()
    stdout, sys.stdout = sys.stdout, out
    try:
        try:
            full(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    finally:
        sys.stdout = stdout
    return out.getvalue().encode("utf-8"), code


def main() -> None:
    """Entry point of the ``jurisdiction`` console script."""
    argv = sys.argv[1:]
    directory = user_cache.cache_path() if user_cache.SUPPORTED else None
    if argv[:1] == ["decide"] and directory is not None and _utf8(sys.stdout):
        from . import kept_answers

        answer = kept_answers.answered(argv)
        if answer is not None:
            _write(answer.encode("utf-8"))  # what click.echo writes: the text and a newline
            return
        kept_answers.WANTED[0] = True  # the command line proper keeps what was not found
    if argv not in HELP or directory is None:
        from .main import main as full

        full()
        return
    key = help_key(argv)
    text = _kept(directory, key)
    if text is None:
        text, code = _printed(argv)
        if code != 0:
            _write(text)
            sys.exit(code)
        _keep(directory, key, text)
    _write(text)


def _utf8(stream: object) -> bool:
    """Whether ``stream`` writes text as UTF-8 (what a kept answer's bytes are)."""
    encoding = str(getattr(stream, "encoding", None) or "")
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"


def _write(text: bytes) -> None:
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text stream of the caller's (a test's capture)
        sys.stdout.write(text.decode("utf-8"))
    else:
        sys.stdout.flush()
        buffer.write(text)
        buffer.flush()
