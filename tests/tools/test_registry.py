"""services.toml is consistent: each service exists where the conventions say, and uses only
registered services."""

import pytest

from tools.registry import ROOT, main, services, used


def test_each_service_has_its_package_and_spec_and_uses_only_registered_services():
    names = [each.name for each in services()]
    problems = []
    for each in services():
        if not (ROOT / each.package / "__init__.py").is_file():
            problems.append(f"{each.name}: no package {each.package}/")
        if not each.spec.is_file():
            problems.append(f"{each.name}: no spec {each.spec}")
        problems += [
            f"{each.name} uses {name!r}, which is not registered" for name in each.uses if name not in names
        ]
        problems += [
            f"{each.name} uses {name!r}, registered after it"
            for name in each.uses
            if name in names[names.index(each.name) :]
        ]
    assert not problems
    assert len(set(names)) == len(names)


def test_ports_are_distinct_and_each_used_service_has_a_client_config():
    ports = [each.port for each in services()]

    assert len(set(ports)) == len(ports), ports
    for each in used():
        assert (ROOT / "clients" / f"{each.name}_client.config.yaml").is_file(), each.name


def test_the_makefile_is_told_what_to_generate_for_all_or_for_one_service(capsys):
    def printed(*argv: str) -> list[str]:
        assert main(list(argv)) == 0
        return capsys.readouterr().out.splitlines()

    everyone = printed("models")
    assert everyone == [f"specs/{each.name}.yaml {each.name}_service" for each in services()]
    assert printed("clients") == [f"specs/{each.name}.yaml {each.name}_client" for each in used()]
    for each in services():
        assert printed("models", each.name) == [f"specs/{each.name}.yaml {each.name}_service"]
        assert printed("clients", each.name) == [f"specs/{name}.yaml {name}_client" for name in each.uses]
    assert printed("clients", "info") == ["specs/auth.yaml auth_client"]  # the one the blog has
    assert printed("clients", "auth") == []
    assert printed("names") == [" ".join(each.name for each in services())]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["models", "nope"], "no service 'nope' in services.toml"),
        (["clients", "nope"], "no service 'nope' in services.toml"),
        (["models", "auth", "info"], "usage:"),
        (["names", "auth"], "usage:"),
        ([], "usage:"),
    ],
)
def test_an_unknown_service_or_verb_is_exit_2_and_prints_nothing_to_generate(capsys, argv, said):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(said)
