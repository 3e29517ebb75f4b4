"""Reading files safely: what a policy directory may hold, bounded reads, and the manifest.

Every file is read once, as bytes, with a bound on its size, and only if it is a regular file:
a device (``/dev/zero``), a FIFO or a directory is refused before a byte is read, and so is a
symbolic link that leads out of the policy directory. The bytes read are the bytes parsed and
the bytes hashed, so a policy's fingerprint always names what was loaded.

A policy directory holds ``*.yaml`` policy files, an ``overlays/`` folder of ``*.yaml`` district
overlays, documentation (``*.md``) and optionally a manifest (``.manifest``, the lines
``sha256sum`` writes: ``<hex digest>  <file>``) that ``jurisdiction check --write-manifest``
writes and every load verifies. Anything else is refused, never skipped.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import Diagnostic, Location, PolicyError

__all__ = [
    "MANIFEST",
    "MAX_FACTS_BYTES",
    "MAX_POLICY_FILE_BYTES",
    "FileRefusedError",
    "policy_listing",
    "read_bytes",
]

MAX_POLICY_FILE_BYTES = 1 << 20
"""A policy file, an overlay or a manifest is at most 1 MiB."""
MAX_FACTS_BYTES = 4 << 20
"""A facts file is at most 4 MiB."""
MANIFEST = ".manifest"
OVERLAY_DIR = "overlays"
DOCUMENTATION = (".md",)


class FileRefusedError(Exception):
    """A file that is not read: ``code`` is ``file`` or ``file-too-large``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def read_bytes(path: Path, limit: int, *, within: Path | None = None) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    ``within``: a directory the file (after following symbolic links) must lie inside.
    Raises FileRefusedError, never blocks on a FIFO and never reads an endless device.
    """
    if within is not None and path.is_symlink():
        try:
            target = path.resolve(strict=True)
            inside = target.is_relative_to(within.resolve(strict=True))
        except (OSError, RuntimeError) as exc:
            raise FileRefusedError("file", f"a broken symbolic link ({exc})") from exc
        if not inside:
            raise FileRefusedError(
                "file", "a symbolic link that leads out of the policy directory is not followed"
            )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise FileRefusedError("file", f"cannot read: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise FileRefusedError("file", f"{what}: only regular files are read")
        if info.st_size > limit:
            raise FileRefusedError(
                "file-too-large", f"{info.st_size} bytes; a file here may have at most {limit}"
            )
        chunks: list[bytes] = []
        size = 0
        while True:  # the size may change while reading: never read more than the bound
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise FileRefusedError(
                    "file-too-large", f"more than {limit} bytes; a file here may have at most that"
                )
    except OSError as exc:
        raise FileRefusedError("file", f"cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    return b"".join(chunks)


CASES_DIR = "cases"
"""A policy's own test cases (``jurisdiction test``): part of a policy directory, not read by
the loader."""


@dataclass(frozen=True, slots=True)
class Listing:
    """What a policy directory holds: its policy files, its overlays, and its manifest."""

    policy: tuple[Path, ...]
    overlays: tuple[Path, ...]
    manifest: Path | None


SCHEMA_SUFFIX = ".schema.json"
"""A JSON Schema kept beside the policy for an editor (``jurisdiction schema --write``)."""


def _tool_folder(entry: Path) -> bool:
    """A folder tools write and the loader ignores: a hidden one (``.pytest_cache``, ``.git``)
    or Python's ``__pycache__``."""
    return entry.is_dir() and (entry.name.startswith(".") or entry.name == "__pycache__")


def _refused(path: Path, message: str) -> Diagnostic:
    return Diagnostic("unexpected-file", message, Location(str(path), 1, 1))


def _yaml_files(folder: Path) -> tuple[list[Path], list[Diagnostic]]:
    """The ``*.yaml`` files of ``overlays/`` or ``cases/``, and a refusal for anything else in it
    (but the folders tools write there)."""
    what = (
        "district overlays only, each a file `<district>.yaml`"
        if folder.name == OVERLAY_DIR
        else "test-case files `*.yaml` only"
    )
    found: list[Path] = []
    refused: list[Diagnostic] = []
    for inner in sorted(folder.iterdir()):
        if _tool_folder(inner):
            continue
        if inner.suffix == ".yaml" and not inner.is_dir():
            found.append(inner)
        else:
            refused.append(_refused(inner, f"`{folder.name}/` holds {what}; this would be ignored"))
    return found, refused


