"""The same question decided by zen-engine (GoRules' JDM decision tables, in Rust), beside
``decide(model)`` and the hand-written baseline, in one run.

    pip install zen-engine        # not a dependency of the package: only this comparison needs it
    python benchmarks/zen_engine.py [--quick]

``run.py`` calls it too, when zen-engine is installed (and says so when it is not).

The question is ``unit_management``, the tiers of (十) with district 120104's overlay, as of
2012-06-01: the one the issue's table compares with zen-engine, and the one a decision table says
naturally. The JDM graph is built here from the loaded policy's parameter values (the city's
code, each tier's staff bounds, whether a vice-bureau rank counts, per overlay district), as an
analyst would fill a decision table: a first-hit table whose rows are the overlay district's tiers
and then the city's, each row giving the outcome, the body's kind and level, and how many digits
of the unit's location are the body's place. Its answers (outcome, kind, level, place code) are
checked equal to the engine's on every drawn fact set before anything is timed.

What each side is given, to be fair to zen-engine: it evaluates plain dicts made once, before
timing (the engine takes the validated models ``run.py`` times as ``model``), and returns the four
values of its table's row; the engine builds a whole ``Decision``, with names, quotations,
citations and the rules fired, and the baseline a tuple of the same four values and citations.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import jurisdiction
from jurisdiction import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline import build, light
from drawn import fact_sets
from timing import per_call

QUESTION = "unit_management"
TEXT_DAY = "2012-06-01"
_DIGITS = {"district": 6, "street": 9, "community": 12}


def _rows(engine: Engine) -> list[dict[str, str]]:
    """The decision table's rows, first hit wins: per overlay district its tiers, then the
    city's. Each input cell is a unary test (``$`` the column's value), each output cell an
    expression; an empty cell matches anything."""
    policy = engine.policy
    rows = [{"in_city": "false", "outcome": '"not_applicable"'}]

    def tiers(district: str | None) -> list[dict[str, str]]:
        values = policy.parameters_for(district)
        lowest = int(values["unit_district_min_staff"].value)
        street_min = int(values["unit_street_min_staff"].value)
        street_max = int(values["unit_street_max_staff"].value)
        ranks = ['"ministerial"', '"bureau"']
        if bool(values["unit_vice_bureau_rank_counts"].value):
            ranks.append('"vice_bureau"')
        where = f'"{district}"' if district else ""
        body = {"outcome": '"responsible"'}
        district_body = {**body, "kind": '"fp_department"', "level": '"district"'}
        return [
            {"district": where, "large": "true", **district_body},
            {"district": where, "staff": f">= {lowest}", **district_body},
            {
                "district": where,
                "category": '"government_organ", "public_institution"',
                "rank": ", ".join(ranks),
                **district_body,
            },
            {
                "district": where,
                "staff": f"[{street_min}..{street_max}]",
                **body,
                "kind": '"street_office"',
                "level": '"street"',
            },
            {"district": where, **body, "kind": '"community_committee"', "level": '"community"'},
        ]

    for district in policy.overlays:
        rows += tiers(district)
    rows += tiers(None)
    return rows


def graph(engine: Engine) -> str:
    """The JDM graph (JSON): input → decision table → output."""
    inputs = {
        "in_city": "in_city",
        "district": "district",
        "large": "large_state_owned_enterprise",
        "staff": "staff",
        "category": "category",
        "rank": "rank",
    }
    outputs = ("outcome", "kind", "level")
    rules = []
    for index, row in enumerate(_rows(engine)):
        rule = {"_id": f"r{index}"}
        rule.update({name: row.get(name, "") for name in inputs})
        rule.update({name: row.get(name, "null") for name in outputs})
        rules.append(rule)
    table = {
        "hitPolicy": "first",
        "inputs": [{"id": n, "name": n, "field": f} for n, f in inputs.items()],
        "outputs": [{"id": n, "name": n, "field": n} for n in outputs],
        "rules": rules,
    }
    position = {"x": 0, "y": 0}
    nodes = [
        {"id": "in", "type": "inputNode", "name": "facts", "position": position},
        {
            "id": "table",
            "type": "decisionTableNode",
            "name": QUESTION,
            "position": position,
            "content": table,
        },
        {"id": "out", "type": "outputNode", "name": "answer", "position": position},
    ]
    edges = [
        {"id": "e1", "sourceId": "in", "targetId": "table", "type": "edge"},
        {"id": "e2", "sourceId": "table", "targetId": "out", "type": "edge"},
    ]
    return json.dumps({"nodes": nodes, "edges": edges})


def zen_input(facts: dict[str, Any], city: str) -> dict[str, Any]:
    """What the table reads: the unit's fields, with the location's district and whether it is
    in the city worked out as a caller of a decision table would."""
    location = str(facts["location"])
    return {
        **facts,
        "in_city": location.startswith(city),
        "district": location[:6],
    }


def zen_answer(result: dict[str, Any], facts: dict[str, Any]) -> tuple[str, str, str, str]:
    """(outcome, kind, level, place code) from the table's row."""
    row = result["result"]
    level = row.get("level")
    place = str(facts["location"])[: _DIGITS[level]] if level else ""
    return (row["outcome"], row.get("kind") or "", level or "", place)


def engine_answer(decision: jurisdiction.Decision) -> tuple[str, str, str, str]:
    outcome, bodies, _citations = light(decision)
    if not bodies:
        return (outcome, "", "", "")
    kind, level, place, _role, _cite = bodies[0]
    return (outcome, kind, level, place)


def measure(count: int, rounds: int) -> dict[str, float] | None:
    """µs per decision of zen-engine, ``decide(model)`` and the baseline on ``unit_management``,
    in turns; None when zen-engine is not installed."""
    try:
        import zen
    except ImportError:
        return None
    engine = jurisdiction.load().at(TEXT_DAY)
    city = str(engine.policy.parameters["city_code"].value)
    decision = zen.ZenEngine().create_decision(graph(engine))
    facts = fact_sets(count, questions=(QUESTION,))[QUESTION]
    models = [jurisdiction.parse_facts(f) for f in facts]
    inputs = [zen_input(f, city) for f in facts]
    for raw, model, given in zip(facts, models, inputs, strict=True):
        expected = engine_answer(engine.decide(model, QUESTION))
        got = zen_answer(decision.evaluate(given), raw)
        assert got == expected, (raw, got, expected)
    baseline = build(engine)[QUESTION]
    return per_call(
        {
            "zen": (decision.evaluate, inputs),
            "model": (lambda m: engine.decide(m, QUESTION), models),
            "baseline": (baseline, models),
        },
        rounds,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer facts and passes: seconds")
    args = parser.parse_args()
    count, rounds = (50, 5) if args.quick else (200, 40)
    t = measure(count, rounds)
    if t is None:
        print("zen-engine is not installed (pip install zen-engine): nothing measured")
        return 1
    print(
        f"{QUESTION}, µs per decision, best of {rounds} passes over {count} drawn fact sets "
        f"(answers checked equal first): zen-engine {t['zen']:.2f}, decide(model) "
        f"{t['model']:.2f}, hand-written {t['baseline']:.2f}; decide(model) takes "
        f"{t['model'] / t['zen']:.2f}× zen-engine's time"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
