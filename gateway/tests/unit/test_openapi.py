"""Merged OpenAPI: every service's paths, scopes kept, security added, clashing components renamed."""

from gateway.openapi import merge_openapi


def service_doc(schema_type: str, path: str, scopes: list[str], auth: str = "token") -> dict:
    return {
        "openapi": "3.1.0",
        "paths": {
            path: {
                "get": {
                    "x-tt-auth": auth,
                    "x-tt-scopes": scopes,
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}
                    },
                }
            }
        },
        "components": {"schemas": {"Item": {"type": schema_type}, "Common": {"type": "string"}}},
        "tags": [{"name": path.split("/")[3]}],
    }


def test_merge_keeps_scopes_adds_security_and_renames_clashes():
    doc = merge_openapi(
        {
            "tracking": service_doc("object", "/api/v1/projects", ["read:projects"]),
            "crm": service_doc("array", "/api/v1/clients", ["read:clients"]),
            "auth": service_doc("object", "/api/v1/auth/login", [], auth="public"),
        },
        version="1.2.3",
    )
    assert doc["openapi"].startswith("3.1") and doc["info"]["version"] == "1.2.3"
    projects = doc["paths"]["/api/v1/projects"]["get"]
    assert projects["x-tt-scopes"] == ["read:projects"]
    assert projects["security"] == [{"BearerToken": ["read:projects"]}, {"ApiKey": ["read:projects"]}]
    assert doc["paths"]["/api/v1/auth/login"]["get"]["security"] == []
    schemas = doc["components"]["schemas"]
    assert schemas["tracking_Item"] == {"type": "object"} and schemas["crm_Item"] == {"type": "array"}
    assert "Item" not in schemas and schemas["Common"] == {"type": "string"}
    ref = projects["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/tracking_Item"
    clients = doc["paths"]["/api/v1/clients"]["get"]["responses"]["200"]["content"]["application/json"]
    assert clients["schema"]["$ref"] == "#/components/schemas/crm_Item"
    assert {"BearerToken", "ApiKey"} <= set(doc["components"]["securitySchemes"])
    assert "/api/v1/info" in doc["paths"] and "/api/v1/health" in doc["paths"]


def test_internal_operations_are_left_out():
    doc = merge_openapi({"auth": service_doc("object", "/api/v1/secret", [], auth="internal")}, version="1")
    assert "/api/v1/secret" not in doc["paths"]
