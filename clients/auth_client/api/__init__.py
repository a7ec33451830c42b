# Generated from specs/auth.yaml by openapi-python-client (make generate). Do not edit.
"""Contains methods for accessing the API"""
