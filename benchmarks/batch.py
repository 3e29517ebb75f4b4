"""Batch benchmark: registers of units and of residents answered by the batch plan, on DuckDB and
on Spark, against a hand-written DuckDB ``CASE WHEN`` of the same answers and against ``decide``
in a Python loop.

    python benchmarks/batch.py                 # 1,000,000 rows of each (1 % of them invalid)
    python benchmarks/batch.py --rows 10000000 # the 10,000,000-row run
    python benchmarks/batch.py --no-spark --loop-rows 100000 --registers residents
    python benchmarks/batch.py --no-spark --before COMMIT  # that commit's plan too, in turns

The plan runs as ``jurisdiction batch`` does, its SQL kept in the user's cache (``keep_plan``; a
cache of the run's own, emptied first): the first run builds and keeps it and is shown on a row of
its own; the timed runs read it.

Every figure is rows per second over the same Parquet file, file to file (read, answer, write
Parquet), each run in a fresh process so that its peak RSS is its own, with its CPU time beside
it. The decide loop reads the rows with pyarrow and calls ``engine.decide(dict, question)`` per
row (validation included, as the plan validates); with ``--loop-rows`` it runs on the first N
rows only and its rate is reported per row. Before the table, the plan's output is checked
equal to decide's on every row the loop covered (the good rows' answers, the bad rows' errors).

The hand-written baselines are what a data team would write: for units the tiers of article
(十), the city's ranges and district 120104's overlay inlined; for residents the first-child
certificate as of 2012-06-01, chapter 1's scope and (二)5's exceptions, the parameters inlined.
Both give every column of the plan's flat output, reasons included, and validate nothing (no
flagged rows), and keep the rows in input order as the plan does (on a connection set as the
plan's: DuckDB would otherwise make the residents' IN list a join, and a join does not keep the
order: 491,520 of 10,000,000 rows out of place, measured). Each is checked equal to the plan's
output on every row without an error, and both to keep the input's order. Each
side's time counts its own DuckDB connection (``run_batch`` makes one; so does the baseline's
child, inside its timed part) and a read of its output (the plan's summary, the baseline's count).
Needs ``pip install '.[batch]'`` (and ``'.[spark]'`` for the Spark column).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from revisions import extracted

ROOT = Path(__file__).resolve().parent.parent

QUESTION = "unit_management"
CATEGORIES = [
    "government_organ",
    "public_institution",
    "state_owned_enterprise",
    "other_enterprise",
    "other",
]
RANKS = ["ministerial", "bureau", "vice_bureau", "division", "section", "none"]
DISTRICTS = ["120101", "120104", "120102", "120116", "130101"]


ROW_GROUP = 122_880
"""Rows per Parquet row group of the register: DuckDB's own default (pyarrow's, 1 Mi rows, would
give a 1,000,000-row file one group, which DuckDB reads on one thread only)."""


def make_units(path: Path, rows: int, chunk: int = 1_000_000) -> None:
    """``rows`` units (seeded), 1 % invalid in one field each, written in chunks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(7)
    writer = None
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        cols: dict[str, list[object]] = {
            k: []
            for k in ("id", "category", "rank", "large_state_owned_enterprise", "staff", "location")
        }
        for i in range(start, start + n):
            category = rng.choice(CATEGORIES)
            staff = rng.choice(
                [
                    rng.randint(0, 3000),
                    rng.choice([49, 50, 51, 99, 100, 101, 499, 500, 501, 999, 1000, 1001]),
                ]
            )
            location = (
                rng.choice(DISTRICTS) + f"{rng.randint(0, 599):03d}" + f"{rng.randint(0, 799):03d}"
            )
            cols["id"].append(f"u{i}")
            cols["category"].append(category)
            cols["rank"].append(rng.choice(RANKS))
            cols["large_state_owned_enterprise"].append(
                category == "state_owned_enterprise" and rng.random() < 0.2
            )
            cols["staff"].append(staff)
            cols["location"].append(location)
            if i % 100 == 42:  # 1 % bad rows, four kinds
                kind = (i // 100) % 4
                if kind == 0:
                    cols["staff"][-1] = -5
                elif kind == 1:
                    cols["category"][-1] = "ministry"
                elif kind == 2:
                    cols["location"][-1] = location[:6] + "901" + location[9:]
                else:
                    cols["location"][-1] = None
        table = pa.table(cols)
        if writer is None:
            writer = pq.ParquetWriter(str(path), table.schema)
        writer.write_table(table, row_group_size=ROW_GROUP)
    assert writer is not None
    writer.close()


BASELINE_SQL = """
COPY (
  WITH tiered AS (
    SELECT id, location, substr(location, 1, 6) = '120104' AS overlay,
      CASE
        WHEN substr(location, 1, 2) <> '12' THEN 0
        WHEN category IN ('government_organ', 'public_institution')
             AND (rank IN ('ministerial', 'bureau')
                  OR (rank = 'vice_bureau' AND substr(location, 1, 6) = '120104')) THEN 1
        WHEN large_state_owned_enterprise THEN 1
        WHEN substr(location, 1, 6) = '120104' THEN
          CASE WHEN staff >= 500 THEN 1 WHEN staff >= 50 THEN 3 ELSE 2 END
        ELSE CASE WHEN staff >= 1000 THEN 1 WHEN staff >= 100 THEN 3 ELSE 2 END
      END AS tier
    FROM read_parquet('{src}')
  )
  SELECT id,
    CASE WHEN tier = 0 THEN 'not_applicable' ELSE 'responsible' END AS outcome,
    CASE tier WHEN 1 THEN 'fp_department' WHEN 2 THEN 'community_committee'
              WHEN 3 THEN 'street_office' END AS body_kind,
    CASE tier WHEN 1 THEN 'district' WHEN 2 THEN 'community' WHEN 3 THEN 'street' END
      AS body_level,
    CASE tier WHEN 1 THEN substr(location, 1, 6) WHEN 2 THEN location
              WHEN 3 THEN substr(location, 1, 9) END AS body_place_code,
    CASE WHEN tier > 0 THEN 'responsible' END AS body_role,
    CASE WHEN tier > 0 THEN '(十)' END AS body_cite,
    '(十)' AS citations,
    CASE WHEN overlay THEN 'examples/overlays/120104.yaml' END AS sources,
    CASE WHEN tier = 0 THEN '该单位不坐落在本市所辖区域内，不属于驻地单位' END AS reason_zh,
    CASE WHEN tier = 0
         THEN 'the unit is not located in this city, so it is not a unit of article (十)' END
      AS reason_en,
    CAST(NULL AS VARCHAR) AS error
  FROM tiered
) TO '{out}' (FORMAT PARQUET)
"""
"""The unit tiers of article (十) as a data team would write them, the city's ranges and district
120104's overlay (examples/overlays/120104.yaml) inlined, with the same columns as the plan's
flat output (constants per tier: kind, level, role, citations, sources, reasons); no
validation, so no errors and nothing decided one by one."""


# --- residents ------------------------------------------------------------------------------------

RESIDENT_QUESTION = "first_child_certificate"
RESIDENT_DAY = "2012-06-01"
"""The resident register is answered as of a day the question is in force (it ended on
2016-01-01, when a birth came to need registration only: as of today every row would be
``not_in_force``)."""
CITY_DISTRICTS = ["120101", "120102", "120104", "120116", "120225"]
OTHER_DISTRICTS = ["130102", "110105"]
CAUSES = [
    "affiliation_unclear",
    "no_community_organisation",
    "not_fully_occupied",
    "division_unclear",
    "other",
    None,
]


def _code(rng: random.Random, districts: list[str], community: bool | None = None) -> str:
    """A street (9 digits) or community (12) code in one of ``districts``."""
    street = rng.choice(districts) + f"{rng.randint(0, 599):03d}"
    if community is None:
        community = rng.random() < 0.5
    return street + f"{rng.randint(0, 799):03d}" if community else street


def _area(rng: random.Random, residence: str) -> dict[str, object] | None:
    """The area the resident lives in: none for most; else a place in the residence's street,
    managed or a blind spot of some cause, with what that cause may carry."""
    if rng.random() < 0.6:
        return None
    place = residence[:9] + (f"{rng.randint(0, 799):03d}" if rng.random() < 0.5 else "")
    area: dict[str, object] = {"place": place, "management_in_place": rng.random() < 0.3}
    if not area["management_in_place"]:
        cause = rng.choice(CAUSES)
        area["blind_spot_cause"] = cause
        if cause in ("no_community_organisation", "not_fully_occupied") and rng.random() < 0.5:
            area["designated_street"] = place[:6] + f"{rng.randint(0, 599):03d}"
        if cause == "division_unclear":
            area["adjacent_districts"] = rng.sample(CITY_DISTRICTS, rng.choice([2, 3]))
    return area


def make_residents(path: Path, rows: int, chunk: int = 4 * ROW_GROUP) -> None:
    """``rows`` residents (seeded), typed as the plan reads them (``arrow_schema``): hukou and
    residence in the city or not, in one street or two; sex, age, marriage and a spouse; an
    area (a blind spot of each cause) for two in five. 1 % are invalid in one field each."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    import jurisdiction
    from jurisdiction.batch.query import arrow_schema

    schema = arrow_schema(jurisdiction.load(), "resident")
    schema = pa.schema([pa.field("id", pa.string()), *schema])
    rng = random.Random(11)
    writer = pq.ParquetWriter(str(path), schema)
    for start in range(0, rows, chunk):
        out: list[dict[str, object]] = []
        for i in range(start, min(start + chunk, rows)):
            hukou = _code(rng, CITY_DISTRICTS if rng.random() < 0.85 else OTHER_DISTRICTS)
            if rng.random() < 0.25:  # the same street
                residence = hukou[:9] + (f"{rng.randint(0, 799):03d}" if rng.random() < 0.5 else "")
            else:
                residence = _code(rng, CITY_DISTRICTS if rng.random() < 0.9 else OTHER_DISTRICTS)
            married = rng.choice(["married", "married", "unmarried", "divorced", "widowed", None])
            row: dict[str, object] = {
                "id": f"r{i}",
                "hukou": hukou,
                "residence": residence,
                "sex": rng.choice(["female", "male"]),
                "age": rng.choice([rng.randint(0, 90), rng.choice([14, 15, 17, 18, 49, 50])]),
                "marital_status": married,
            }
            if married == "married":
                row["spouse_sex"] = rng.choice(["female", "male", None])
                row["spouse_age"] = rng.choice([rng.randint(16, 70), None])
                row["spouse_hukou"] = rng.choice([_code(rng, CITY_DISTRICTS), None])
            row["area"] = _area(rng, residence)
            if i % 100 == 42:  # 1 % bad rows, four kinds
                kind = (i // 100) % 4
                if kind == 0:
                    row["age"] = -3
                elif kind == 1:
                    row["sex"] = "unknown"
                elif kind == 2:
                    row["hukou"] = hukou[:6] + "9" + hukou[7:]  # a street outside the ranges
                else:
                    row["residence"] = None
            out.append(row)
        writer.write_table(pa.Table.from_pylist(out, schema=schema), row_group_size=ROW_GROUP)
    writer.close()


RESIDENTS_SQL = """
COPY (
  WITH featured AS (
    SELECT id, hukou, residence, age,
      substr(hukou, 1, 2) = '12' AS hukou_in_city,
      substr(residence, 1, 2) = '12' AS residence_in_city,
      substr(hukou, 1, 9) <> substr(residence, 1, 9) AS cross_street,
      CASE WHEN area IS NULL OR substr(area.place, 1, 2) <> '12' OR area.management_in_place
           THEN 'none' ELSE coalesce(area.blind_spot_cause, 'unspecified') END AS cause,
      area.designated_street AS designated,
      area.adjacent_districts AS adjacent,
      CASE WHEN sex = 'female' AND age < 15 THEN 1 WHEN sex = 'female' AND age > 49 THEN 12
           WHEN sex = 'male' AND age < 18 THEN 13 WHEN sex = 'male' AND age > 49 THEN 14
      END AS too_young_or_old
    FROM read_parquet('{src}')
  ), answered AS (
    SELECT *,
      CASE
        WHEN NOT hukou_in_city AND cause <> 'affiliation_unclear' THEN 0
        WHEN NOT cross_street AND cause <> 'affiliation_unclear' THEN 2
        WHEN too_young_or_old IS NOT NULL THEN too_young_or_old
        WHEN NOT hukou_in_city THEN 4
        WHEN cause = 'affiliation_unclear' THEN 5
        WHEN NOT residence_in_city THEN 6
        WHEN cause IN ('no_community_organisation', 'not_fully_occupied') THEN
          CASE WHEN designated IS NULL THEN 8 ELSE 9 END
        WHEN cause = 'division_unclear' THEN 10
        WHEN cause IN ('unspecified', 'other') THEN 11
        ELSE 7
      END AS a
    FROM featured
  )
  SELECT id,
    CASE WHEN a IN (5, 7, 8, 9, 10) THEN 'responsible' WHEN a = 11 THEN 'undetermined'
         ELSE 'not_applicable' END AS outcome,
    CASE WHEN a IN (5, 7, 8, 9) THEN 'fp_department'
         WHEN a = 10 THEN array_to_string(list_transform(adjacent, lambda d: 'fp_department'), '; ')
    END AS body_kind,
    CASE WHEN a IN (5, 7, 9) THEN 'street' WHEN a = 8 THEN 'district'
         WHEN a = 10 THEN array_to_string(list_transform(adjacent, lambda d: 'district'), '; ')
    END AS body_level,
    CASE a WHEN 5 THEN substr(hukou, 1, 9) WHEN 7 THEN substr(residence, 1, 9)
           WHEN 8 THEN substr(residence, 1, 6) WHEN 9 THEN substr(designated, 1, 9)
           WHEN 10 THEN array_to_string(list_transform(adjacent, lambda d: substr(d, 1, 6)), '; ')
    END AS body_place_code,
    CASE WHEN a IN (5, 7, 8, 9) THEN 'responsible'
         WHEN a = 10 THEN array_to_string(list_transform(adjacent, lambda d: 'negotiates'), '; ')
    END AS body_role,
    CASE a WHEN 5 THEN '(七)' WHEN 7 THEN '(二)5' WHEN 8 THEN '(八) → (二)5'
           WHEN 9 THEN '(八) → (二)5'
           WHEN 10 THEN array_to_string(list_transform(adjacent, lambda d: '(九) → (二)5'), '; ')
    END AS body_cite,
    CASE a WHEN 4 THEN '(二)5; (七)' WHEN 5 THEN '(七)' WHEN 6 THEN '(一); (二)5'
           WHEN 7 THEN '(二)5' WHEN 8 THEN '(二)5; (八)' WHEN 9 THEN '(二)5; (八)'
           WHEN 10 THEN '(二)5; (九)' WHEN 11 THEN '(六)' ELSE '(一)' END AS citations,
    CAST(NULL AS VARCHAR) AS sources,
    CASE a
      WHEN 0 THEN '户籍地 ' || hukou || ' 不在本市（代码前缀 12），不具有本市户籍，不属于人户分离人员，也不居住在第(七)条所说的行政归属不明确的盲区，本章不适用'
      WHEN 1 THEN '年龄 ' || age || ' 岁低于育龄下限 15 岁（女），不属于育龄人员，本章不适用'
      WHEN 2 THEN '户籍地 ' || hukou || ' 与现居住地 ' || residence || ' 在同一乡镇街，未跨乡镇街生活居住，不属于人户分离人员，也不居住在第(七)条所说的行政归属不明确的盲区，本章不适用'
      WHEN 4 THEN '居住在第(七)条所说的盲区，户籍地 ' || hukou || ' 不在本市（代码前缀 12）：第(二)条第五项是户籍地的职责，本意见指导本市的部门，不指定本市以外的机构'
      WHEN 6 THEN '现居住地 ' || residence || ' 不在本市（代码前缀 12）：本意见指导本市的部门，(二)5的现居住地职责不由本市任何机构承担'
      WHEN 11 THEN '现居住的地区属于计划生育管理服务盲区，但事实中的盲区成因不属于第(七)、(八)、(九)条所列情形（或未给出）；第(六)条“区分情况、分类解决、属地管理”的原则下，本意见未指定第(二)条第五项中现居住地一方的负责机构'
      WHEN 12 THEN '年龄 ' || age || ' 岁高于育龄上限 49 岁（女），不属于育龄人员；第(一)条将本意见限于育龄人员，年龄更大的父母（如领取奖励费、特别扶助者）不在本意见的职责划分之内'
      WHEN 13 THEN '年龄 ' || age || ' 岁低于育龄下限 18 岁（男），不属于育龄人员，本章不适用'
      WHEN 14 THEN '年龄 ' || age || ' 岁高于育龄上限 49 岁（男），不属于育龄人员；第(一)条将本意见限于育龄人员，年龄更大的父母（如领取奖励费、特别扶助者）不在本意见的职责划分之内'
    END AS reason_zh,
    CASE a
      WHEN 0 THEN 'hukou ' || hukou || ' is not of this city (code prefix 12): not a separated person, nor living in a blind spot of unclear affiliation ((七)), so chapter 1 does not apply'
      WHEN 1 THEN 'age ' || age || ' is below the childbearing-age minimum 15 for a woman: not of childbearing age, so chapter 1 does not apply'
      WHEN 2 THEN 'hukou ' || hukou || ' and residence ' || residence || ' are in the same street/township, so she or he does not live across streets: not a separated person, nor living in a blind spot of unclear affiliation ((七)), so chapter 1 does not apply'
      WHEN 4 THEN 'the resident lives in a (七) blind spot with hukou ' || hukou || ' outside this city (code prefix 12): (二)5 is the hukou place''s, and this opinion directs the city''s own departments, so it names no body'
      WHEN 6 THEN 'the residence ' || residence || ' is outside this city (code prefix 12): this opinion directs the city''s own departments, so it assigns the residence-place duty of (二)5 to no body; the hukou-place duties of (三) still stand'
      WHEN 11 THEN 'the resident lives in a blind spot whose cause is not one that (七), (八) or (九) assigns (or is not given); under the principle of (六), distinguishing circumstances, resolving by category, management by locality, this opinion names no body for the residence-place side of (二)5'
      WHEN 12 THEN 'age ' || age || ' is above the childbearing-age maximum 49 for a woman: (一) limits this opinion to persons of childbearing age, so older parents (receiving the reward fee or special assistance, say) are outside its assignment'
      WHEN 13 THEN 'age ' || age || ' is below the childbearing-age minimum 18 for a man: not of childbearing age, so chapter 1 does not apply'
      WHEN 14 THEN 'age ' || age || ' is above the childbearing-age maximum 49 for a man: (一) limits this opinion to persons of childbearing age, so older parents (receiving the reward fee or special assistance, say) are outside its assignment'
    END AS reason_en,
    CAST(NULL AS VARCHAR) AS error
  FROM answered
) TO '{out}' (FORMAT PARQUET)
"""  # noqa: E501 - the reasons' texts, each on one line as the policy words them
"""First-child certificates ((二)5 and its exceptions (七)-(九), as of 2012-06-01) as a data team
would write them from the policy: the scope of chapter 1 and the order of its outside cases,
then the exceptions, the parameters (code prefix 12, the childbearing ages) inlined, the same
columns as the plan's flat output, reasons included; no validation, and no conflict (a
residence outside the city in a blind spot, which decide refuses, is given some answer)."""


@dataclass(frozen=True)
class Register:
    """One register the benchmark answers: how it is made, its question and day, and the
    hand-written query it is measured against."""

    name: str
    make: Callable[[Path, int], None]
    question: str
    day: str | None  # None: today
    baseline: str
    label: str


REGISTERS = {
    "units": Register(
        "units", make_units, QUESTION, None, BASELINE_SQL, "hand-written DuckDB CASE WHEN"
    ),
    "residents": Register(
        "residents",
        make_residents,
        RESIDENT_QUESTION,
        RESIDENT_DAY,
        RESIDENTS_SQL,
        "hand-written DuckDB CASE WHEN",
    ),
}

Result = tuple[float, int, int, float, float]
"""A timed run: wall seconds, rows, rows decided one by one, peak RSS in MB, CPU seconds (of
every thread, user and system: on a shared machine, steadier than the wall time)."""

# Each timed run is a child process: its own peak RSS, nothing warm from another run.
CHILD = {
    "plan": """
import sys, time, jurisdiction
from jurisdiction.batch.embedded import run_batch
engine = jurisdiction.load(overlays="examples/overlays")  # cwd: the repository
t, c = time.perf_counter(), cpu()
s = run_batch(engine, sys.argv[1], ["{q}"], sys.argv[2], as_of={day!r}{keep})
print(time.perf_counter() - t, s.rows, s.decided_in_python, cpu() - c)
""",
    "spark": """
import sys, time, jurisdiction
from jurisdiction.batch.embedded import run_batch
from jurisdiction.batch.spark import session
engine = jurisdiction.load(overlays="examples/overlays")  # cwd: the repository
session()
t, c = time.perf_counter(), cpu()
s = run_batch(engine, sys.argv[1], ["{q}"], sys.argv[2], in_format="parquet",
              out_format="parquet", backend="spark", as_of={day!r})
print(time.perf_counter() - t, s.rows, 0, cpu() - c)
""",
    "baseline": """
import sys, time, duckdb
sql = open(sys.argv[3]).read().format(src=sys.argv[1], out=sys.argv[2])
t, c = time.perf_counter(), cpu()
con = duckdb.connect()  # timed, as run_batch's own connection is (some 25 ms)
# as run_batch sets its own: an IN list left a list, not made a join with a table of its
# constants, which does not keep the rows in input order (see measure's check)
con.execute("SET disabled_optimizers = 'in_clause'")
con.execute(sql)
n = con.execute(f"select count(*) from read_parquet('{{sys.argv[2]}}')").fetchone()[0]
print(time.perf_counter() - t, n, 0, cpu() - c)
""",
    "loop": """
