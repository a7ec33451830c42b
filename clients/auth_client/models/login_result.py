# Generated from specs/auth.yaml by openapi-python-client (make generate). Do not edit.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="LoginResult")


@_attrs_define
class LoginResult:
    """Who the token belongs to.

    Attributes:
        subject (str): The name the token is configured under.
    """

    subject: str

    def to_dict(self) -> dict[str, Any]:
        subject = self.subject

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "subject": subject,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        subject = d.pop("subject")

        login_result = cls(
            subject=subject,
        )

        return login_result