def policy_listing(root: Path) -> Listing:
    """The files of a policy directory; anything that is neither read nor documentation is
    refused with a located ``unexpected-file`` diagnostic (an overlay saved as ``.yml``, a
    subfolder), so that nothing is silently left out."""
    problems: list[Diagnostic] = []
    policy: list[Path] = []
    overlays: list[Path] = []
    manifest: Path | None = None
    for entry in sorted(root.iterdir()):
        name = entry.name
        if _tool_folder(entry):
            continue
        if entry.is_dir() and not entry.is_symlink() and name in (OVERLAY_DIR, CASES_DIR):
            found, refused = _yaml_files(entry)
            problems.extend(refused)
            if name == OVERLAY_DIR:
                overlays.extend(found)  # a case file is read by `jurisdiction test`, not here
        elif name == MANIFEST:
            manifest = entry
        elif entry.suffix == ".yaml" and not entry.is_dir():
            policy.append(entry)
        elif (entry.suffix in DOCUMENTATION or name.endswith(SCHEMA_SUFFIX)) and not entry.is_dir():
            continue  # documentation, and the JSON Schemas an editor validates the files with
        else:
            kind = "folder" if entry.is_dir() else "file"
            problems.append(
                _refused(
                    entry,
                    f"a policy directory holds *.yaml policy files, `{OVERLAY_DIR}/`, test cases "
                    f"in `{CASES_DIR}/`, documentation (*.md), JSON Schemas (*{SCHEMA_SUFFIX}) "
                    f"and `{MANIFEST}`; this {kind} "
                    "would be ignored "
                    "(rename it to *.yaml, or move it out)",
                )
            )
    if problems:
        raise PolicyError(problems)
    return Listing(tuple(policy), tuple(overlays), manifest)


def overlay_folder_listing(folder: Path) -> tuple[Path, ...]:
    """The overlay files of a caller's folder (``load(..., overlays=DIR)``, ``--overlays DIR``):
    ``*.yaml`` files only; anything else in it is refused rather than ignored."""
    if not folder.is_dir():
        raise PolicyError.single(
            "overlay-district",
            "no overlay folder here: --overlays / overlays= names a folder of `<district>.yaml` "
            "files",
            Location(str(folder), 1, 1),
        )
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for entry in sorted(folder.iterdir()):
        if entry.suffix == ".yaml" and not entry.is_dir():
            files.append(entry)
        elif entry.suffix not in DOCUMENTATION or entry.is_dir():
            problems.append(
                _refused(
                    entry,
                    "an overlay folder holds district overlays `<district>.yaml` (and *.md); "
                    "this would be ignored",
                )
            )
    if problems:
        raise PolicyError(problems)
    return tuple(files)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_manifest(digests: Mapping[str, str]) -> str:
    """The manifest text: one ``<sha256>  <name>`` line per file, sorted by name."""
    return "".join(f"{digests[name]}  {name}\n" for name in sorted(digests))


def verify_manifest(path: Path, root: Path, digests: Mapping[str, str]) -> None:
    """Raise a ``manifest`` PolicyError unless the manifest lists exactly these files with these
    digests (``digests``: name relative to the root -> sha256 hex of the bytes loaded)."""
    file = str(path)
    try:
        data = read_bytes(path, MAX_POLICY_FILE_BYTES, within=root)
        text = data.decode("utf-8")
    except FileRefusedError as exc:
        raise PolicyError.single(exc.code, exc.message, Location(file, 1, 1)) from exc
    except UnicodeDecodeError as exc:
        raise PolicyError.single(
            "manifest", f"not UTF-8 text ({exc.reason})", Location(file, 1, 1)
        ) from exc
    listed: dict[str, tuple[str, int]] = {}
    problems: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        hexdigest, sep, name = line.partition("  ")
        bad = not sep or len(hexdigest) != 64 or not _is_hex(hexdigest) or not name
        if bad or name in listed:
            what = "listed twice" if not bad else "not `<sha256 hex>  <file>`"
            problems.append(
                Diagnostic("manifest", f"line {number}: {what}", Location(file, number, 1))
            )
            continue
        listed[name] = (hexdigest.lower(), number)
    for name, (hexdigest, number) in sorted(listed.items()):
        where = Location(file, number, 1)
        if name not in digests:
            problems.append(
                Diagnostic("manifest", f"`{name}` is listed but not in the policy", where)
            )
        elif digests[name] != hexdigest:
            problems.append(
                Diagnostic(
                    "manifest",
                    f"`{name}` differs from the manifest (sha256 {digests[name]}, listed "
                    f"{hexdigest}): the directory is half-written or mixed",
                    Location(str(root / name), 1, 1),
                )
            )
    problems.extend(
        Diagnostic(
            "manifest", f"`{name}` is not listed in the manifest", Location(str(root / name), 1, 1)
        )
        for name in _missing(digests, listed)
    )
    if problems:
        raise PolicyError(problems)


def _missing(digests: Iterable[str], listed: Mapping[str, object]) -> list[str]:
    return sorted(name for name in digests if name not in listed)


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789abcdefABCDEF" for ch in text)
