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
  policy file's name and bytes, and the source of the modules that compose, expand and validate
  documents (the schema, pydantic's version) and of the package's ``__init__.py`` (its version).
  A file whose bytes change, or a changed reader, gives another key, never an old entry; the key
  is stored in the file and compared in full. The bytes are read once: the documents come from
  them, or on a miss are composed by the loader and kept, once validated, under the key of the
  bytes the loader read;
* beside the documents, the schema models they validated to are kept (``kept_models``), and
  read back as plain objects: a kept policy is not validated again, and ``policy.schema`` (a
  sixth of a warm ``decide``) is not imported. Documents that do not validate are not kept;
* the file is JSON of plain data (strings, whole and decimal numbers, booleans, null, lists and
  mappings, locations as numbers): never pickle, nothing in it can run code. A sha256 of the
  payload is stored beside it and checked before a byte of it is decoded, and decoding checks
  the shape of every document and of every mark (a mark is made when the loader asks for it:
  a load asks for a few hundred of the thousands kept): a file that does not pass is ignored,
  and replaced by the next run;
* a file is read only if the user owns it and no one else may write to it (``core.user_cache``,
  as for the parsed conditions of ``language.parse_cache``).

One file is kept per policy place (the names of its files): an edited policy replaces its entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import user_cache
from ..core.errors import Location
from .files import MAX_POLICY_FILE_BYTES, FileRefusedError, Listing, read_bytes

if TYPE_CHECKING:  # imported where used: the command line enters `keeping` before any command
    from pydantic import BaseModel

    from .schema import PolicyFile
    from .strict_yaml import LocatedDocument, Path_

__all__ = ["Documents", "documents", "keeping"]

FORMAT = 2
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
    ("policy", "schema.py"),
    ("policy", "kept_models.py"),
    ("policy", "doc_cache.py"),
)
"""The modules whose source the documents and their models depend on, relative to the package
(and pydantic's ``version.py``, which names pydantic's and pydantic-core's versions)."""

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
        spec = find_spec("pydantic")  # found, not imported
        if spec is None or spec.origin is None:
            return None
        digest.update(Path(spec.origin).with_name("version.py").read_bytes())
    except (OSError, ImportError, ValueError):
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


class Documents:
    """A policy's files as :func:`documents` found them."""

    __slots__ = ("_slot", "docs", "models", "sources")

    def __init__(
        self,
        sources: Sources,
        docs: list[LocatedDocument],
        models: list[PolicyFile] | None = None,
        slot: tuple[Path, str, str] | None = None,
    ) -> None:
        self.sources = sources
        """Each file's name and the sha256 of its bytes."""
        self.docs = docs
        """Each file's document, templates expanded."""
        self.models = models
        """Each document's schema model, when kept (validated when it was kept); else None:
        the loader validates the documents, and gives the models to :meth:`keep`."""
        self._slot = slot

    def keep(self, models: list[BaseModel]) -> None:
        """Keep the documents with the models they validated to (inside :func:`keeping`, for
        documents that were not kept already; else nothing)."""
        if self._slot is not None and self.models is None:
            directory, slot, key = self._slot
            _save(directory, slot, key, self.docs, models)


def documents(root: Path, listing: Listing | None, named: Callable[[Path], str]) -> Documents:
    """The name and digest of every policy file, and its document with templates expanded:
    kept from an earlier run inside :func:`keeping` (with its validated model), else read
    (``sources._read``), numbered (``numbering``), with answers written in rules nested
    (``inline_answers``) and outside cases written once copied (``outside_cases``), given their
    files' question defaults and expanded (``templates.expand_templates``), which raise for a bad
    file as they always do; the caller validates these and keeps them (:meth:`Documents.keep`)."""
    directory = _ACTIVE[-1] if _ACTIVE else None
    readers = _readers_digest() if directory is not None else None
    if directory is None or readers is None or (listing is not None and not listing.policy):
        return Documents(*_composed(root, listing, named))
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
        return Documents(*_composed(root, listing, named))  # which says what is wrong, located
    slot = _slot(readers, [name for name, _ in sources])
    key = _key(readers, sources)
    kept = _load(directory, slot, key)
    if kept is not None:
        return Documents(sources, *kept)
    sources, docs = _composed(root, listing, named)
    return Documents(sources, docs, None, (directory, slot, _key(readers, sources)))


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


def _load(
    directory: Path, slot: str, key: str
) -> tuple[list[LocatedDocument], list[PolicyFile]] | None:
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
        from .kept_models import decode_models

        documents, models, keys = payload.split(b"\n")
        docs = decode(json.loads(documents), keys)
        return docs, decode_models(models, len(docs))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None


def _save(
    directory: Path, slot: str, key: str, docs: list[LocatedDocument], models: list[BaseModel]
) -> None:
    """Keep ``docs`` and their ``models``: the documents' JSON, the models' JSON and the
    documents' key locations' JSON, a line each (JSON text holds no raw line break)."""
    from .kept_models import encode_models

    try:
        documents, keys = encode(docs)
        payload = "\n".join(
            [
                json.dumps(documents, ensure_ascii=False, separators=(",", ":")),
                encode_models(models),
                json.dumps(keys, ensure_ascii=False, separators=(",", ":")),
            ]
        )
    except (TypeError, ValueError, RecursionError):
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
# value, marks], its marks by path key, each [*location, style, source]; on a line of their
# own, each document's key locations by path key, each [*location].

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


