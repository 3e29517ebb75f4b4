"""The ``jurisdiction`` command: the group and the small commands (``main``), one module per larger
command (``cmd_*``), what the commands share (``common``, ``options``) and the JSON Schemas of the
files an analyst writes (``schemas``).

The top of the package: may import every stage; nothing imports it.
"""
