"""Settings from the environment; the defaults run the demo with no setup."""

import hashlib
import logging
from typing import Annotated

from pydantic import Field, SecretStr, StringConstraints, model_validator
from pydantic_settings import SettingsConfigDict

from common.ratelimit import RateLimitSettings
from common.settings import ServiceSettings

log = logging.getLogger(__name__)

DEMO_TOKEN = "merixstudio"  # noqa: S105 -- the public demo token, refused outside dev
DEMO_SUBJECT = "demo"

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$", to_lower=True)]
# What specs/auth.yaml allows a subject to be (LoginResult.subject): refused at startup otherwise.
Subject = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,128}$")]


def sha256_hex(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Settings(ServiceSettings):
    """The auth service's own settings, `AUTH_*`, over the shared ones (`common/settings.py`).

    `AUTH_TOKENS='{"alice": "s3cret"}'` or, better, `AUTH_TOKEN_SHA256='{"alice": "<hex>"}'`.

    Each maps a subject (who the token belongs to) to its token or the token's SHA-256 digest.
    With neither set, in dev only, the demo token `merixstudio` is accepted for subject `demo`.
    """

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    tokens: dict[Subject, SecretStr] = Field(default_factory=dict)
    token_sha256: dict[Subject, Sha256Hex] = Field(default_factory=dict)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)

    @model_validator(mode="after")
    def _no_demo_outside_dev(self) -> "Settings":
        if self.environment != "dev":
            if not self.digests_by_subject():
                raise ValueError("ENVIRONMENT is not dev: configure AUTH_TOKEN_SHA256 or AUTH_TOKENS")
            if sha256_hex(DEMO_TOKEN) in self.digests_by_subject().values():
                raise ValueError("ENVIRONMENT is not dev: the demo token must not be accepted")
        return self

    @property
    def demo_mode(self) -> bool:
        return not self.tokens and not self.token_sha256

    def digests_by_subject(self) -> dict[str, str]:
        """Every accepted token as subject -> SHA-256 hex digest; the demo token in demo mode."""
        if self.demo_mode and self.environment == "dev":
            return {DEMO_SUBJECT: sha256_hex(DEMO_TOKEN)}
        digests = {subject: sha256_hex(token.get_secret_value()) for subject, token in self.tokens.items()}
        return digests | self.token_sha256