_NAME, _INDEX = "\x1f", "\x1e"
"""What a path's key writes before each part: a name, or an index (in decimal)."""


def _path_key(path: tuple[Any, ...]) -> str:
    """A path as one string, unambiguous for names that hold neither separator; a key of the
    kept marks, so that JSON builds the mapping and no Python loop runs over it on read."""
    return "".join([_NAME + p if type(p) is str else f"{_INDEX}{p:d}" for p in path])


def _kept_path_key(path: tuple[Any, ...]) -> str:
    for p in path:
        if type(p) is str:
            if _NAME in p or _INDEX in p:
                raise TypeError("a name holding a separator of path keys")
        elif type(p) is not int:
            raise TypeError("a path part that is neither a name nor an index")
    return _path_key(path)


def _key_path(key: str) -> tuple[str | int, ...]:
    """The path :func:`_path_key` gave ``key`` from."""
    import re

    return tuple(
        name if sep == _NAME else int(name)
        for sep, name in re.findall(f"([{_NAME}{_INDEX}])([^{_NAME}{_INDEX}]*)", key)
    )


class _KeptPaths(Mapping["Path_", Any]):
    """The marks (or key locations) of a kept document, by path: each made when first asked
    for. A load asks for a few hundred of the thousands a policy has. ``raw`` is the mapping by
    path key, or what gives it when first needed (the key locations: a load that finds nothing
    wrong asks for none, so their JSON is not even parsed)."""

    __slots__ = ("_contexts", "_files", "_given", "_mark", "_raw")

    def __init__(
        self,
        raw: dict[str, list[Any]] | Callable[[], dict[str, list[Any]]],
        files: list[str],
        contexts: list[str],
        mark: bool,
    ) -> None:
        self._raw = raw if isinstance(raw, dict) else None
        self._given = raw
        self._files = files
        self._contexts = contexts
        self._mark = mark

    def _entries(self) -> dict[str, list[Any]]:
        if self._raw is None:
            given = self._given
            self._raw = given if isinstance(given, dict) else given()
        return self._raw

    def __getitem__(self, path: Path_) -> Any:
        found = self._entries()[_path_key(path)]
        where = Location(self._files[found[0]], found[1], found[2], self._contexts[found[3]])
        if not self._mark:
            return where
        from .strict_yaml import Mark

        return Mark(where, found[4], found[5])

    def __iter__(self) -> Iterator[Path_]:
        return (_key_path(k) for k in self._entries())

    def __len__(self) -> int:
        return len(self._entries())

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and _path_key(path) in self._entries()


def encode(docs: list[LocatedDocument]) -> tuple[list[Any], list[Any]]:
    """``docs`` as JSON values: the documents with their marks, and apart from them the
    locations of their mapping keys (read only when one is asked for)."""
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
            {
                _kept_path_key(p): [*located(m.location), m.style, m.source]
                for p, m in d.marks.items()
            },
        ]
        for d in docs
    ]
    keys = [{_kept_path_key(p): located(loc) for p, loc in d.keys.items()} for d in docs]
    return [list(files), list(contexts), out], keys


class _Keys:
    """The key locations of every kept document, parsed from their JSON when one is first
    asked for. They were checked with the rest (the digest of the payload); a shape that is not
    theirs (which only a writer of that digest could give) reads as no key locations, and a
    problem about a key is then located at its value."""

    def __init__(self, text: bytes | str, count: int) -> None:
        self.text: bytes | str | None = text
        self.count = count
        self.found: list[dict[str, list[Any]]] = []

    def of(self, index: int) -> dict[str, list[Any]]:
        if self.text is not None:
            text, self.text = self.text, None
            try:
                found = json.loads(text)
            except (ValueError, RecursionError):
                found = None
            if _shaped(found, self.count):
                self.found = found
        return self.found[index] if index < len(self.found) else {}


def _shaped(found: Any, count: int) -> bool:
    return (
        isinstance(found, list)
        and len(found) == count
        and all(isinstance(k, dict) for k in found)
        and all(type(v) is list and len(v) == 4 for k in found for v in k.values())
    )


def decode(found: Any, keys: bytes | str = b"[]") -> list[LocatedDocument]:
    """The documents :func:`encode` gave ``found`` (and ``keys``, the JSON of the key
    locations) from; TypeError, ValueError or KeyError if ``found`` is not of that shape. Only
    the shape is checked here (each mark a list of six): what the values are was checked by the
    digest of the payload, and by whose the file is. A mark is made when it is asked for, the
    key locations parsed when one is."""
    from .strict_yaml import LocatedDocument

    files, contexts, docs = found
    if not isinstance(docs, list) or not all(isinstance(f, str) for f in [*files, *contexts]):
        raise TypeError("not documents")
    kept_keys = _Keys(keys, len(docs))
    out = []
    for i, (file, digest, value, marks) in enumerate(docs):
        if not isinstance(file, str) or not isinstance(digest, str):
            raise TypeError("not a document")
        if not isinstance(marks, dict):
            raise TypeError("not a document's marks")
        if not all(type(m) is list and len(m) == 6 for m in marks.values()):
            raise TypeError("not a document's marks")
        out.append(
            LocatedDocument(
                file,
                value,
                _KeptPaths(marks, files, contexts, mark=True),
                _KeptPaths(partial(kept_keys.of, i), files, contexts, mark=False),
                digest,
            )
        )
    return out
