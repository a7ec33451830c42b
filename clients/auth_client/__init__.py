# Generated from specs/auth.yaml by openapi-python-client (make generate). Do not edit.
"""A client library for accessing Auth service"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
