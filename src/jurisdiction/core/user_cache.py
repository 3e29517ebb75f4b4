"""Files kept for the user between runs of the command line: where they live, and how one is read
and written safely. Imports only ``os`` and ``stat``, so that ``jurisdiction --help`` can use it
before anything else is imported.

Why reading a kept file is safe (see ``language.parse_cache`` for the parsed conditions and
``cli.entry`` for the help texts, the two users): a file is read only if the user owns it, no one
else may write to it, and it is a regular file (opened without following a link, and judged by
what was opened, not by its name): only the user (or root) can have written what such a file
holds. The directory must be the user's too and not writable by everyone (``/tmp`` is not a
cache); a group-writable one is accepted, as a umask of 002 makes them, since the checks on the
file decide. A file is written whole to a temporary file (``0600``) that is then renamed over the
old one, so a reader never sees half a file. Where this cannot be checked (no ``os.getuid``, or
no descriptor-relative ``open``), nothing is kept. What a file holds is still verified by its
reader (a digest of what it was made from), and is plain data: never pickle.

The directory is ``$XDG_CACHE_HOME/jurisdiction``, else ``~/.cache/jurisdiction`` (created
``0700``).
"""

from __future__ import annotations

import os
import stat

__all__ = [
    "SUPPORTED",
    "cache_path",
    "keyed",
    "open_directory",
    "own_directory",
    "own_file",
    "prune",
    "read_private",
    "unkeyed",
    "write_private",
]

SUPPORTED = (
    hasattr(os, "getuid")
    and hasattr(os, "O_DIRECTORY")
    and hasattr(os, "O_NOFOLLOW")
    and os.open in os.supports_dir_fd
    and os.rename in os.supports_dir_fd  # os.replace is not listed, and is the same renameat
    and os.unlink in os.supports_dir_fd
)
"""Whether files can be kept safely on this system."""


def cache_path() -> str | None:
    """The user's cache directory of this package (which need not exist yet), or None if there
    is no home directory to put it in."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative: the XDG spec says to ignore it
        home = os.path.expanduser("~")
        if not os.path.isabs(home):  # the home directory cannot be determined
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "jurisdiction")


def own_file(st: os.stat_result) -> bool:
    """A regular file owned by this user, and writable by no one else."""
    mine = st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return mine and stat.S_ISREG(st.st_mode)


def own_directory(st: os.stat_result) -> bool:
    """A directory owned by this user, and not writable by everyone."""
    mine = st.st_uid == os.getuid() and not st.st_mode & stat.S_IWOTH
    return mine and stat.S_ISDIR(st.st_mode)


def open_directory(directory: str | os.PathLike[str], *, create: bool) -> int | None:
    """A descriptor of ``directory``, if it is the user's (see :func:`own_directory`)."""
    if create:
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
        except OSError:
            return None
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        st = os.fstat(fd)  # of what was opened: a symbolic link is judged by what it points to
        if own_directory(st):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def read_private(dir_fd: int, name: str, limit: int) -> bytes | None:
    """The bytes of ``name`` in the directory, if it is the user's own file (see
    :func:`own_file`) of at most ``limit`` bytes; else None."""
    try:
        # not blocking: a FIFO put in its place would otherwise wait for a writer forever
        flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        try:
            st = os.fstat(fd)
            if not own_file(st) or st.st_size > limit:
                return None
            return file.read(limit + 1)
        except OSError:
            return None


def write_private(dir_fd: int, name: str, data: bytes) -> None:
    """Replace ``name`` by ``data`` at once: written to a new file, then renamed over it."""
    temporary = f".{name}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
    try:
        fd = os.open(
            temporary,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
            0o600,
            dir_fd=dir_fd,
        )
    except OSError:
        return
    renamed = False
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        renamed = True
    except OSError:
        pass  # not kept: the next run makes it again
    finally:
        if not renamed:  # whatever stopped it, even the interpreter shutting down
            try:  # noqa: SIM105 (contextlib is not imported here: see the module's docstring)
                os.unlink(temporary, dir_fd=dir_fd)
            except OSError:
                pass


def keyed(key: bytes, payload: bytes) -> bytes:
    """A kept file's bytes: ``key`` (the full description of what ``payload`` was made from,
    ``core.sources_key``), the payload's sha256, then the payload."""
    import hashlib  # here: the help's reader imports nothing it does not use

    digest = hashlib.sha256(payload).hexdigest().encode()
    return str(len(key)).encode() + b"\n" + key + digest + b"\n" + payload


def unkeyed(data: bytes | None, key: bytes) -> bytes | None:
    """The payload of a kept file's bytes (``keyed``), if it says it was made from ``key``,
    compared in full, and holds what its digest says; else None."""
    import hashlib

    head = str(len(key)).encode() + b"\n" + key
    if data is None or not data.startswith(head):
        return None
    digest, _, payload = data[len(head) :].partition(b"\n")
    return payload if hashlib.sha256(payload).hexdigest().encode() == digest else None


def prune(dir_fd: int, prefix: str, suffix: str, kept: str, count: int) -> None:
    """Remove the files named ``prefix…suffix`` other than ``kept`` but the newest ``count - 1``:
    a kept output is made again after every change of what it is made from, so the cache holds
    a few of a kind (two installations used in turns keep theirs), not one per change."""
    try:
        names = [n for n in os.listdir(dir_fd) if n.startswith(prefix) and n.endswith(suffix)]
    except OSError:
        return
    others: list[tuple[int, str]] = []
    for name in names:
        if name != kept:
            try:
                others.append(
                    (os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mtime_ns, name)
                )
            except OSError:
                continue
    others.sort(reverse=True)
    for _, name in others[count - 1 :]:
        try:  # noqa: SIM105 (see write_private)
            os.unlink(name, dir_fd=dir_fd)
        except OSError:  # gone meanwhile: and none is used unless verified
            pass
