"""What a kept output of the command line is made from: a full description, compared in full
before the output is used (``cli.entry``'s help, ``cli.kept_answers``' programs,
``batch.kept_plans``' SQL). Imports only ``os`` and ``sys``: the console script uses it before
anything else is imported."""

from __future__ import annotations

import os
import sys

__all__ = ["sources_key"]


def _stamp(parts: list[str], top: str, suffixes: tuple[str, ...]) -> None:
    """Add the path, size and modification time of each file under ``top`` ending so."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            parts.append(f"?{folder}\n")
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    stack.append(entry.path)
            elif entry.name.endswith(suffixes):
                st = entry.stat()
                parts.append(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\n")


def _folder(name: str) -> str | None:
    """Where the package ``name`` would be imported from, found without importing it."""
    for entry in sys.path:
        folder = os.path.join(entry or os.curdir, name)
        if os.path.isfile(os.path.join(folder, "__init__.py")):
            return folder
    return None


def sources_key(head: str, packages: tuple[str, ...] = ()) -> bytes:
    """A full description of what an output is made from, as bytes: ``head`` (what was asked),
    the interpreter's version, and the path, size and modification time of every module of this
    package, of each of ``packages`` (by name) and of every file of the bundled policy."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts = [f"{sys.version}\0{head}\n"]
    _stamp(parts, package, (".py",))
    for name in packages:
        folder = _folder(name)
        parts.append(f"{name}={folder}\n")
        if folder is not None:
            _stamp(parts, folder, (".py",))
    for policy in (
        os.path.join(package, "policies"),
        os.path.join(os.path.dirname(os.path.dirname(package)), "policies"),
    ):  # as core.paths finds it: installed beside the modules, else the checkout's
        if os.path.isdir(policy):
            _stamp(parts, policy, (".yaml", ".yml"))
            break
    return "".join(parts).encode("utf-8", "surrogateescape")
