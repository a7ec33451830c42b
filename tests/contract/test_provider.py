"""Each service against its own spec: schemathesis property tests, in-process.

The spec comes from specs/, never from the app. `schemathesis.toml` sets the run: every check,
positive and negative data, the demo token for the valid-auth cases (missing and invalid tokens are
generated too), latin-1 header strings, a fixed seed, bounded examples, no example database.
Schemathesis runs each app's lifespan itself, once, before its first request.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from common.ratelimit import RateLimitSettings
from tests.apps import build
from tests.contract.openapi import SERVICES, load_spec, operations, spec_path
from tools.registry import ROOT

CONFIG = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")

# Every generated case comes from one address: a budget of failed attempts larger than the run, so
# that valid tokens are still checked after hundreds of invalid ones (the limit has its own tests).
UNLIMITED = RateLimitSettings(failures=10_000)

# What a generated run must reach, or the run proves little (a wrong token in the config would
# make every case a 401, and every check would still pass): 200 on every operation, and 401 too on
# every protected one.
MUST_REACH = {
    (name, label): {200, 401} if operation.get("security", spec.get("security")) else {200}
    for name in SERVICES
    for spec in [load_spec(name)]
    for label, operation in operations(spec)
}

_reached: dict[tuple[str, str], set[int]] = defaultdict(set)


@pytest.fixture(scope="module", autouse=True)
def every_status_worth_reaching_was_reached(request: pytest.FixtureRequest):
    yield
    # Every selected operation, including one whose test produced no case at all.
    selected = {
        (
            getattr(item, "originalname", "").removeprefix("test_").removesuffix("_service_honours_its_spec"),
            item.operation_label,
        )
        for item in request.session.items
        if getattr(item, "module", None) is request.module and hasattr(item, "operation_label")
    }
    missing = {
        f"{name} {label}": sorted(MUST_REACH[name, label] - _reached[name, label])
        for name, label in sorted(selected)
        if MUST_REACH[name, label] - _reached[name, label]
    }
    assert not missing, f"the generated cases never reached these statuses: {missing}"


def honours_its_spec(name: str) -> Callable[..., Any]:
    schema = schemathesis.openapi.from_path(spec_path(name), config=CONFIG)
    schema.app = build(name, rate_limit=UNLIMITED)

    @schema.parametrize()
    def test(case: schemathesis.Case) -> None:
        response = case.call_and_validate()
        _reached[name, case.operation.label].add(response.status_code)
        # A 503 may be documented for a service this one uses that cannot answer; in-process, every
        # service it uses is healthy.
        assert response.status_code != 503, f"503 with every service it uses healthy: {response.text}"

    return test


for _name in SERVICES:
    globals()[f"test_{_name}_service_honours_its_spec"] = honours_its_spec(_name)
