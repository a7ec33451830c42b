"""`python -m bench.client_path`: the in-process measure of info's client path to auth runs.

Its figure means nothing in a test; what this proves is that the gateway it drives answers the
demo's subject through the production client (the script asserts it on every warm-up call)."""

import json

from bench.client_path import main


def test_the_memory_mode_measures_cpu_per_call(capsys):
    assert main(["--one", "memory", "--calls", "100"]) == 0

    assert json.loads(capsys.readouterr().out) > 0
