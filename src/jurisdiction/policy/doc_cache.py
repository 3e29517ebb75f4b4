"""A policy's documents, read from YAML and with their templates expanded, kept between runs of
the command line in the user's cache directory.

Every ``jurisdiction decide`` reads the same policy files again: composing them from YAML and
expanding their templates is about a third of loading the bundled policy. Inside
:func:`keeping` (the command line runs each command in it), :func:`documents` reads the bytes of
every policy file, and if a run before it kept the documents made from exactly those bytes, uses
them instead of composing the YAML again. A library caller (``jurisdiction.load()``) reads and
writes nothing here.

Why the documents kept are the documents loading would make, and why reading them is safe:

* they are a function of the files' bytes, the names the files are shown by (locations carry
  them) and the code that reads them. The key of a file is the sha256 of all three: every
  policy file's name and bytes, and the source of the modules that compose and expand documents
  and of the package's ``__init__.py`` (its version). A file whose bytes change, or a changed
  reader, gives another key, never an old entry; the key is stored in the file and compared in
  full. The bytes are read once: the documents come from them, or on a miss are composed by the
  loader and kept under the key of the bytes the loader read;
* the file is JSON of plain data (strings, whole and decimal numbers, booleans, null, lists and
  mappings, locations as numbers): never pickle, nothing in it can run code. A sha256 of the
  payload is stored beside it and checked before a byte of it is decoded, and decoding checks
  every value's shape: a file that does not pass is ignored, and replaced by the next run;
* a file is read only if the user owns it and no one else may write to it (``core.user_cache``,
  as for the parsed conditions of ``language.parse_cache``).

One file is kept per policy place (the names of its files): an edited policy replaces its entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import user_cache
from ..core.errors import Location
from .files import MAX_POLICY_FILE_BYTES, FileRefusedError, Listing, read_bytes

if TYPE_CHECKING:  # imported where used: the command line enters `keeping` before any command
    from .strict_yaml import LocatedDocument

__all__ = ["documents", "keeping"]

FORMAT = 1
"""The layout of the file; a file of another layout is ignored (and replaced when written)."""
MAX_FILE_BYTES = 64 << 20
"""A larger file is not read."""

_READERS = (
    ("__init__.py",),  # the package's version
    ("core", "errors.py"),
    ("policy", "strict_yaml.py"),
    ("policy", "numbering.py"),
    ("policy", "inline_answers.py"),
    ("policy", "outside_cases.py"),
    ("policy", "question_defaults.py"),
    ("policy", "question_cites.py"),
    ("policy", "subject_features.py"),
    ("policy", "templates.py"),
    ("policy", "doc_cache.py"),
)
"""The modules whose source the documents depend on, relative to the package."""

_ACTIVE: list[Path] = []


def _readers_digest() -> bytes | None:
    """A digest of the source of the modules that make documents (None if one cannot be read:
    then nothing is kept)."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{FORMAT}\0".encode())
    try:
        for parts in _READERS:
            path = package.joinpath(*parts)
            digest.update("/".join(parts).encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.digest()


@contextmanager
def keeping(directory: Path | None = None) -> Iterator[None]:
    """Look the policy's documents up in, and add them to, the user's cache (or ``directory``)."""
    if directory is None:
        found = user_cache.cache_path()
        directory = Path(found) if found is not None else None
    if _ACTIVE or not user_cache.SUPPORTED or directory is None:  # nested: the outer one keeps
        yield
        return
    _ACTIVE.append(directory)
    try:
        yield
    finally:
        _ACTIVE.clear()


Sources = list[tuple[str, str]]
"""Each policy file's name (as shown in locations) and the sha256 (hex) of its bytes."""


def documents(
    root: Path, listing: Listing | None, named: Callable[[Path], str]
) -> tuple[Sources, list[LocatedDocument]]:
    """The name and digest of every policy file, and its document with templates expanded:
    kept from an earlier run inside :func:`keeping`, else read (``sources._read``), numbered
    (``numbering``), with answers written in rules nested (``inline_answers``) and outside
    cases written once copied (``outside_cases``), given their files' question defaults and
    expanded (``templates.expand_templates``), which raise for a bad file as they always do."""
    directory = _ACTIVE[-1] if _ACTIVE else None
    readers = _readers_digest() if directory is not None else None
    if directory is None or readers is None or (listing is not None and not listing.policy):
        return _composed(root, listing, named)
    files = listing.policy if listing is not None else (root,)
    try:
        sources = [
            (
                named(f),
                hashlib.sha256(
                    read_bytes(f, MAX_POLICY_FILE_BYTES, within=root if listing else None)
                ).hexdigest(),
            )
            for f in files
        ]
    except (FileRefusedError, OSError):
        return _composed(root, listing, named)  # which says what is wrong, located
    slot = _slot(readers, [name for name, _ in sources])
    key = _key(readers, sources)
    kept = _load(directory, slot, key)
    if kept is not None:
        return sources, kept
    sources, docs = _composed(root, listing, named)
    _save(directory, slot, _key(readers, sources), docs)
    return sources, docs


def _composed(
    root: Path, listing: Listing | None, named: Callable[[Path], str]
) -> tuple[Sources, list[LocatedDocument]]:
    from .inline_answers import nest_inline_answers
    from .numbering import number_in_order
    from .outside_cases import copy_outside_cases
    from .question_cites import give_question_cites
    from .question_defaults import apply_question_defaults
    from .sources import _read
    from .subject_features import take_subject_features
    from .templates import expand_templates

    docs = _read(root, listing, named)
    written = copy_outside_cases(nest_inline_answers(number_in_order(docs)))
    written = take_subject_features(written)
    written = apply_question_defaults(written)
    return [(d.file, d.digest) for d in docs], expand_templates(give_question_cites(written))


def _slot(readers: bytes, names: list[str]) -> str:
    digest = hashlib.sha256(readers)
    for name in names:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
    return f"documents-{digest.hexdigest()[:32]}.json"


def _key(readers: bytes, sources: Sources) -> str:
    digest = hashlib.sha256(readers)
    for name, hexdigest in sources:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + hexdigest.encode() + b"\0")
    return digest.hexdigest()


