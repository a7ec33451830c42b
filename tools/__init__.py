"""The project's own tooling: the service registry, and what is built on it.

Nothing here runs inside a service.
"""
