"""JSON Schemas (draft 2020-12) of the files an analyst writes, from the loader's own models.

``policy`` and ``overlay`` come from the strict pydantic models the loader validates policy and
overlay files with (``policy.schema``); ``cases`` from the test-case models (``testing.cases``);
``facts`` from a policy's own fact models (a facts file holds one fact set or a list of them),
so it is the bundled policy's unless another is given; ``decision`` is the service's response
schema (``service.contract``), as ``Decision.to_json`` writes a decision. The package ships them
in ``schemas/``; editors that read a ``$schema`` comment line (VS Code's YAML extension) complete
and validate with them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel

__all__ = [
    "KINDS",
    "Kind",
    "render_schema",
    "schema",
    "set_modelines",
    "shipped_schemas_path",
    "write_beside",
]

Kind = Literal["policy", "overlay", "facts", "cases", "decision"]
KINDS: tuple[str, ...] = get_args(Kind)

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def shipped_schemas_path() -> Path:
    """Where the package's schemas are (beside the bundled policy, in a wheel or a checkout)."""
    from ..engine.engine import bundled_policy_path

    return bundled_policy_path().parent / "schemas"


def schema(kind: Kind, policy_dir: Path | None = None) -> dict[str, Any]:
    """The JSON Schema of one kind of file."""
    out: dict[str, Any]
    if kind == "policy":
        from ..policy.schema import WrittenPolicyFile

        out = _model(WrittenPolicyFile, "a file of a jurisdiction policy")
    elif kind == "overlay":
        from ..policy.schema import OverlayFile

        out = _model(OverlayFile, "a district overlay of a jurisdiction policy")
    elif kind == "cases":
        from ..testing.cases import CaseFileModel

        out = _model(CaseFileModel, "a file of jurisdiction test cases")
    elif kind == "facts":
        out = _facts(policy_dir)
    elif kind == "decision":
        from ..service.contract import decision_schema

        return decision_schema()
    else:
        raise ValueError(f"unknown kind of schema `{kind}`; choose one of {', '.join(KINDS)}")
    return {"$schema": _DRAFT, **out}


def _model(model: type[BaseModel], title: str) -> dict[str, Any]:
    generated = model.model_json_schema()
    generated["title"] = title
    return generated


def _facts(policy_dir: Path | None) -> dict[str, Any]:
    from ..engine.engine import bundled_policy_path
    from ..policy.load import load_policy
    from ..service.contract import facts_file_schema

    return facts_file_schema(
        load_policy(policy_dir if policy_dir is not None else bundled_policy_path())
    )


def render_schema(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


MODELINE = "# yaml-language-server: $schema="
BESIDE: tuple[Kind, ...] = ("policy", "overlay", "cases", "facts")
"""The schemas ``jurisdiction schema --write DIR`` writes into a policy directory, each as
``<kind>.schema.json`` (a name the loader allows there)."""


def write_beside(policy_dir: Path) -> list[Path]:
    """The schemas of :data:`BESIDE` written into ``policy_dir`` (its facts schema from its own
    fact models), so that a copy of the folder keeps them; returns the files written."""
    written = []
    for kind in BESIDE:
        path = policy_dir / f"{kind}.schema.json"
        path.write_text(render_schema(schema(kind, policy_dir)), encoding="utf-8")
        written.append(path)
    return written


def set_modelines(policy_dir: Path) -> list[Path]:
    """Each YAML file of the policy directory given a first line naming the schema beside the
    policy, by a path relative to the file (``./policy.schema.json``, in ``overlays/`` and
    ``cases/`` ``../overlay.schema.json`` and ``../cases.schema.json``): a line kept when the
    folder is copied. An existing modeline is replaced; returns the files changed."""
    changed = []
    targets = [(p, "./policy.schema.json") for p in sorted(policy_dir.glob("*.yaml"))]
    targets += [(p, "../overlay.schema.json") for p in sorted(policy_dir.glob("overlays/*.yaml"))]
    targets += [(p, "../cases.schema.json") for p in sorted(policy_dir.glob("cases/*.yaml"))]
    for path, target in targets:
        text = path.read_text(encoding="utf-8")
        line = f"{MODELINE}{target}\n"
        first, _, rest = text.partition("\n")
        new = line + rest if first.startswith(MODELINE) else line + text
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed
