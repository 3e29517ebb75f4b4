"""``decide_table(pandas.read_csv(...))`` (issue 21): a frame whose columns pandas typed on its
own (place codes as numbers, an optional number as float) is cast as ``jurisdiction batch``
casts the same CSV — one function for both — or refused up front, naming the column and its
dtype."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

pd = pytest.importorskip("pandas")
pytest.importorskip("duckdb")

import jurisdiction  # noqa: E402
from jurisdiction import FactsError  # noqa: E402
from jurisdiction.cli.main import cli  # noqa: E402

ENGINE = jurisdiction.load()
RESIDENTS = """\
id,hukou,residence,sex,age,marital_status,spouse_sex,spouse_hukou
r1,120101001,120104002,female,31,married,male,120104002
r2,120101001001,120101001002,female,26,unmarried,,
r3,120101001,120104002,male,61,married,female,120101001
r4,110101001,120104002,female,30,unmarried,,
"""
UNITS = """\
id,category,staff,location
u1,other_enterprise,1000,120101002001
u2,other_enterprise,50,120104001001
u3,government_organ,50,120104001001
u4,other_enterprise,7,120101001001
"""


def _batch(tmp: Path, csv: Path, question: str) -> list[tuple[object, object]]:
    out = tmp / f"{csv.stem}.parquet"
    args = ["batch", str(csv), "-q", question, "-o", str(out), "--as-of", "2012-06-01", "--quiet"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    table = pq.read_table(out)
    return list(zip(table["outcome"].to_pylist(), table["error"].to_pylist(), strict=True))


@pytest.mark.parametrize(
    ("text", "question", "dtypes"),
    [
        (RESIDENTS, "first_child_certificate", {"hukou": "int64", "spouse_hukou": "float64"}),
        (UNITS, "unit_management", {"location": "int64", "staff": "int64"}),
    ],
    ids=["residents", "units"],
)
def test_a_frame_read_by_pandas_answers_as_batch_does(
    tmp_path: Path, text: str, question: str, dtypes: dict[str, str]
) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text(text, "utf-8")
    frame = pd.read_csv(csv)
    for column, dtype in dtypes.items():  # what pandas made of the columns on its own
        assert str(frame[column].dtype) == dtype
    if "spouse_hukou" in frame:  # a code column with blanks: float64, refused up front below
        frame = pd.read_csv(csv, dtype={"spouse_hukou": str})
    got = ENGINE.decide_table(frame, question, as_of="2012-06-01").to_pydict()
    answers = list(zip(got["outcome"], got["error"], strict=True))
    assert answers == _batch(tmp_path, csv, question)
    assert all(error is None for _outcome, error in answers), answers


def test_a_column_that_cannot_be_cast_is_refused_naming_it_and_its_dtype(tmp_path: Path) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text(RESIDENTS, "utf-8")
    frame = pd.read_csv(csv)  # spouse_hukou: codes with blank cells, so float64
    with pytest.raises(FactsError) as err:
        ENGINE.decide_table(frame, "first_child_certificate", as_of="2012-06-01")
    assert "column `spouse_hukou` is DOUBLE (float64)" in str(err.value)
    assert "dtype=str" in str(err.value)
    units = pd.read_csv(pd.io.common.StringIO(UNITS.replace(",50,", ",,")))
    assert str(units["staff"].dtype) == "float64"
    with pytest.raises(FactsError, match=r"column `staff` is DOUBLE \(float64\).*'Int64'"):
        ENGINE.decide_table(units, "unit_management", as_of="2012-06-01")
