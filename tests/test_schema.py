"""JSON Schema per kind: valid draft 2020-12, and in agreement with the validator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from model.strategies import kinds_and_documents, near_valid_documents
from typer.testing import CliRunner

from policy_engine.cli.app import app
from policy_engine.errors import PolicyEngineError, join_pointer
from policy_engine.model.kinds import DOCUMENT_ELEMENTS, STATEMENT_ELEMENTS, PolicyKind
from policy_engine.parse import validate_policy
from policy_engine.schema import (
    DIALECT,
    SCHEMA_BLIND_CODES,
    export_schema,
    policy_schema,
    register_schema_provider,
    schema_names,
)
from policy_engine.source import load_text

CORPUS = Path(__file__).parent / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["files"]
VALIDATORS = {kind: jsonschema.Draft202012Validator(policy_schema(kind)) for kind in PolicyKind}
HYPOTHESIS = settings(max_examples=300, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def error_pointers(kind: PolicyKind | str, value: Any) -> list[str]:
    return [join_pointer("", *error.absolute_path)
            for error in VALIDATORS[PolicyKind(kind)].iter_errors(value)]


@pytest.mark.parametrize("kind", list(PolicyKind))
def test_every_kind_has_a_valid_draft_2020_12_schema(kind: PolicyKind) -> None:
    schema = policy_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT
    assert schema["$id"].endswith(f"/{kind.value}.json")
    assert kind.value in schema_names()
    assert export_schema(kind.value) == schema


def test_schema_structure_comes_from_the_models() -> None:
    schema = policy_schema(PolicyKind.S3_BUCKET)
    assert set(schema["properties"]) == set(DOCUMENT_ELEMENTS)
    for name in ("Statement", "StatementWithVariables"):
        assert set(schema["$defs"][name]["properties"]) == set(STATEMENT_ELEMENTS)
        assert schema["$defs"][name]["required"] == ["Effect"]
    assert schema["$defs"]["Statement"]["properties"]["Effect"] == {"enum": ["Allow", "Deny"]}
    assert schema["properties"]["Version"] == {"enum": ["2012-10-17", "2008-10-17"]}


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["path"] for e in MANIFEST])
def test_schema_agrees_with_the_corpus(entry: dict[str, Any]) -> None:
    """Good files pass the kind's schema and bad files fail it, except for the problems a
    JSON Schema cannot see (Sid uniqueness, size, source-text faults); where the schema
    fails, it fails at the expected element or one of its parents. Sources: the manifest's
    `doc` per file."""
    path = CORPUS / entry["path"]
    try:
        value = load_text(path.read_text(encoding="utf-8-sig"), source=str(path)).value
    except PolicyEngineError:
        assert not entry["valid"] and entry["code"] in SCHEMA_BLIND_CODES
        return
    pointers = error_pointers(entry["kind"], value)
    if entry["valid"]:
        assert pointers == []
    elif entry["code"] in SCHEMA_BLIND_CODES:
        assert validate_policy(value, kind=entry["kind"]).problems or entry["code"] in {
            "oversize", "duplicate-key"}
    else:
        expected = entry.get("pointer", "")
        assert pointers, "the schema accepts a document the validator rejects"
        assert any(expected == p or expected.startswith(p + "/") for p in pointers), pointers


@HYPOTHESIS
@given(kinds_and_documents())
def test_generated_valid_documents_pass_the_schema(kind_document) -> None:
    kind, document = kind_document
    assert error_pointers(kind, document) == []


@HYPOTHESIS
@given(near_valid_documents())
def test_schema_and_validator_agree_on_near_valid_documents(kind_document) -> None:
    kind, document = kind_document
    problems = validate_policy(document, kind=kind).problems
    schema_valid = VALIDATORS[kind].is_valid(document)
    if schema_valid:
        assert {p.code for p in problems} <= SCHEMA_BLIND_CODES, [p.one_line() for p in problems]
    else:
        assert problems, "the schema rejects a document the validator accepts"


def test_schema_registry_has_room_for_other_documents() -> None:
    register_schema_provider("test-only", lambda: {"$schema": DIALECT, "type": "object"})
    try:
        assert "test-only" in schema_names()
        assert export_schema("test-only")["type"] == "object"
    finally:
        from policy_engine import schema as module

        module._PROVIDERS.pop("test-only")


def test_schema_command_prints_the_schema(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["schema", "--kind", "trust"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == policy_schema(PolicyKind.TRUST)
    out = tmp_path / "scp.schema.json"
    result = runner.invoke(app, ["schema", "--kind", "scp", "--output", str(out)])
    assert result.exit_code == 0 and json.loads(out.read_text()) == policy_schema("scp")


def test_schema_command_rejects_unknown_names() -> None:
    from policy_engine.cli.app import main

    with pytest.raises(SystemExit) as exit_info:
        main(["schema", "--kind", "nope"])
    assert exit_info.value.code == 2
