"""The public engine: the engine layer's :class:`~jurisdiction.engine.engine.Engine` with the
methods that the layers above it provide — ``explain`` (``analysis``), ``decide_table`` and
``decide_frame`` (``batch``) — so that the engine imports nothing above itself and callers keep
one object to call. Each layer is imported on first use (the batch layer needs an extra).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .engine import engine as _engine
from .engine.engine import Evaluator, policy_at

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .analysis.explain import Explanation

__all__ = ["Engine", "load"]


class Engine(_engine.Engine):
    """A loaded, compiled policy that answers questions about fact sets.

    ``evaluator`` chooses what evaluates the conditions and overrides: ``"compiled"`` (the
    default) or ``"durable"`` (durable_rules, installed with ``pip install
    'jurisdiction[durable]'``). Both give the same decisions, built by the same code.
    """

    __slots__ = ()

    def explain(
        self,
        facts: Mapping[str, Any] | BaseModel,
        question: str,
        *,
        as_of: datetime.date | str | None = None,
    ) -> Explanation:
        """Why the decision is what it is: every rule of the question with its condition
        evaluated node by node, fired/overridden and by whom, and for each rule that does not
        apply the nearest change of facts that would make it apply (docs/check.md). As of the
        day ``decide`` would use (``as_of``, the facts' date, or today)."""
        from .analysis.explain import explain

        return explain(self, facts, question, as_of=as_of)

    def decide_table(
        self,
        table: Any,
        question: str | Sequence[str],
        *,
        nested: bool = False,
        id_column: str | None = None,
        engine: Literal["duckdb", "spark"] = "duckdb",
        as_of: datetime.date | str | None = None,
        as_of_column: str | None = None,
    ) -> Any:
        """Every row of ``table`` (an Arrow table, a Polars or pandas DataFrame, a DuckDB
        relation; with ``engine="spark"`` also a Spark DataFrame) answered, as a pyarrow Table
        in input order: the id column, then each question's outcome, bodies (with their
        citation chains), citations, sources, reason and ``error`` (decide's message for a row
        it refuses), and each row's ``as_of`` and ``as_of_source``. Each row is decided as of
        ``as_of``; or of its own day in the date column ``as_of_column``; or of the field the
        policy dates its kind of case by; else today — by the batch plans of the policy as it
        stands on that day, run on DuckDB (or Spark): docs/batch.md. Needs ``pip install
        'jurisdiction[batch]'``."""
        decide_table = _batch_extra().decide_table  # the batch extra: imported on demand

        return decide_table(
            self,
            table,
            question,
            nested=nested,
            id_column=id_column,
            backend=engine,
            as_of=as_of,
            as_of_column=as_of_column,
        )

    def decide_frame(
        self,
        frame: Any,
        question: str | Sequence[str],
        *,
        nested: bool = False,
        id_column: str | None = None,
        as_of: datetime.date | str | None = None,
        as_of_column: str | None = None,
    ) -> Any:
        """A Spark DataFrame answered on Spark, as a Spark DataFrame: lazy, nothing collected
        to the driver (for a register larger than it); the columns of ``decide_table``, each row
        as of the day ``decide_table`` takes. Needs ``pip install 'jurisdiction[spark]'``:
        docs/batch.md."""
        from .batch.spark import decide_frame  # the spark extra: imported on demand

        return decide_frame(
            self,
            frame,
            question,
            nested=nested,
            id_column=id_column,
            as_of=as_of,
            as_of_column=as_of_column,
        )


def load(
    path: str | Path | None = None,
    *,
    evaluator: Evaluator = "compiled",
    overlays: str | Path | None = None,
) -> Engine:
    """An engine for the bundled policy, or for the policy directory at ``path``.

    ``overlays`` adds a folder of overlay files (``<place>.yaml``, see docs/overlays.md) to the
    policy's own: values a caller chooses to decide with, named in every decision they change.

    ``evaluator="durable"`` evaluates with durable_rules instead of compiled closures (see
    :class:`Engine`); it needs ``pip install 'jurisdiction[durable]'``.
    """
    return Engine(policy_at(path, overlays), evaluator=evaluator)


def _batch_extra() -> Any:
    """``batch.embedded``, or an EvaluatorError saying how to install the batch extra."""
    try:
        from .batch import embedded
    except ImportError as exc:
        from .core.errors import EvaluatorError

        raise EvaluatorError(
            f"decide_table needs the batch extra: pip install 'jurisdiction[batch]' ({exc})"
        ) from None
    return embedded
