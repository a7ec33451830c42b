"""Each service against its own spec: schemathesis property tests, in-process.

The spec comes from specs/, never from the app. `schemathesis.toml` sets the run: every check,
positive and negative data, the demo token for the valid-auth cases (missing and invalid tokens are
generated too), latin-1 header strings, a fixed seed, bounded examples, no example database.
Schemathesis runs each app's lifespan itself, once, before its first request.
"""

from collections import defaultdict

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from tests.apps import demo_auth_app, demo_info_app
from tests.contract.conftest import spec_path
from tests.servers import ROOT

CONFIG = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")

auth = schemathesis.openapi.from_path(spec_path("auth"), config=CONFIG)
auth.app = demo_auth_app()

info = schemathesis.openapi.from_path(spec_path("info"), config=CONFIG)
info.app = demo_info_app()

# What a generated run must reach, or the run proves little (a wrong token in the config would
# make every case a 401, and every check would still pass).
MUST_REACH = {
    "POST /login/": {200, 401},
    "GET /info/": {200, 401},
    "GET /healthz": {200},
    "GET /readyz": {200},
}

_reached: dict[tuple[str, str], set[int]] = defaultdict(set)


@pytest.fixture(scope="module", autouse=True)
def every_status_worth_reaching_was_reached(request: pytest.FixtureRequest):
    yield
    # Every selected operation, including one whose test produced no case at all.
    selected = {
        (item.originalname.split("_")[1], item.operation_label)
        for item in request.session.items
        if item.module is request.module and hasattr(item, "operation_label")
    }
    missing = {
        f"{service} {label}": sorted(MUST_REACH[label] - _reached[service, label])
        for service, label in sorted(selected)
        if MUST_REACH[label] - _reached[service, label]
    }
    assert not missing, f"the generated cases never reached these statuses: {missing}"


def test_every_operation_has_statuses_it_must_reach():
    operations = {result.ok().label for schema in (auth, info) for result in schema.get_all_operations()}

    assert set(MUST_REACH) == operations


@auth.parametrize()
def test_auth_service_honours_its_spec(case):
    response = case.call_and_validate()
    _reached["auth", case.operation.label].add(response.status_code)


@info.parametrize()
def test_info_service_honours_its_spec(case):
    response = case.call_and_validate()
    _reached["info", case.operation.label].add(response.status_code)
    # 503 is documented for an auth that cannot answer; here auth is in-process and healthy.
    assert response.status_code != 503, f"503 with a healthy auth: {response.text}"
