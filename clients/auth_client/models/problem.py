# Generated from specs/auth.yaml by openapi-python-client (make generate). Do not edit.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Problem")


@_attrs_define
class Problem:
    """Problem details for HTTP APIs (RFC 9457).

    Attributes:
        type_ (str): A URI reference that identifies the problem type.
        title (str): A short summary of the problem type.
        status (int): The HTTP status code.
        detail (str): What went wrong in this occurrence, for humans.
    """

    type_: str
    title: str
    status: int
    detail: str

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        title = self.title

        status = self.status

        detail = self.detail

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "title": title,
                "status": status,
                "detail": detail,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = d.pop("type")

        title = d.pop("title")

        status = d.pop("status")

        detail = d.pop("detail")

        problem = cls(
            type_=type_,
            title=title,
            status=status,
            detail=detail,
        )

        return problem
