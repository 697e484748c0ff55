"""The error responses and create links every service's OpenAPI gains."""

from shared.openapi_contract import ERROR_SCHEMA_NAME, complete_openapi

VALIDATION_422 = {
    "description": "Validation Error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def document() -> dict:
    created = {"201": {"description": "", "content": {"application/json": {"schema": ref("ProjectEnvelope")}}}}
    return {
        "paths": {
            "/api/v1/projects": {
                "post": {"operationId": "tracking.create_project", "requestBody": {}, "responses": created},
                "get": {"operationId": "tracking.list_projects", "responses": {"422": VALIDATION_422}},
            },
            "/api/v1/projects/{project_id}": {
                m: {"operationId": f"tracking.{m}_project", "responses": {}} for m in ("get", "put", "delete")
            },
        },
        "components": {
            "schemas": {
                "ProjectEnvelope": {"properties": {"message": {"type": "string"}, "project": ref("ProjectRead")}},
                "ProjectRead": {"properties": {"id": {"type": "integer"}}},
                "HTTPValidationError": {},
            }
        },
    }


def test_every_operation_declares_the_standard_error_body_and_not_fastapis_422():
    doc = complete_openapi(document())
    listing = doc["paths"]["/api/v1/projects"]["get"]["responses"]
    assert "422" not in listing and "HTTPValidationError" not in doc["components"]["schemas"]
    assert listing["400"]["content"]["application/json"]["schema"] == ref(ERROR_SCHEMA_NAME)
    assert {"401", "403", "404", "409", "429", "503"} <= set(listing) and "415" not in listing
    assert {"413", "415"} <= set(doc["paths"]["/api/v1/projects"]["post"]["responses"])


def test_a_create_links_to_each_operation_on_its_item_with_the_new_id():
    doc = complete_openapi(document())
    links = doc["paths"]["/api/v1/projects"]["post"]["responses"]["201"]["links"]
    assert set(links) == {f"{m} /api/v1/projects/{{project_id}}" for m in ("GET", "PUT", "DELETE")}
    assert links["PUT /api/v1/projects/{project_id}"] == {
        "operationId": "tracking.put_project",
        "parameters": {"project_id": "$response.body#/project/id"},
    }


def test_completing_twice_changes_nothing():
    once = complete_openapi(document())
    assert complete_openapi(complete_openapi(document())) == once
