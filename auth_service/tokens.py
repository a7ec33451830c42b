"""The domain: which subject, if any, a token belongs to."""

import hashlib
import hmac


class TokenBook:
    """Accepted tokens, held only as SHA-256 digests.

    A lookup hashes the presented token and compares it with every digest in constant time, so
    neither the answer's timing nor memory reveals a token.
    """

    def __init__(self, digests_by_subject: dict[str, str]) -> None:
        self._entries = [(bytes.fromhex(digest), subject) for subject, digest in digests_by_subject.items()]

    def subject_for(self, token: str) -> str | None:
        presented = hashlib.sha256(token.encode()).digest()
        found = None
        for digest, subject in self._entries:
            if hmac.compare_digest(presented, digest):
                found = subject
        return found
