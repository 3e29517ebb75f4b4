"""What a policy means, computed exactly: the partition of a question's fact space into classes
(``partition``), the realiser that builds a fact set for a class (``realise``), the checker and its
certificate (``check``, ``certificate``, ``patterns`` for overlays that share a partition), the
explanation of one decision (``explain``) and the difference between two policies (``diff``).

May import ``core``, ``language``, ``policy`` and ``engine``.
"""
