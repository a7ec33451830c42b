# Generated from specs/info.yaml by datamodel-codegen (make generate). Do not edit.

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Info(BaseModel):
    """
    The answer.
    """

    model_config = ConfigDict(
        extra='forbid',
    )
    info: Annotated[str, Field(examples=['The answer is 42.'], max_length=64)]


class Health(BaseModel):
    """
    A probe's answer.
    """

    model_config = ConfigDict(
        extra='forbid',
    )
    status: Literal['ok']


class Problem(BaseModel):
    """
    Problem details for HTTP APIs (RFC 9457).
    """

    model_config = ConfigDict(
        extra='forbid',
    )
    type: Annotated[str, Field(examples=['about:blank'], max_length=2048)]
    """
    A URI reference that identifies the problem type.
    """
    title: Annotated[str, Field(examples=['Unauthorized'], max_length=64)]
    """
    A short summary of the problem type.
    """
    status: Annotated[int, Field(examples=[401], ge=400, le=599)]
    """
    The HTTP status code.
    """
    detail: Annotated[
        str, Field(examples=['A valid token is required in the Authorization header.'], max_length=512)
    ]
    """
    What went wrong in this occurrence, for humans.
    """
