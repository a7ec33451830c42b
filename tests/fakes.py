"""Stand-ins for a service that another one calls, as `httpx.MockTransport` handlers, and the
answers tests expect: each written once, here."""

import httpx

# The 401 problem every service answers a missing or invalid token with (its spec's example).
UNAUTHORIZED = {
    "type": "about:blank",
    "title": "Unauthorized",
    "status": 401,
    "detail": "A valid token is required in the Authorization header.",
}


def refuse(request: httpx.Request) -> httpx.Response:
    """A service that refuses the connection."""
    raise httpx.ConnectError("refused", request=request)


def time_out(request: httpx.Request) -> httpx.Response:
    """A service that does not answer in time."""
    raise httpx.ReadTimeout("slow", request=request)


def says_no(request: httpx.Request | None = None) -> httpx.Response:
    """A service's documented 401: it does not accept the token."""
    return httpx.Response(401, json=UNAUTHORIZED)
