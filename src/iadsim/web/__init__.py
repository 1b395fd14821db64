"""The local web application of ``iadsim serve``: editor, live runs and results, wargame.

Import :func:`create_app` from :mod:`iadsim.web.app`; FastAPI is imported only here,
never by ``import iadsim``.
"""

from __future__ import annotations

__all__: list[str] = []
