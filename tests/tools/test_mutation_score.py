"""`tools.mutation_score`: the kill rate of the mutants a `make mutate MUTANTS=...` run selected."""

import json
from pathlib import Path

import pytest

from tools import mutation_score


def write_results(folder: Path, codes_by_file: dict[str, dict[str, int | None]]) -> Path:
    """mutmut's layout: one `<source>.py.meta` per mutated file, under `mutants/`."""
    for source, codes in codes_by_file.items():
        meta = folder / f"{source}.meta"
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"exit_code_by_key": codes, "durations_by_key": {}}))
    return folder


@pytest.fixture
def results(tmp_path: Path) -> Path:
    return write_results(
        tmp_path / "mutants",
        {
            "common/ratelimit.py": {
                "common.ratelimit.x_caller_address__mutmut_1": 1,  # killed
                "common.ratelimit.x_caller_address__mutmut_2": 36,  # timed out: counts as killed
                "common.ratelimit.x_ip_or_none__mutmut_1": 0,  # survived
                "common.ratelimit.x_ip_or_none__mutmut_2": 33,  # no test reaches it
            },
            "info_service/auth.py": {
                "info_service.auth.xǁAuthGatewayǁcheck__mutmut_1": 1,
                "info_service.auth.xǁAuthGatewayǁcheck__mutmut_2": None,  # not tried (not selected)
            },
        },
    )


def test_the_score_covers_only_the_selected_mutants(results, capsys):
    assert mutation_score.main(["--results", str(results), "common.ratelimit*"]) == 0
    out = capsys.readouterr().out
    assert "mutation score 50.0% (floor 0%) over 4 mutants matching common.ratelimit*" in out
    counts = "1 killed, 1 timed out, 1 survived, 1 reached by no test, 0 suspicious, 0 skipped, 0 untried\n"
    assert counts in out
    assert "survived: common.ratelimit.x_ip_or_none__mutmut_1\n" in out
    assert "no tests: common.ratelimit.x_ip_or_none__mutmut_2\n" in out
    assert "caller_address" not in out  # killed ones are not listed
    assert "AuthGateway" not in out


def test_the_floor_is_met_at_its_value_and_missed_just_below(results):
    args = ["--results", str(results), "common.ratelimit*"]
    assert mutation_score.main(["--floor", "50", *args]) == 0
    assert mutation_score.main(["--floor", "50.1", *args]) == 1


def test_several_globs_add_up(results, capsys):
    args = ["--results", str(results), "common.ratelimit.x_caller*", "info_service.auth.*__mutmut_1"]
    assert mutation_score.main(["--floor", "100", *args]) == 0
    assert "mutation score 100.0% (floor 100%) over 3 mutants" in capsys.readouterr().out


def test_a_selected_mutant_left_untried_fails_the_run(results, capsys):
    assert mutation_score.main(["--results", str(results)]) == 1  # no glob: every mutant
    out = capsys.readouterr().out
    assert "untried: info_service.auth.xǁAuthGatewayǁcheck__mutmut_2\n" in out
    assert "mutation score 60.0% (floor 0%) over 6 mutants:" in out  # 3 of the 5 tried


def test_a_glob_that_matches_nothing_fails(results, capsys):
    assert mutation_score.main(["--results", str(results), "common.ratelmit*"]) == 1
    assert "no mutant" in capsys.readouterr().out


def test_skipped_mutants_are_not_tried_and_a_crash_is_not_a_kill() -> None:
    counts = mutation_score.count({"a": 1, "b": 34, "c": -11, "d": 0})
    assert counts == {"killed": 1, "skipped": 1, "suspicious": 1, "survived": 1}
    assert mutation_score.score(counts) == pytest.approx(100 / 3)
    assert mutation_score.score(mutation_score.count({})) == 0.0
