"""Loading a contract (tools/compat/spec.py): YAML or JSON, its shape checked, every `$ref` resolved,
and one clear error for each way a file can be wrong."""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.compat.checker import compare
from tools.compat.spec import Spec, SpecError, load, parse

CORPUS = Path(__file__).resolve().parent / "corpus"
MINIMAL = {"openapi": "3.1.0", "info": {"title": "Tiny", "version": "1.2.3"}, "paths": {}}


def write(tmp_path: Path, document: Any, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document) if not isinstance(document, str) else document)
    return path


def test_a_spec_is_loaded_with_its_path_version_and_title(tmp_path: Path) -> None:
    spec = load(write(tmp_path, MINIMAL))
    assert isinstance(spec, Spec)
    assert (spec.path, spec.document, spec.version, spec.title) == (
        tmp_path / "spec.yaml",
        MINIMAL,
        "1.2.3",
        "Tiny",
    )
    untitled = load(str(write(tmp_path, {**MINIMAL, "info": {"version": "2.0.0"}}, "untitled.yaml")))
    assert (untitled.title, untitled.version, untitled.path) == (
        "untitled.yaml",
        "2.0.0",
        tmp_path / "untitled.yaml",
    )


def test_json_is_read_as_yaml(tmp_path: Path) -> None:
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(load(CORPUS / "auth.yaml").document))
    assert load(path).document == load(CORPUS / "auth.yaml").document


