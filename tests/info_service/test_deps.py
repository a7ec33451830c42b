"""`info_service/deps.py`: auth's 429 counts as a failed attempt of that caller at info too, so
the caller's next attempt is refused at info without asking auth (and no one else's is)."""

from tests.info_service.test_brute_force import VALID, Auth, info_for


def test_auths_429_counts_against_the_caller_at_info():
    auth = Auth()
    guesser, other = info_for(auth, "198.51.100.7", "198.51.100.8", failures=1)
    with guesser, other:
        auth.limited = "17"
        first = guesser.get("/info/", headers=VALID)
        auth.limited = None
        again = guesser.get("/info/", headers=VALID)
        others = other.get("/info/", headers=VALID)

    assert (first.status_code, again.status_code, others.status_code) == (429, 429, 200)
    assert len(auth.calls) == 2, "the guesser's second attempt never reached auth"
