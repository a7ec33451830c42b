"""What every service reads from the environment; each service's settings extend it."""

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """`ENVIRONMENT`, `LOG_LEVEL` and `ACCESS_LOG`, under those names whatever a service's prefix.

    Outside `dev`, a service refuses demo shortcuts (auth: the demo token).
    """

    # populate_by_name: `Settings(log_level="DEBUG")` in code, `LOG_LEVEL` from the environment.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    environment: Literal["dev", "production"] = Field("dev", validation_alias="ENVIRONMENT")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    access_log: bool = Field(True, validation_alias="ACCESS_LOG")
