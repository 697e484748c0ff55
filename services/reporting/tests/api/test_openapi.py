"""The service's OpenAPI document: every JSON route declares its response schema, named
`reporting.<function>`, and a legacy alias shares its `/api/v1` route's schema and function."""

from __future__ import annotations

import pytest

# legacy path → its /api/v1 successor (the same function); search's legacy path has its own rule.
ALIASES = {
    "/api/stats/value-dashboard": "/api/v1/reports/value-dashboard",
    "/api/reports/week-comparison": "/api/v1/reports/week-comparison",
    "/api/productivity/stats": "/api/v1/reports/productivity",
    "/api/projects/{project_id}/forecast": "/api/v1/reports/projects/{project_id}/forecast",
    "/api/ai/suggest": "/api/v1/ai/suggest",
}
FILES = {"/api/v1/exports/payroll", "/api/v1/exports/time-entries"}


@pytest.fixture
def doc(client):
    return client.app.openapi()


def json_schema(operation: dict) -> dict | None:
    return operation["responses"]["200"].get("content", {}).get("application/json", {}).get("schema")


def gets(doc) -> dict[str, dict]:
    """Reporting's own routes are reads; the shared dead-letter admin routes add POSTs."""
    return {path: item["get"] for path, item in doc["paths"].items() if "get" in item}


def test_every_json_route_declares_its_response_schema(doc):
    for path, operation in gets(doc).items():
        schema = json_schema(operation)
        if path in FILES:
            assert schema is None, path
        else:
            assert schema is not None and schema["$ref"].endswith(("Read", "List")), path


def test_a_schema_lists_the_wire_fields_in_order(doc):
    schemas = doc["components"]["schemas"]
    assert list(schemas["SummaryRead"]["properties"]) == [
        "start_date", "end_date", "total_hours", "billable_hours", "total_entries", "by_project"
    ]  # fmt: skip
    assert list(schemas["ProjectForecastRead"]["properties"]) == ["ok", "project_id", "ai_enabled", "forecast", "ai"]
    assert schemas["ProjectForecastRead"]["required"] == ["ok", "project_id", "ai_enabled", "forecast"]


def test_operation_ids_are_the_service_and_function(doc):
    ids = {path: operation["operationId"] for path, operation in gets(doc).items()}
    assert ids["/api/v1/reports/summary"] == "reporting.get_summary_report"
    assert ids["/api/v1/reports/productivity"] == "reporting.get_productivity_stats"
    assert all(op_id.startswith("reporting.") for op_id in ids.values())
    assert len(set(ids.values())) == len(ids)


def test_a_legacy_alias_is_its_successors_function_with_any_token(doc):
    for legacy, successor in ALIASES.items():
        old, new = doc["paths"][legacy]["get"], doc["paths"][successor]["get"]
        assert old["operationId"] == new["operationId"] + "_legacy"
        assert json_schema(old) == json_schema(new)
        assert old["x-tt-scopes"] == [] and new["x-tt-scopes"] != []


def test_the_forecast_documents_its_own_failure_body(doc):
    responses = doc["paths"]["/api/v1/reports/projects/{project_id}/forecast"]["get"]["responses"]
    for status in ("403", "500"):
        assert responses[status]["content"]["application/json"]["schema"]["$ref"].endswith("/ForecastErrorRead")
