# Generated from specs/auth.yaml by openapi-python-client (make generate). Do not edit.
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.login_result import LoginResult
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    x_request_id: str | Unset = UNSET,
    x_forwarded_for: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-ID"] = x_request_id

    if not isinstance(x_forwarded_for, Unset):
        headers["X-Forwarded-For"] = x_forwarded_for

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/login/",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LoginResult | Problem | None:
    if response.status_code == 200:
        response_200 = LoginResult.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[LoginResult | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    x_request_id: str | Unset = UNSET,
    x_forwarded_for: str | Unset = UNSET,
) -> Response[LoginResult | Problem]:
    """Check a token

     Answers 200 with the subject the token belongs to, or 401 when the token is missing or
    not valid. A caller address that failed too often lately gets 429 without its token
    being checked; the caller is the peer, or the address a trusted proxy (the info service)
    names in `X-Forwarded-For`. Takes no request body.

    Args:
        x_request_id (str | Unset):
        x_forwarded_for (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LoginResult | Problem]
    """

    kwargs = _get_kwargs(
        x_request_id=x_request_id,
        x_forwarded_for=x_forwarded_for,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    x_request_id: str | Unset = UNSET,
    x_forwarded_for: str | Unset = UNSET,
) -> LoginResult | Problem | None:
    """Check a token

     Answers 200 with the subject the token belongs to, or 401 when the token is missing or
    not valid. A caller address that failed too often lately gets 429 without its token
    being checked; the caller is the peer, or the address a trusted proxy (the info service)
    names in `X-Forwarded-For`. Takes no request body.

    Args:
        x_request_id (str | Unset):
        x_forwarded_for (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LoginResult | Problem
    """

    return sync_detailed(
        client=client,
        x_request_id=x_request_id,
        x_forwarded_for=x_forwarded_for,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    x_request_id: str | Unset = UNSET,
    x_forwarded_for: str | Unset = UNSET,
) -> Response[LoginResult | Problem]:
    """Check a token

     Answers 200 with the subject the token belongs to, or 401 when the token is missing or
    not valid. A caller address that failed too often lately gets 429 without its token
    being checked; the caller is the peer, or the address a trusted proxy (the info service)
    names in `X-Forwarded-For`. Takes no request body.

    Args:
        x_request_id (str | Unset):
        x_forwarded_for (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LoginResult | Problem]
    """

    kwargs = _get_kwargs(
        x_request_id=x_request_id,
        x_forwarded_for=x_forwarded_for,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    x_request_id: str | Unset = UNSET,
    x_forwarded_for: str | Unset = UNSET,
) -> LoginResult | Problem | None:
    """Check a token

     Answers 200 with the subject the token belongs to, or 401 when the token is missing or
    not valid. A caller address that failed too often lately gets 429 without its token
    being checked; the caller is the peer, or the address a trusted proxy (the info service)
    names in `X-Forwarded-For`. Takes no request body.

    Args:
        x_request_id (str | Unset):
        x_forwarded_for (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LoginResult | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            x_request_id=x_request_id,
            x_forwarded_for=x_forwarded_for,
        )
    ).parsed
