"""The auth service: decides whether the token in the `Authorization` header is valid.

`uvicorn auth_service:app` serves it.
"""

from auth_service.main import app, create_app

__all__ = ["app", "create_app"]
