"""Settings from the environment; the defaults run the demo with no setup."""

from pydantic import Field, HttpUrl, PositiveFloat, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.ratelimit import RateLimitSettings
from common.settings import ServiceSettings


class CallsToAuth(BaseSettings):
    """How the info service calls the auth service (`AUTH_URL`, `AUTH_*_TIMEOUT`, ...), and how it
    copes when auth fails. These are info's settings: the auth service itself never reads them.

    Timeouts keep a caller's worst wait under 2 s: a refused connection is retried once after
    50 ms; a slow auth costs at most the connect or read timeout.
    """

    model_config = SettingsConfigDict(extra="ignore")

    auth_url: HttpUrl = HttpUrl("http://127.0.0.1:8001")
    auth_connect_timeout: PositiveFloat = 0.5
    auth_read_timeout: PositiveFloat = 1.0
    auth_pool_size: PositiveInt = 100
    auth_retries: int = Field(
        1, ge=0, le=3, description="Retries of a refused connection, never of an answer."
    )
    auth_breaker_failures: PositiveInt = Field(5, description="Consecutive failures that open the breaker.")
    auth_breaker_reset: PositiveFloat = Field(
        5.0, description="Seconds the breaker stays open before a probe."
    )
    auth_cache_ttl: float = Field(
        0.0,
        ge=0,
        le=60,
        description="Seconds a positive answer from auth is reused; 0 asks auth every time. "
        "A revoked token keeps working here for up to this long.",
    )


class Settings(ServiceSettings, CallsToAuth):
    """The info service's settings: the shared ones (`common/settings.py`), its calls to auth, and
    the budget of failed token attempts per caller (`RATE_LIMIT_*`)."""

    model_config = SettingsConfigDict(extra="ignore")

    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
