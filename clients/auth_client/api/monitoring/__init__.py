# Generated from specs/auth.yaml by openapi-python-client (make generate). Do not edit.
"""Contains endpoint functions for accessing the API"""
