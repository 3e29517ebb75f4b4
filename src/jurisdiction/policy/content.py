"""A loaded policy as the bytes behind its fingerprint, and the policy rebuilt from them.

What a pickled engine carries (a process pool's worker, a Spark executor on another machine): the
policy's files, its own overlays, its manifest and the caller's overlay files, as bytes, with the
names they had where the policy was loaded. The other side writes them to a private temporary
folder, loads the policy from it (named as the original, so its locations, decisions and
fingerprint are the original's) and removes the folder: it never resolves a path of the sender,
which on another machine, or in another working directory, is not there.

The bytes are read again when the content is taken, and taken only if they hash to the
policy's fingerprint: a file changed since the load is refused there, not sent.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..core.errors import Location, PolicyError
from .files import MANIFEST, MAX_POLICY_FILE_BYTES, FileRefusedError, read_bytes
from .load import ShownAs, _fingerprint, load_policy
from .model import Overlay, Policy

__all__ = ["PolicyContent", "content_of", "policy_of"]

_CALLERS = "--overlays/"  # how the fingerprint names a caller's overlay file (policy.load)


@dataclass(frozen=True, slots=True)
class PolicyContent:
    """The bytes of a policy's files, enough to load the very same policy anywhere."""

    fingerprint: str
    root: str
    """The policy's path where it was loaded (a directory, or one file)."""
    files: tuple[tuple[str, bytes], ...]
    """Each file by its name relative to ``root`` (``"."``: a policy of one file)."""
    overlays: str | None = None
    """The caller's overlay folder where the policy was loaded, if any."""
    extra: tuple[tuple[str, bytes], ...] = ()
    """The caller's overlay files, by file name."""
    overlay_files: tuple[tuple[str, str], ...] = ()
    """For each district with an overlay, how its decisions name the overlay's file."""


def _read(path: Path, within: Path | None) -> bytes:
    try:
        return read_bytes(path, MAX_POLICY_FILE_BYTES, within=within)
    except FileRefusedError as exc:
        raise PolicyError.single(
            exc.code, f"the policy cannot be sent: {exc.message}", Location(str(path), 1, 1)
        ) from exc


def content_of(policy: Policy) -> PolicyContent:
    """The bytes behind ``policy``'s fingerprint, read again from where it was loaded; a
    :class:`PolicyError` (``manifest``) if they no longer hash to its fingerprint."""
    root = Path(policy.root)
    single = "." in policy.digests
    files = [
        (name, _read(root if single else root / name, None if single else root))
        for name in sorted(policy.digests)
    ]
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files}
    if not single and (root / MANIFEST).is_file():
        files.append((MANIFEST, _read(root / MANIFEST, root)))
    callers = policy.files[len(policy.digests) :]  # policy files, own overlays, then the caller's
    extra = tuple((Path(f).name, _read(Path(f), None)) for f in callers)
    digests.update({_CALLERS + name: hashlib.sha256(data).hexdigest() for name, data in extra})
    if _fingerprint(digests) != policy.fingerprint:
        raise PolicyError.single(
            "manifest",
            f"the policy's files changed since it was loaded (it was {policy.fingerprint}): "
            "load it again before sending it",
            Location(policy.root, 1, 1),
        )
    return PolicyContent(
        policy.fingerprint,
        policy.root,
        tuple(files),
        policy.overlays_dir,
        extra,
        tuple(sorted((d, o.file) for d, o in policy.overlays.items())),
    )


def _write(folder: Path, name: str, data: bytes) -> None:
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
        raise PolicyError.single(
            "file", f"a policy file named {name!r} cannot be written", Location(name, 1, 1)
        )
    path = folder.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


_REBUILT: OrderedDict[PolicyContent, Policy] = OrderedDict()
_KEPT = 4
"""Policies rebuilt in this process, the most recent few: every Spark task, and every task of a
pool, unpickles the engine again, and loading the policy again each time would cost more than
most tasks."""


def policy_of(content: PolicyContent) -> Policy:
    """The policy whose bytes ``content`` carries, loaded from a private temporary copy and named
    as the original; a :class:`PolicyError` if they load to another fingerprint."""
    kept = _REBUILT.get(content)
    if kept is not None:
        _REBUILT.move_to_end(content)
        return kept
    with tempfile.TemporaryDirectory(prefix="jurisdiction-policy-") as tmp:
        base = Path(tmp)
        single = any(name == "." for name, _data in content.files)
        root = base / "policy"
        if single:
            root.write_bytes(content.files[0][1])
        else:
            root.mkdir()
            for name, data in content.files:
                _write(root, name, data)
        overlays = base / "overlays" if content.overlays is not None else None
        if overlays is not None:
            overlays.mkdir()
            for name, data in content.extra:
                _write(overlays, name, data)
        policy = load_policy(root, overlays=overlays, shown=ShownAs(content.root, content.overlays))
    if policy.fingerprint != content.fingerprint:
        raise PolicyError.single(
            "manifest",
            f"the policy's content loads to {policy.fingerprint}, not {content.fingerprint}",
            Location(content.root, 1, 1),
        )
    named = dict(content.overlay_files)

    def renamed(o: Overlay) -> Overlay:
        return dataclasses.replace(
            o,
            file=named.get(o.district, o.file),
            chain=tuple(
                dataclasses.replace(m, file=named.get(m.district, m.file)) for m in o.chain
            ),
        )

    policy = dataclasses.replace(
        policy, overlays={d: renamed(o) for d, o in policy.overlays.items()}
    )
    _REBUILT[content] = policy
    while len(_REBUILT) > _KEPT:
        _REBUILT.popitem(last=False)
    return policy
