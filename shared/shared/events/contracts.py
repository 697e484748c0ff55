"""Event payload contracts: every published event type has a JSON Schema, generated from the
producer's payload model (its `events.PAYLOADS`: subject → pydantic model) and kept in the
repository, one file per subject. The producer's tests check that what it records fits (and
that the files are current); each consumer's tests check the payloads they feed their
handlers, so no consumer test builds an event the producer never sends.

    python -m shared.events.contracts DIR MODULE [MODULE …]   # rewrite DIR from the producers
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from pydantic import BaseModel

Payloads = Mapping[str, type[BaseModel]]


def _closed(node: Any) -> None:
    """Objects allow no property the model does not name: a consumer fixture that invents a
    field fails as loudly as one that misses a required field."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _closed(value)
    elif isinstance(node, list):
        for value in node:
            _closed(value)


def payload_schema(subject: str, model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    _closed(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": subject, **schema}


def schema_path(folder: Path, subject: str) -> Path:
    return folder / f"{subject}.json"


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path, payloads: Payloads) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for subject, model in payloads.items():
        path = schema_path(folder, subject)
        path.write_text(render(payload_schema(subject, model)))
        written.append(path)
    return written


class ContractViolation(AssertionError):
    """A payload that does not fit its subject's schema, or a subject nobody publishes."""


def check_payload(folder: Path, subject: str, data: Any) -> None:
    path = schema_path(folder, subject)
    if not path.exists():
        raise ContractViolation(f"no producer publishes {subject} (no {path.name} in {folder})")
    validator = Draft202012Validator(json.loads(path.read_text()))
    problems = [
        f"{'/'.join(map(str, error.absolute_path)) or '(payload)'}: {error.message}"
        for error in validator.iter_errors(data)
    ]
    if problems:
        raise ContractViolation(f"{subject} payload breaks its contract:\n  " + "\n  ".join(problems))


def main(argv: list[str]) -> None:
    folder, *modules = argv
    for name in modules:
        for path in write_schemas(Path(folder), importlib.import_module(name).PAYLOADS):
            print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
