"""Loading a policy directory: strict YAML → schema models → cross-checked, frozen ``Policy``.

The passes, each a named function in a module of its own:

1. ``sources._read``: every ``*.yaml`` file of the directory, strictly, with marks;
1a. ``numbering.number_in_order``: the numbers of chapters, articles and items their order
   implies; ``inline_answers.nest_inline_answers``: the answer's keys a rule writes in itself
   moved under its ``answer``; ``outside_cases.copy_outside_cases``: each ``same_as`` case of
   a definition's ``outside`` replaced by the case it names;
   ``subject_features.take_subject_features``: the features a subject takes from another;
   ``question_defaults.apply_question_defaults``: each file's ``question_defaults`` and
   ``definition_defaults`` given to its questions and definitions that do not say otherwise;
   ``question_cites.give_question_cites``: a question's ``cite`` given to its rules that cite
   nothing;
1b. ``templates.expand_templates``: every use of a template among a question's rules replaced by
   the template's rules with its arguments, each value located where it was written (1, 1a and 1b
   are ``doc_cache.documents``, which the command line keeps between runs);
2. ``sources._validate``: each file against the schema (located pydantic errors); documents
   the command line kept come with the models they validated to (``kept_models``), and are not
   validated again;
3. ``sources._merge``: sections and names may be defined once across all files;
4a. ``vocabulary``: the place hierarchy, enums and subjects (``facts.yaml``): the fact models,
   features, places and constraints;
4. ``build._Builder``: articles, parameters, vocabulary, bodies; definitions and questions with
   their conditions parsed, type-checked and expanded; every cross-reference resolved;
5. ``overlays._overlays``: each ``overlays/<district>.yaml`` of the directory, which may set the
   parameters the city policy marks ``delegated`` and nothing else.

All diagnostics of a pass are collected before raising, so an analyst sees every problem at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core.collector import paused
from ..core.errors import Diagnostic, Location, PolicyError
from ..core.text import Text
from .build import _Builder, _text, override_problems
from .dated import build_dating, dated_by
from .doc_cache import documents
from .files import overlay_folder_listing, verify_manifest
from .model import Policy
from .overlays import _overlays
from .sources import _listing, _merge, _Source, _validate

__all__ = ["ShownAs", "load_policy", "override_problems"]


def _name(root: Path, file: str) -> str:
    path = Path(file)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


def _fingerprint(digests: Mapping[str, str]) -> str:
    """The sha256 of every file's name and bytes, from the one digest of the bytes each was
    parsed from (never read again: a file replaced meanwhile cannot lend its hash)."""
    digest = hashlib.sha256()
    for name, hexdigest in sorted(digests.items()):
        digest.update(name.encode() + b"\0" + hexdigest.encode() + b"\0")
    return "sha256:" + digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ShownAs:
    """Where the files of a policy rebuilt from its content (``policy.content``) were loaded:
    its files are named (in locations and in its fingerprint) as they were named there."""

    root: str
    overlays: str | None = None


def load_policy(
    root: Path,
    *,
    strict: bool = True,
    manifest: bool = True,
    overlays: Path | None = None,
    shown: ShownAs | None = None,
) -> Policy:
    """Load, validate and cross-check the policy in ``root`` (a directory or one file).

    ``overlays`` is a folder of further overlay files (``<place>.yaml``) the caller adds to the
    policy's own ``overlays/``: a policy never takes them up unless asked.

    With ``strict=False`` a policy whose overrides are inconsistent (unknown target, a rule of
    another question, a cycle) still loads, so that ``jurisdiction.check`` can report them as
    findings; every other problem still raises :class:`PolicyError`. A directory's manifest
    (``.manifest``) is verified against the bytes loaded unless ``manifest=False`` (which
    ``jurisdiction check --write-manifest`` uses to replace a stale one).

    ``shown``: the files in ``root`` and ``overlays`` are copies of the files that were loaded
    at the paths it gives (a policy rebuilt from its content): named as those.
    """
    with paused():
        return _load_policy(root, strict=strict, manifest=manifest, overlays=overlays, shown=shown)


def _namer(root: Path, overlays: Path | None, shown: ShownAs | None) -> Callable[[Path], str]:
    """How a file read from ``root`` or ``overlays`` is named: its path, or where ``shown``
    says its original lies."""
    if shown is None:
        return str

    def name(path: Path) -> str:
        if path == root:
            return shown.root
        if path.is_relative_to(root):
            return str(Path(shown.root) / path.relative_to(root))
        if overlays is not None and shown.overlays is not None and path.is_relative_to(overlays):
            return str(Path(shown.overlays) / path.relative_to(overlays))
        return str(path)

    return name


def _overlays_dir(overlays: Path | None, shown: ShownAs | None) -> str | None:
    if overlays is None:
        return None
    return shown.overlays if shown is not None else str(overlays)


def _load_policy(
    root: Path, *, strict: bool, manifest: bool, overlays: Path | None, shown: ShownAs | None
) -> Policy:
    if not isinstance(root, Path):
        if not isinstance(root, str):
            raise PolicyError.single(
                "file", f"a policy is a path, got {type(root).__name__}", Location("<api>", 1, 1)
            )
        root = Path(root)
    listing = _listing(root)
    named = _namer(root, overlays, shown)
    kept = documents(root, listing, named)
    sources = kept.sources
    if kept.models is not None:
        validated = [_Source(d, m) for d, m in zip(kept.docs, kept.models, strict=True)]
    else:
        validated = _validate(kept.docs)
        kept.keep([v.model for v in validated])
    merged = _merge(validated)
    builder = _Builder(merged)
    articles = builder.articles()
    params = builder.parameters(articles)
    facts = builder.vocabulary_of_facts(params)
    if facts is None:
        raise PolicyError(builder.problems or [Diagnostic("missing-key", "no vocabulary")])
    vocab = builder.vocabulary()
    bodies = builder.bodies()
    definitions = builder.definitions(params, articles)
    questions = builder.questions(params, definitions, articles, vocab, bodies)
    forms = len(facts.hierarchy.forms)
    dating, dating_problems = build_dating(
        merged, articles, params, bodies, questions, vocab.outcomes, forms
    )
    dated, dated_problems = dated_by(merged)
    if builder.problems or dating_problems or dated_problems:
        raise PolicyError([*builder.problems, *dating_problems, *dated_problems])
    own = [(path, root) for path in (listing.overlays if listing is not None else ())]
    extra = [(path, overlays) for path in overlay_folder_listing(overlays)] if overlays else []
    found, overlay_docs = _overlays(root, params, facts.hierarchy, [*own, *extra], named)
    own_docs = overlay_docs[: len(own)]
    named_root = Path(shown.root) if shown is not None else root
    digests = {
        _name(named_root, file): digest
        for file, digest in [*sources, *((d.file, d.digest) for d in own_docs)]
    }
    if manifest and listing is not None and listing.manifest is not None:
        verify_manifest(listing.manifest, root, digests)
    meta, _src = merged.meta  # type: ignore[misc]
    document, _dsrc = merged.document  # type: ignore[misc]
    policy = Policy(
        name=meta.name,
        version=meta.version,
        title=_text(meta.title),
        document_title=_text(document.title),
        chapters={n: Text(c.zh, c.en) for n, (_i, c, _s) in sorted(merged.chapters.items())},
        articles=articles,
        parameters=params,
        vocabulary=vocab,
        bodies=bodies,
        definitions=definitions,
        questions=questions,
        fingerprint=_fingerprint(
            {
                **digests,  # the caller's overlays under a name no policy file can have
                **{f"--overlays/{Path(d.file).name}": d.digest for d in overlay_docs[len(own) :]},
            }
        ),
        root=shown.root if shown is not None else str(root),
        files=(*(file for file, _ in sources), *(d.file for d in overlay_docs)),
        digests=digests,
        overlays=found,
        overlays_dir=_overlays_dir(overlays, shown),
        facts=facts,
        provenance=_text(meta.provenance) if meta.provenance is not None else None,
        dating=dating,
        dated_by=dated,
        citation_style=document.citation,
    )
    bad = [Diagnostic("override", msg, rule.location) for rule, msg in override_problems(policy)]
    if bad and strict:
        raise PolicyError(bad)
    return policy
