"""The condition and expression language: syntax tree (``conditions``), parsing (``parse``, with
the lark ``grammar`` and the per-user ``parse_cache``), the type environment a policy declares
(``subjects``: features and places; ``places``: the place-code hierarchy), type checking
(``typecheck``), typed expressions and their functions (``expressions``) and compiling a tree into
Python closures (``compile``). Nothing is ever ``eval``-ed.

May import ``core`` only.
"""
