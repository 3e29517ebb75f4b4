"""Generate N district overlays for a copy of the bundled policy (a benchmark's input).

    python benchmarks/gen_overlays.py N OUTDIR

Copies ``policies/`` to OUTDIR and writes N overlays ``OUTDIR/overlays/12xxxx.yaml`` (seeded, the
same on every run), each setting the four parameters the city policy delegates to random valid
values: a district range ``>= dmin``, a street range ``smin..dmin-1`` and the vice-bureau rank.
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(n: int, out: Path, seed: int = 7) -> None:
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(ROOT / "policies", out)
    (out / "overlays").mkdir()
    rng = random.Random(seed)
    for c in rng.sample(range(101, 9999), n):
        d = f"12{c:04d}"
        dmin = rng.randrange(200, 2000)
        smin = rng.randrange(10, dmin - 1)
        vice = str(rng.random() < 0.5).lower()
        (out / "overlays" / f"{d}.yaml").write_text(
            f"""overlay:
  district: "{d}"
  title: {{zh: 示例, en: example}}
parameters:
  unit_district_min_staff: {{value: {dmin}, note: generated}}
  unit_street_min_staff: {{value: {smin}, note: generated}}
  unit_street_max_staff: {{value: {dmin - 1}, note: generated}}
  unit_vice_bureau_rank_counts: {{value: {vice}, note: generated}}
""",
            encoding="utf-8",
        )


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
