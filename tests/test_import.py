"""Importing a service builds nothing and tunes nothing; the server's first access to `app` does.

Each check runs in a fresh interpreter, so that this process's imports and garbage collector are
neither the evidence nor disturbed.
"""

import json
import subprocess
import sys

import pytest

from tools.registry import ROOT, services

pytestmark = pytest.mark.processes

SPY = """
import gc, json, sys
import pydantic_settings

settings_read = []
_init = pydantic_settings.BaseSettings.__init__

def _spy(self, *args, **kwargs):
    settings_read.append(type(self).__module__)
    _init(self, *args, **kwargs)

pydantic_settings.BaseSettings.__init__ = _spy
gc_calls = []
for _name in ("collect", "freeze", "set_threshold", "disable"):
    def _record(*args, _name=_name, _real=getattr(gc, _name)):
        gc_calls.append(_name)
        return _real(*args)
    setattr(gc, _name, _record)
threshold = gc.get_threshold()
"""


def run(code: str, env: dict[str, str]) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", SPY + code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_services_reads_no_settings_and_leaves_the_collector_alone():
    # Settings that would refuse to load: reading them at import would fail the import.
    hostile = {"ENVIRONMENT": "nonsense", "AUTH_CACHE_TTL": "forever"}

    seen = run(
        f"import {', '.join(each.package for each in services())}\n"
        "print(json.dumps({'settings': settings_read, 'gc': gc_calls,"
        " 'threshold': list(gc.get_threshold()) == list(threshold), 'frozen': gc.get_freeze_count()}))",
        hostile,
    )

    assert seen == {"settings": [], "gc": [], "threshold": True, "frozen": 0}


def test_the_served_app_reads_settings_when_loaded_and_tunes_the_collector_at_startup():
    seen = run(
        "from fastapi.testclient import TestClient\n"
        "import auth_service\n"
        "app = auth_service.app\n"
        "loaded = {'settings': list(settings_read), 'gc': list(gc_calls)}\n"
        "with TestClient(app) as client:\n"
        "    status = client.get('/healthz').status_code\n"
        "print(json.dumps({'loaded': loaded, 'started': gc_calls, 'status': status,"
        " 'same_app': auth_service.app is app, 'frozen': gc.get_freeze_count() > 0}))",
        {"LOG_LEVEL": "WARNING"},
    )

    assert seen == {
        "loaded": {
            "settings": ["auth_service.config", "common.ratelimit", "common.security_headers"],
            "gc": [],
        },
        "started": ["collect", "freeze", "set_threshold"],
        "status": 200,
        "same_app": True,
        "frozen": True,
    }
