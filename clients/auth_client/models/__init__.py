# Generated from specs/auth.yaml by openapi-python-client (make generate). Do not edit.
"""Contains all the data models used in inputs/outputs"""

from .health import Health
from .health_status import HealthStatus
from .login_result import LoginResult
from .problem import Problem

__all__ = (
    "Health",
    "HealthStatus",
    "LoginResult",
    "Problem",
)
