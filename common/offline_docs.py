"""Docs pages that make no request outside the service: fastapi-offline, minus ReDoc's one leak.

fastapi-offline serves Swagger UI and ReDoc from the service itself, but ReDoc's bundle still
fetches one image from the internet: the Redocly logo in its sidebar
(`https://cdn.redoc.ly/redoc/logo-mini.svg`). Offline that request fails; online it tells a third
party that someone opened the docs. The service serves the bundle with that URL emptied: the image
then fails at once, without a request, and ReDoc hides it (its own `onError`). The "API docs by
Redocly" link stays. The browser tests (`tests/browser/`) prove no page makes an outside request.
"""

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Response
from starlette.routing import Route

STATIC_URL = "/static-offline-docs"  # fastapi-offline's default
REDOC_BUNDLE = Path(fastapi_offline.__file__).resolve().parent / "static" / "redoc.standalone.js"
REDOC_LOGO_URL = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def offline_redoc_bundle() -> bytes:
    """ReDoc's bundle as fastapi-offline ships it, without the logo's outside URL."""
    return REDOC_BUNDLE.read_bytes().replace(REDOC_LOGO_URL, b"")


async def _redoc_bundle(_request: object) -> Response:
    return Response(
        offline_redoc_bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600"},
    )


def serve_offline_redoc_bundle(app: FastAPI) -> None:
    """Answer `<static>/redoc.standalone.js` with the offline bundle, ahead of the static mount."""
    # Routes match in order and fastapi-offline mounted its static folder first.
    app.router.routes.insert(0, Route(f"{STATIC_URL}/redoc.standalone.js", _redoc_bundle, methods=["GET"]))
