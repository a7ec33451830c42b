"""Plumbing both services share: spec serving, problem+json, request ids, logs, credentials.

Nothing here knows about tokens' validity or answers; that stays in each service.
"""
