"""A question answered for a whole register: the policy's vocabulary as SQL (``sql_vocabulary``),
the plan per question (``plan``), run embedded on DuckDB (``embedded``) or on Spark (``spark``).
Needs the ``batch`` (and ``spark``) extras, imported only when a batch runs.

May import ``core``, ``language``, ``policy`` and ``engine``.
"""
