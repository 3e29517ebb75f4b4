"""Deciding: the evaluation semantics stated once (``engine``), the decision value and its
rendering as text (``decision``), and the second, Rete-based evaluator (``durable``).

May import ``core``, ``language`` and ``policy``; never a stage above it (the methods a caller
finds on ``jurisdiction.Engine`` that need those stages are added in ``jurisdiction._api``).
"""
