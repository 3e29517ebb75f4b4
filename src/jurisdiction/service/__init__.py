"""The decision service: ``jurisdiction serve`` over HTTP (Starlette and uvicorn, the ``serve``
extra), its OpenAPI contract made from the policy's vocabulary, the decision log and its replay,
hot reload, and the caseworker page. It may import every stage below ``cli`` (``_api``,
``analysis``, ``engine``, ``policy``, ``language``, ``core``); only ``cli`` imports it.
``contract`` and ``log`` import no web framework, so the command line's ``schema`` and
``replay`` work without the extra."""