import sys, time, jurisdiction, pyarrow as pa, pyarrow.parquet as pq
from jurisdiction.batch.plan import decision_row, error_row
engine = jurisdiction.load(overlays="examples/overlays")  # cwd: the repository
limit = int(sys.argv[3])
t, c = time.perf_counter(), cpu()
rows = []  # the first `limit` rows only: reading all 10,000,000 would be timed too
for batch in pq.ParquetFile(sys.argv[1]).iter_batches(batch_size=65536):
    rows += batch.to_pylist()
    if len(rows) >= limit:
        break
rows = rows[:limit]
def given(value):  # a fact set as decide takes it: a null is an absent field, at every depth
    if isinstance(value, dict):
        return {{k: given(v) for k, v in value.items() if v is not None}}
    return value
subject = engine.question("{q}").subject
out = []
for row in rows:
    facts = given({{k: v for k, v in row.items() if k != "id"}})
    facts["kind"] = subject
    try:
        answer = decision_row(engine.decide(facts, "{q}", as_of={day!r}), nested=False)
    except jurisdiction.JurisdictionError as exc:
        answer = error_row(str(exc), nested=False)
    out.append({{"id": row["id"], **answer}})
schema = pa.schema([(name, pa.string()) for name in out[0]])
pq.write_table(pa.Table.from_pylist(out, schema=schema), sys.argv[2])
print(time.perf_counter() - t, len(rows), 0, cpu() - c)
""",
}


def child(name: str, register: Register, *args: str, source: Path | None = None) -> Result:
    """Run one timed child (in the repository: the overlay's path is relative to it), with the
    package of ``source`` (an extracted commit's ``src``) where given; (seconds, rows, rows
    decided one by one, peak RSS in MB, CPU seconds)."""
    code = CHILD["plan" if name in ("before", "cold") else name].format(
        q=register.question,
        day=register.day,
        # as the command line runs it: its SQL kept (the cache of the run, see measure); a commit
        # before kept_plans cannot keep it
        keep="" if name == "before" else ", keep_plan=True",
    )
    # the peak of this process's own memory: VmHWM, not getrusage's ru_maxrss, which a child
    # inherits from the process that forked it (here, the one that wrote the register)
    wrapper = (
        "import sys, resource\n"
        "def cpu():  # this process's CPU seconds, every thread's (user and system)\n"
        "    r = resource.getrusage(resource.RUSAGE_SELF)\n"
        "    return r.ru_utime + r.ru_stime\n"
        f"exec(compile({code!r}, '<{name}>', 'exec'))\n"
        "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM:')]\n"
        "print('rss', hwm[0].split()[1])\n"
    )
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=ROOT,
    )
    if done.returncode:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-3000:]}")
    lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
    seconds, rows, python, cpu = lines[-2].split()
    rss_kb = int(lines[-1].split()[1])
    return float(seconds), int(rows), int(python), rss_kb / 1024, float(cpu)


def check(
    src: Path, plan_out: Path, loop_out: Path, baseline_out: Path, day: str | None
) -> tuple[int, int]:
    """The plan's output equals the decide loop's, every column, on every row the loop covered;
    the baseline's equals the plan's, every column, on every row without an error (compared
    by DuckDB, joined by id: 10,000,000 rows do not fit in Python objects); both keep the rows
    of ``src`` in their order.
    Returns (rows compared with the loop, rows with an error among them)."""
    import duckdb
    import pyarrow.parquet as pq

    con = duckdb.connect()
    for name, out in (("plan", plan_out), ("baseline", baseline_out)):
        moved = con.execute(
            f"SELECT count(*) FROM (SELECT id FROM '{src}') POSITIONAL JOIN "
            f"(SELECT id AS out_id FROM '{out}') WHERE id IS DISTINCT FROM out_id"
        ).fetchall()[0]
        if moved[0]:
            raise AssertionError(f"the {name}'s output has {moved} rows out of input order")
    # the day each row was decided as of: the loop's is the same (given, or today's)
    expected = (
        (datetime.date.fromisoformat(day), "given")
        if day is not None
        else (datetime.date.today(), "today")
    )
    loop = pq.read_table(loop_out).to_pylist()
    plan = con.sql(f"SELECT * FROM '{plan_out}' LIMIT {len(loop)}").fetchall()
    columns = [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM '{plan_out}'").fetchall()]
    plan = [dict(zip(columns, row, strict=True)) for row in plan]
    errors = 0
    days = ("as_of", "as_of_source")
    for i, (mine, theirs) in enumerate(zip(plan, loop, strict=True)):
        found = tuple(mine.pop(k) for k in days)
        if mine["error"] is None and found != expected:
            raise AssertionError(f"row {i}: decided as of {found}, not {expected}")
        if mine != theirs:
            raise AssertionError(f"row {i}: plan {mine}, decide {theirs}")
        errors += mine["error"] is not None
    names = [c for c in columns if c not in days]
    base = [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM '{baseline_out}'").fetchall()]
    if base != names:
        raise AssertionError(f"columns: baseline {base}, plan {names}")
    differs = " OR ".join(f'p."{n}" IS DISTINCT FROM b."{n}"' for n in names)
    # joined by id (both in input order, checked above)
    found_rows = con.execute(
        f"SELECT count(*), min(p.id) FILTER (WHERE {differs}), count(*) FILTER (WHERE {differs}) "
        f"FROM '{plan_out}' p JOIN '{baseline_out}' b USING (id) WHERE p.error IS NULL"
    ).fetchone()
    counts = con.execute(
        f"SELECT (SELECT count(*) FROM '{plan_out}' WHERE error IS NULL), "
        f"(SELECT count(DISTINCT id) FROM '{baseline_out}')"
    ).fetchone()
    assert found_rows is not None
    assert counts is not None
    if found_rows[0] != counts[0] or counts[1] < counts[0]:
        raise AssertionError(f"the baseline lacks rows: {found_rows[0]:,} of {counts[0]:,} found")
    if found_rows[2]:
        raise AssertionError(
            f"{found_rows[2]:,} rows differ from the baseline's, the first {found_rows[1]}"
        )
    return len(loop), errors


def same_output(before: Path, after: Path) -> None:
    """The before commit's plan wrote what this one's did: every column, every row, in order."""
    import duckdb

    con = duckdb.connect()
    names = [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM '{after}'").fetchall()]
    differs = " OR ".join(f'a."{n}" IS DISTINCT FROM b."{n}"' for n in names)
    found = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {differs}) "
        f"FROM '{after}' a POSITIONAL JOIN '{before}' b"
    ).fetchone()
    assert found is not None
    if found[1]:
        raise AssertionError(f"{found[1]:,} of {found[0]:,} rows differ from the before commit's")


def first_run(register: Register, src: Path, out: Path, cache: Path) -> Result:
    """The plan's first run, its SQL built and kept as the command line keeps it, in a cache of
    this run's own (emptied first; the children's ``XDG_CACHE_HOME`` from now on): the runs
    timed after it read the SQL kept."""
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(mode=0o700)
    os.environ["XDG_CACHE_HOME"] = str(cache)
    cold = child("cold", register, str(src), str(out))
    print(f"cold {cold}", file=sys.stderr)
    return cold


def measure(register: Register, args: argparse.Namespace, work: Path) -> None:
    """One register: made (once per size), answered by each run, checked, printed."""
    src = work / f"{register.name}_{args.rows}.parquet"
    if not src.exists():
        t = time.perf_counter()
        register.make(src, args.rows)
        print(f"made {src} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    sql = work / f"{register.name}_baseline.sql"
    sql.write_text(register.baseline)
    out = {
        name: work / f"{register.name}_{name}.parquet"
        for name in ("plan", "before", "baseline", "loop")
    }
    before = extracted(args.before, work / f"before-{args.before}") if args.before else None
    loop_rows = args.loop_rows or args.rows
    load_before = os.getloadavg()
    runs: dict[str, list[Result]] = {"plan": [], "baseline": []}
    if before is not None:
        runs["before"] = []
    cold = first_run(register, src, out["plan"], work / "cache")
    for _ in range(args.repeat):
        runs["plan"].append(child("plan", register, str(src), str(out["plan"])))
        if before is not None:
            runs["before"].append(
                child("before", register, str(src), str(out["before"]), source=before)
            )
            print(f"before {runs['before'][-1]}", file=sys.stderr)
        runs["baseline"].append(
            child("baseline", register, str(src), str(out["baseline"]), str(sql))
        )
        print(f"plan {runs['plan'][-1]}, baseline {runs['baseline'][-1]}", file=sys.stderr)
    results = {name: min(found) for name, found in runs.items()}
    # the CPU column: the least CPU time of the runs (not necessarily the fastest run's)
    results = {name: (*best[:4], min(r[4] for r in runs[name])) for name, best in results.items()}
    results["cold"] = cold
    if not args.no_spark:
        results["spark"] = child("spark", register, str(src), str(work / "spark_out"))
        print(f"spark {results['spark']}", file=sys.stderr)
    results["loop"] = child("loop", register, str(src), str(out["loop"]), str(loop_rows))
    print(f"loop {results['loop']}", file=sys.stderr)
    load_after = os.getloadavg()
    compared, errors = check(src, out["plan"], out["loop"], out["baseline"], register.day)
    if before is not None:
        same_output(out["before"], out["plan"])
        print(f"\nthe plan of {args.before} wrote the same output, every column of every row")
    plan_rate = results["plan"][1] / results["plan"][0]
    day = f"as of {register.day}" if register.day else "as of today"
    print(
        f"\n{args.rows:,} {register.name}, `{register.question}` {day}; {errors:,} of the "
        f"first {compared:,} with an error; the plan's output equals the decide loop's on all "
        f"{compared:,} rows and the baseline's on every row without an error, every column"
    )
    print(f"plan rows decided one by one (flagged): {results['plan'][2]:,}")
    print(
        f"{os.cpu_count()} CPUs; load average (1 min) {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after; plan and baseline: fastest of {args.repeat} runs each "
        "(all: "
        + ", ".join(
            f"{name} " + "/".join(f"{r[0]:.2f}" for r in found) for name, found in runs.items()
        )
        + " s; CPU: "
        + ", ".join(
            f"{name} " + "/".join(f"{r[4]:.2f}" for r in found) for name, found in runs.items()
        )
        + " s)\n"
    )
    print("| run | rows | seconds | rows/s | plan ÷ run | CPU s | plan ÷ run, CPU | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    labels = {
        "plan": "batch plan, DuckDB (jurisdiction batch)",
        "cold": "the same, its SQL built (the first run: nothing kept yet)",
        "before": f"the same, as of commit {args.before}",
        "baseline": f"{register.label}, same columns",
        "spark": "batch plan, Spark local[2]",
        "loop": "decide(dict) loop, Parquet to Parquet",
    }
    plan_cpu = results["plan"][4] / results["plan"][1]
    for name, (seconds, rows, _python, rss, cpu) in results.items():
        rate = rows / seconds
        print(
            f"| {labels[name]} | {rows:,} | {seconds:.2f} | {rate:,.0f} | "
            f"{plan_rate / rate:.2f} | {cpu:.2f} | {(cpu / rows) / plan_cpu:.2f} | {rss:,.0f} |"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--loop-rows", type=int, default=None, help="rows the decide loop runs on (default: all)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of the plan and of the baseline, taken in turn; the fastest of each counts",
    )
    parser.add_argument(
        "--registers",
        default="units,residents",
        help="which registers, of " + ", ".join(REGISTERS) + " (comma-separated)",
    )
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument(
        "--before",
        metavar="COMMIT",
        default=None,
        help="also time the plan of COMMIT (its src and policies, git archive), in turns",
    )
    parser.add_argument("--dir", type=Path, default=None, help="where to keep the files")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="jurisdiction-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    for name in args.registers.split(","):
        measure(REGISTERS[name.strip()], args, work)


if __name__ == "__main__":
    main()
