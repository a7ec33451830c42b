"""The info service: answers `GET /info/` for callers the auth service vouches for.

`uvicorn info_service:app` serves it.
"""

from info_service.main import app, create_app

__all__ = ["app", "create_app"]
