"""services.toml is consistent: each service exists where the conventions say, and uses only
registered services."""

from tools.registry import ROOT, services, used


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