# reading and writing ---------------------------------------------------------------------------


def _load(directory: Path, slot: str, key: str) -> list[LocatedDocument] | None:
    dir_fd = user_cache.open_directory(directory, create=False)
    if dir_fd is None:
        return None
    try:
        data = user_cache.read_private(dir_fd, slot, MAX_FILE_BYTES)
    finally:
        os.close(dir_fd)
    if data is None:
        return None
    head, _, payload = data.partition(b"\n")
    try:
        found = json.loads(head)
        if not isinstance(found, dict) or found.get("format") != FORMAT:
            return None
        if found.get("key") != key or found.get("sha256") != hashlib.sha256(payload).hexdigest():
            return None  # another state of the policy, or not what was written
        return decode(json.loads(payload))
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None


def _save(directory: Path, slot: str, key: str, docs: list[LocatedDocument]) -> None:
    try:
        payload = json.dumps(encode(docs), ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return  # a value JSON cannot hold as it is: not kept
    body = payload.encode("utf-8", "surrogatepass")
    head = json.dumps(
        {"format": FORMAT, "key": key, "sha256": hashlib.sha256(body).hexdigest()}
    ).encode()
    dir_fd = user_cache.open_directory(directory, create=True)
    if dir_fd is None:
        return
    try:
        user_cache.write_private(dir_fd, slot, head + b"\n" + body)
    finally:
        os.close(dir_fd)


# the documents as plain data -------------------------------------------------------------------
#
# [files, contexts, documents]: the names of files and the contexts of locations once each, a
# location as [file, line, column, context] by their indexes; a document as [file, digest,
# value, marks, keys], each mark [path, *location, style, source], each key [path, *location].

_SCALARS = (str, int, float, bool, type(None))


def _value(value: Any) -> Any:
    """A YAML value as JSON holds it exactly; TypeError for anything else (then not kept)."""
    if isinstance(value, _SCALARS):
        if isinstance(value, float) and value != value:  # noqa: PLR0124 (NaN: not equal to itself)
            raise TypeError("NaN")
        return value
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a mapping key that is not a string")
        return {k: _value(v) for k, v in value.items()}
    raise TypeError(type(value).__name__)


def _path(path: tuple[Any, ...]) -> list[Any]:
    if not all(isinstance(p, str) or type(p) is int for p in path):
        raise TypeError("a path part that is neither a name nor an index")
    return list(path)


def encode(docs: list[LocatedDocument]) -> list[Any]:
    """``docs`` as JSON values."""
    files: dict[str, int] = {}
    contexts: dict[str, int] = {}

    def located(loc: Location) -> list[Any]:
        file = files.setdefault(loc.file, len(files))
        context = contexts.setdefault(loc.context, len(contexts))
        return [file, loc.line, loc.column, context]

    out = [
        [
            d.file,
            d.digest,
            _value(d.value),
            [[_path(p), *located(m.location), m.style, m.source] for p, m in d.marks.items()],
            [[_path(p), *located(loc)] for p, loc in d.keys.items()],
        ]
        for d in docs
    ]
    return [list(files), list(contexts), out]


def decode(found: Any) -> list[LocatedDocument]:
    """The documents :func:`encode` gave ``found`` from; TypeError, ValueError or KeyError if it
    is not of that shape. Only the shape is checked here: what the values are was checked by the
    digest of the payload, and by whose the file is."""
    from .strict_yaml import LocatedDocument, Mark

    files, contexts, docs = found
    if not isinstance(docs, list) or not all(isinstance(f, str) for f in [*files, *contexts]):
        raise TypeError("not documents")
    out = []
    for file, digest, value, marks, keys in docs:
        if not isinstance(file, str) or not isinstance(digest, str):
            raise TypeError("not a document")
        out.append(
            LocatedDocument(
                file,
                value,
                {
                    tuple(p): Mark(Location(files[f], line, col, contexts[c]), style, source)
                    for p, f, line, col, c, style, source in marks
                },
                {
                    tuple(p): Location(files[f], line, col, contexts[c])
                    for p, f, line, col, c in keys
                },
                digest,
            )
        )
    return out
