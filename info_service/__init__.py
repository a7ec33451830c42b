"""The info service: answers `GET /info/` for callers the auth service vouches for.

`uvicorn info_service:app` serves it. Importing the package builds nothing and reads no
environment: `app` is built on first access, as the server loads it.
"""

from fastapi import FastAPI

from info_service.main import create_app

__all__ = ["app", "create_app"]


def __getattr__(name: str) -> FastAPI:
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    app = globals()["app"] = create_app(tune_gc=True)
    return app
