"""Positive answers from auth, remembered for a few seconds (off unless AUTH_CACHE_TTL is set).

The trade-off: a token revoked at auth keeps working here for up to the TTL. Refusals are never
remembered, so a newly issued token works at once. Keys are SHA-256 digests of the header, so
the cache holds no token.
"""

import hashlib
import time
from collections.abc import Callable


class DecisionCache:
    """Subject by Authorization header for `ttl` seconds; the oldest entries go first when full."""

    def __init__(self, ttl: float, max_entries: int = 10_000, clock: Callable[[], float] | None = None):
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock or time.monotonic  # looked up here, so that tests can replace it
        self._entries: dict[bytes, tuple[float, str]] = {}

    @staticmethod
    def _key(authorization: str) -> bytes:
        return hashlib.sha256(authorization.encode("latin-1")).digest()

    def get(self, authorization: str) -> str | None:
        key = self._key(authorization)
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, subject = entry
        if self._clock() >= expires:
            del self._entries[key]
            return None
        return subject

    def put(self, authorization: str, subject: str) -> None:
        key = self._key(authorization)
        self._entries.pop(key, None)  # re-inserted last: insertion order is age order
        while len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (self._clock() + self._ttl, subject)

    def __len__(self) -> int:
        return len(self._entries)
