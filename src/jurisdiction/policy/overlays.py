"""Pass 5 of loading a policy: the district overlays (``overlays/<district>.yaml``), which may
set the parameters the city policy marks ``delegated`` and nothing else."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import Diagnostic, PolicyError, suggest
from ..language.places import Hierarchy, prefixes, root_code
from .build import _text, note_text
from .model import Overlay, Parameter
from .sources import pydantic_diagnostics
from .strict_yaml import LocatedDocument, Path_, load_yaml

if TYPE_CHECKING:  # imported where an overlay is read: a policy without one needs no schema
    from . import schema as s

__all__ = ["OVERLAY_DIR"]


# --- pass 5: district overlays ---------------------------------------------------------------

OVERLAY_DIR = "overlays"


def _relative(path: Path, root: Path, resolved: dict[Path, Path] | None = None) -> str:
    """How a decision names an overlay file: relative to the policy root when it lies in it,
    else to the working directory, else as the caller gave it (``overlays=``).

    ``resolved`` keeps the folders resolved so far: a file that is not a symbolic link resolves
    to its resolved folder and its name, one ``lstat`` instead of one per part of the path
    (a thousand overlays spent a tenth of their loading here)."""
    cache: dict[Path, Path] = resolved if resolved is not None else {}

    def resolve(p: Path) -> Path:
        found = cache.get(p)
        if found is None:
            found = p.resolve()
            cache[p] = found
        return found

    if path.name not in ("", ".", "..") and not path.is_symlink():
        full_path = resolve(path.parent) / path.name
    else:
        full_path = path.resolve()
    for base in (resolve(root), resolve(Path.cwd())):
        if full_path.is_relative_to(base):
            return full_path.relative_to(base).as_posix()
    return path.as_posix()


class _OverlayBuilder:
    """Checks overlay files against the loaded city parameters; collects every problem."""

    def __init__(self, root: Path, params: Mapping[str, Parameter], hierarchy: Hierarchy) -> None:
        self.root = root
        self.params = params
        self.hierarchy = hierarchy
        self.delegated = {n for n, p in params.items() if p.delegated}
        self.city = prefixes(params[hierarchy.root_parameter].value)
        self.problems: list[Diagnostic] = []
        self.resolved: dict[Path, Path] = {}

    def problem(
        self,
        code: str,
        message: str,
        doc: LocatedDocument,
        path: Path_,
        suggestion: str | None = None,
    ) -> None:
        self.problems.append(Diagnostic(code, message, doc.location(path), suggestion, path))

    def build(self, doc: LocatedDocument, path: Path) -> Overlay | None:
        before = len(self.problems)
        model = self._validate(doc)
        if model is None:
            return None
        district = model.overlay.code
        self._district(doc, path, district)
        values: dict[str, Parameter] = {}
        relative = _relative(path, self.root, self.resolved)
        for name, entry in model.parameters.items():
            param = self._parameter(doc, name, entry)
            if param is not None:
                values[name] = dataclasses.replace(
                    param,
                    value=entry.value,
                    note=note_text(entry.note),
                    location=doc.location(("parameters", name)),
                    source=doc.file,
                )
        if len(self.problems) > before:
            return None
        return Overlay(
            district,
            _text(model.overlay.title),
            relative,
            values,
            doc.location(()),
            within=model.overlay.within,
        )

    def _validate(self, doc: LocatedDocument) -> s.OverlayFile | None:
        from pydantic import ValidationError

        from . import schema as s

        if not isinstance(doc.value, dict):
            self.problem(
                "schema", "an overlay file is a mapping with `overlay` and `parameters`", doc, ()
            )
            return None
        extra = [k for k in doc.value if k not in s.OVERLAY_SECTIONS]
        for key in extra:
            self.problem(
                "overlay-section",
                f"an overlay sets delegated parameters only: section `{key}` belongs in the city "
                "policy (an overlay has `overlay` and `parameters`)",
                doc,
                (key,),
                suggest(key, set(s.OVERLAY_SECTIONS)),
            )
        if extra:
            return None
        try:
            return s.OverlayFile.model_validate(doc.value)
        except ValidationError as exc:
            self.problems.extend(pydantic_diagnostics(doc, exc))
            return None

    def _district(self, doc: LocatedDocument, path: Path, district: str) -> None:
        where: Path_ = _key(doc)
        h = self.hierarchy
        problem = h.problem(district)
        if problem is None and h.level_of(district) not in h.overlay_levels:
            levels = " or ".join(h.overlay_levels) or "none (the hierarchy declares no `overlays`)"
            problem = (
                f"an overlay is for a place of level {levels}, got {district!r} "
                f"(a {h.level_of(district)})"
            )
        if problem is not None:
            self.problem("overlay-district", problem, doc, where)
            return
        if path.stem != district:
            self.problem(
                "overlay-district",
                f"the overlay for district {district} must be named {district}.yaml, "
                f"not {path.name}",
                doc,
                where,
            )
        if not district.startswith(self.city):
            self.problem(
                "overlay-district",
                f"district {district} is not in this city "
                f"({h.root_parameter} {root_code(self.city)})",
                doc,
                where,
            )

    def _parameter(
        self, doc: LocatedDocument, name: str, entry: s.OverlayValue
    ) -> Parameter | None:
        where: Path_ = ("parameters", name)
        listed = ", ".join(sorted(self.delegated)) or "none"
        param = self.params.get(name)
        if param is None:
            self.problem(
                "overlay-unknown-parameter",
                f"unknown parameter `{name}`; the city policy delegates: {listed}",
                doc,
                where,
                suggest(name, self.delegated or set(self.params)),
            )
            return None
        if not param.delegated:
            self.problem(
                "overlay-not-delegated",
                f"parameter `{name}` is not delegated to districts (set at {param.location}); "
                f"an overlay may set only: {listed}",
                doc,
                where,
            )
            return None
        value = entry.value
        ok = {
            "int": isinstance(value, int) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "code_prefix": isinstance(value, str),
        }[param.type]
        if not ok:
            self.problem(
                "overlay-value",
                f"parameter `{name}` is of type {param.type}; got {value!r}",
                doc,
                (*where, "value"),
            )
            return None
        return param


def _overlays(
    root: Path,
    params: Mapping[str, Parameter],
    hierarchy: Hierarchy,
    files: Sequence[tuple[Path, Path]],
    shown: Callable[[Path], str] = str,
) -> tuple[dict[str, Overlay], list[LocatedDocument]]:
    """The overlays of ``files``: pairs of a file and the folder it must lie in (the policy
    directory for its own ``overlays/``, the caller's folder for ``overlays=``). Loaded with
    the cyclic collector paused (``policy.load``): a thousand overlays allocate some 100,000
    containers that live on with the policy."""
    builder = _OverlayBuilder(root, params, hierarchy)
    overlays: dict[str, Overlay] = {}
    located: dict[str, LocatedDocument] = {}
    docs: list[LocatedDocument] = []
    for path, within in files:
        doc = load_yaml(path, shown(path), within=within)
        docs.append(doc)
        overlay = builder.build(doc, path)
        if overlay is not None:
            if overlay.district in overlays:
                builder.problem(
                    "overlay-district",
                    f"district {overlay.district} already has an overlay "
                    f"({overlays[overlay.district].file})",
                    doc,
                    _key(doc),
                )
                continue
            overlays[overlay.district] = overlay
            located[overlay.district] = doc
    combined = _combined(hierarchy, overlays)
    for code, overlay in combined.items():
        _check_within(builder, located[code], overlay)
    if builder.problems:
        raise PolicyError(builder.problems)
    return combined, docs


def _key(doc: LocatedDocument) -> Path_:
    """Where an overlay file names its place: ``overlay.place``, or ``overlay.district``."""
    head = doc.value.get("overlay") if isinstance(doc.value, dict) else None
    return (
        ("overlay", "place")
        if isinstance(head, dict) and "place" in head
        else (
            "overlay",
            "district",
        )
    )


def _combined(hierarchy: Hierarchy, own: Mapping[str, Overlay]) -> dict[str, Overlay]:
    """Each overlay with the overlays of the places containing it applied first, the widest
    first: the values in force in its place (a narrower place's value replaces a wider one's)."""
    out: dict[str, Overlay] = {}
    lengths = sorted(hierarchy.overlay_lengths)
    for code, overlay in own.items():
        chain = tuple(own[code[:n]] for n in lengths if n <= len(code) and code[:n] in own)
        if len(chain) == 1:
            out[code] = dataclasses.replace(overlay, chain=chain)
            continue
        merged: dict[str, Parameter] = {}
        for member in chain:
            merged.update(member.parameters)
        out[code] = dataclasses.replace(overlay, parameters=merged, chain=chain)
    return out


def _check_within(builder: _OverlayBuilder, doc: LocatedDocument, overlay: Overlay) -> None:
    """``overlay.within``, where a file says it, must be the place of the overlay it applies
    over: the nearest place containing it that has an overlay (``overlay-parent``)."""
    if overlay.within is None:
        return
    wider = overlay.members[:-1]
    parent = wider[-1].district if wider else None
    if overlay.within == parent:
        return
    if not overlay.district.startswith(overlay.within) or overlay.within == overlay.district:
        why = f"{overlay.within} does not contain {overlay.district}"
    elif parent is None:
        why = f"{overlay.within} has no overlay, and no place containing {overlay.district} has one"
    else:
        why = (
            f"the nearest place containing {overlay.district} with an overlay is {parent} "
            f"({wider[-1].file}), not {overlay.within}"
        )
    builder.problem(
        "overlay-parent",
        f"the overlay of {overlay.district} says it applies over {overlay.within}'s: {why}",
        doc,
        ("overlay", "within"),
    )
