"""`auth_service/deps.py`: `X-Forwarded-For` is one header holding a list of addresses; several
headers are refused like a malformed one (400), since no one can say which to count."""

import pytest

VALID = {"Authorization": "merixstudio"}


@pytest.mark.parametrize("count", [2, 3])
def test_several_forwarded_for_headers_are_refused(auth_client, count):
    headers = [("Authorization", "merixstudio")] + [("X-Forwarded-For", "203.0.113.7")] * count
    response = auth_client.post("/login/", headers=headers)

    assert response.status_code == 400
    assert response.json()["detail"] == "X-Forwarded-For must be one list of IP addresses."


def test_one_forwarded_for_header_with_a_list_is_accepted(auth_client):
    response = auth_client.post("/login/", headers={**VALID, "X-Forwarded-For": "203.0.113.7, 198.51.100.1"})

    assert response.status_code == 200
