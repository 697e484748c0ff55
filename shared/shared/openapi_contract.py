"""What every service's OpenAPI states beyond its routes' own models, added in one place:

- the error responses (CONVENTIONS §7): any operation may answer the standard error body with
  the statuses below, so clients and the schema fuzzer know them; FastAPI's default `422`
  goes, since request validation answers `400` here;
- `links` from each create to its item's operations, by convention: `POST /x` answering 201
  with the new object → `GET`/`PUT`/`PATCH`/`DELETE /x/{x_id}`, the id read from the body.
"""

from __future__ import annotations

import re
from typing import Any

ERROR_SCHEMA_NAME = "ErrorResponse"
ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "required": ["success", "error", "message", "error_code"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "error": {"type": "string"},
        "message": {"type": "string"},
        "error_code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    # per-code extras (`required_scope`, `limit_per_minute`, …)
    "additionalProperties": True,
}

# §7.2: validation and domain 400s, the gateway's 401/403/429 and 502–504, unknown ids, and
# conflicts (uniqueness, `if_updated_at`, idempotency in progress).
ANY_OPERATION = {
    "400": "Invalid request",
    "401": "Missing, invalid or expired token",
    "403": "Scope missing, module disabled or access denied",
    "404": "Not found",
    "409": "Conflict",
    "429": "Rate limit exceeded",
    "502": "Backing service unreachable",
    "503": "Backing service or its database unavailable",
    "504": "Backing service too slow",
}
# a body that is too large or not JSON (CONVENTIONS §1)
WITH_BODY = {"413": "Payload too large", "415": "Request body must be JSON"}

METHODS = ("get", "put", "post", "delete", "patch")
ITEM_METHODS = ("get", "put", "patch", "delete")


def complete_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error responses and the create links to `schema` (in place; idempotent)."""
    declare_error_responses(schema)
    declare_create_links(schema)
    return schema


def declare_error_responses(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    for _, op in _operations(schema):
        responses = op.setdefault("responses", {})
        if "HTTPValidationError" in str(responses.get("422", {})):
            del responses["422"]
        statuses = {**ANY_OPERATION, **(WITH_BODY if "requestBody" in op else {})}
        for status, description in statuses.items():
            responses.setdefault(status, {"description": description, "content": {"application/json": {"schema": ref}}})


def declare_create_links(schema: dict[str, Any]) -> None:
    paths = schema.get("paths") or {}
    for path, item in paths.items():
        create = item.get("post")
        if not create:
            continue
        response = (create.get("responses") or {}).get("201")
        if response is None:
            continue
        for item_path, param in _item_paths(paths, path):
            pointer = _id_pointer(schema, response, param)
            if pointer is None:
                continue
            links = response.setdefault("links", {})
            for method in ITEM_METHODS:
                target = paths[item_path].get(method)
                if target and "operationId" in target:
                    links[f"{method.upper()} {item_path}"] = {
                        "operationId": target["operationId"],
                        "parameters": {param: f"$response.body#{pointer}"},
                    }


def _operations(schema: dict[str, Any]):
    for path, item in (schema.get("paths") or {}).items():
        for method in METHODS:
            if method in item:
                yield path, item[method]


def _item_paths(paths: dict[str, Any], collection: str):
    pattern = re.compile(re.escape(collection) + r"/\{([^}/]+)\}")
    for path in paths:
        match = pattern.fullmatch(path)
        if match:
            yield path, match.group(1)


def _id_pointer(schema: dict[str, Any], response: dict[str, Any], param: str) -> str | None:
    """Where the new object's id is in the 201 body: a top-level `<param>`, or the one object
    property holding `<param>` (a favorite's `project_id`) or else `id`."""
    body = _resolve(schema, (response.get("content") or {}).get("application/json", {}).get("schema") or {})
    props = body.get("properties") or {}
    if param in props:
        return f"/{param}"
    for key in (param, "id"):
        holders = [name for name, sub in props.items() if key in (_resolve(schema, sub).get("properties") or {})]
        if len(holders) == 1:
            return f"/{holders[0]}/{key}"
    return None


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].removeprefix("#/components/schemas/")
        node = schema.get("components", {}).get("schemas", {}).get(name, {})
    return node if isinstance(node, dict) else {}