def test_every_ref_is_resolved_against_the_spec_and_its_files(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    write(tmp_path / "parts", {"Ok": {"description": "fine"}}, "responses.yaml")
    document = {
        **MINIMAL,
        "paths": {"/a": {"get": {"responses": {"200": {"$ref": "parts/responses.yaml#/Ok"}}}}},
    }
    spec = load(write(tmp_path, document))
    assert spec.resolver.lookup("parts/responses.yaml#/Ok").contents == {"description": "fine"}


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("openapi: 2.0.0\n", "not an OpenAPI 3.x document (openapi: '2.0.0')"),
        ("openapi: 3\n", "not an OpenAPI 3.x document (openapi: 3)"),
        ("swagger: '2.0'\n", "not an OpenAPI 3.x document (openapi: None)"),
        ("{paths: [", "not YAML or JSON at line 2"),
        ("a: b\n\n  - c: [d\n", "not YAML or JSON at line 3"),
        ("- a list\n", "not a valid OpenAPI 3.x document: the document must be a mapping"),
        ("openapi: 3.1.0\n", "not a valid OpenAPI 3.x document: info must be a mapping"),
        ("openapi: 3.1.0\ninfo: []\n", "not a valid OpenAPI 3.x document: info must be a mapping"),
        (
            "openapi: 3.1.0\ninfo: {version: 1}\n",
            "not a valid OpenAPI 3.x document: info.version must be a string",
        ),
        (
            "openapi: 3.1.0\ninfo: {title: x}\n",
            "not a valid OpenAPI 3.x document: info.version must be a string",
        ),
    ],
)
def test_a_file_that_is_not_an_openapi_3_document_is_refused_in_one_line(
    tmp_path: Path, content: str, error: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(SpecError) as raised:
        load(path)
    assert str(raised.value) == f"{path}: {error}"


INFO = {"title": "x", "version": "1.0.0"}


@pytest.mark.parametrize(
    ("document", "where", "expected"),
    [
        ({"paths": []}, "paths", "a mapping"),
        ({"servers": {}}, "servers", "a list"),
        ({"security": {}}, "security", "a list"),
        ({"components": []}, "components", "a mapping"),
        ({"paths": {"/a": []}}, "paths./a", "a mapping"),
        ({"paths": {"/a": {"parameters": {}}}}, "paths./a.parameters", "a list"),
        ({"paths": {"/a": {"get": []}}}, "paths./a.get", "a mapping"),
        ({"paths": {"/a": {"trace": {"parameters": {}}}}}, "paths./a.trace.parameters", "a list"),
        ({"paths": {"/a": {"post": {"responses": []}}}}, "paths./a.post.responses", "a mapping"),
        ({"paths": {"/a": {"patch": {"security": {}}}}}, "paths./a.patch.security", "a list"),
    ],
)
def test_a_part_of_the_wrong_shape_is_named(
    tmp_path: Path, document: dict[str, Any], where: str, expected: str
) -> None:
    path = write(tmp_path, {"openapi": "3.0.3", "info": INFO, **document})
    with pytest.raises(SpecError) as raised:
        load(path)
    assert str(raised.value) == f"{path}: not a valid OpenAPI 3.x document: {where} must be {expected}"


def test_what_the_checker_does_not_walk_is_not_checked(tmp_path: Path) -> None:
    """`x-` extensions and other keys of a path item are free; only the shapes the diff walks are
    checked (the full validation is openapi-spec-validator's, in the contract tests)."""
    document = {**MINIMAL, "paths": {"/a": {"x-anything": [], "summary": 1, "get": {"x-y": {}}}}}
    assert load(write(tmp_path, document)).document == document


def test_a_missing_an_unreadable_or_a_binary_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as raised:
        load(tmp_path / "nope.yaml")
    assert str(raised.value) == f"{tmp_path / 'nope.yaml'}: no such file"
    with pytest.raises(SpecError) as raised:
        load(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path}: cannot read it (")
    (tmp_path / "binary.yaml").write_bytes(b"openapi: \xff\xfe\n")
    with pytest.raises(SpecError) as raised:
        load(tmp_path / "binary.yaml")
    assert str(raised.value).startswith(
        f"{tmp_path / 'binary.yaml'}: cannot read it ('utf-8' codec can't decode"
    )


@pytest.mark.parametrize(
    "ref",
    ["#/components/schemas/Nope", "other.yaml#/Nope", "missing.yaml#/X", "https://example.com/s.yaml#/X"],
)
def test_a_ref_that_does_not_resolve_is_refused_when_loading(tmp_path: Path, ref: str) -> None:
    write(tmp_path, {"Here": {"type": "string"}}, "other.yaml")
    document = {**MINIMAL, "components": {"schemas": {"A": {"$ref": ref}}}}
    path = write(tmp_path, document)
    with pytest.raises(SpecError) as raised:
        load(path)
    assert str(raised.value) == f"{path}: not a valid OpenAPI 3.x document: cannot resolve $ref {ref!r}"


def test_refs_under_a_schema_with_its_own_id_are_not_the_documents(tmp_path: Path) -> None:
    """A schema with `$id` is a new base: its `$ref`s are its own, not looked up in the document."""
    schema = {"$id": "https://example.com/item", "$defs": {"N": {"type": "integer"}}, "$ref": "#/$defs/N"}
    document = {**MINIMAL, "components": {"schemas": {"Item": schema}}}
    assert load(write(tmp_path, document)).document == document
    del schema["$id"]
    path = write(tmp_path, document, "without-id.yaml")
    with pytest.raises(SpecError) as raised:
        load(path)
    assert str(raised.value) == f"{path}: not a valid OpenAPI 3.x document: cannot resolve $ref '#/$defs/N'"


def test_a_file_a_ref_points_into_must_be_yaml_too(tmp_path: Path) -> None:
    write(tmp_path, "{broken: [", "other.yaml")
    path = write(tmp_path, {**MINIMAL, "components": {"schemas": {"A": {"$ref": "other.yaml#/A"}}}})
    with pytest.raises(SpecError, match=r"cannot resolve \$ref 'other.yaml#/A'$"):
        load(path)


def test_parse_places_a_loaded_document_for_its_relative_refs(tmp_path: Path) -> None:
    write(tmp_path, {"S": {"type": "string"}}, "schemas.yaml")
    document = {**MINIMAL, "components": {"schemas": {"A": {"$ref": "schemas.yaml#/S"}}}}
    spec = parse(document, tmp_path / "not-written.yaml")
    assert spec.path == tmp_path / "not-written.yaml"
    assert spec.resolver.lookup("schemas.yaml#/S").contents == {"type": "string"}
    with pytest.raises(SpecError):
        parse(document, tmp_path / "elsewhere" / "spec.yaml")
    report = compare(spec, spec)
    assert report.changes == [] and not report.changed
