"""A policy from its files: strict YAML with source marks (``strict_yaml``, ``files``), the schema
of each file (``schema``), sources and manifest (``sources``), the declared vocabulary and fact
models (``vocabulary``, ``fact_models``), the frozen policy (``model``), building it with located
errors (``build``), overlays (``overlays``), loading (``load``), facts files (``facts_files``) and
the generated typed module (``codegen``).

May import ``core`` and ``language``.
"""
