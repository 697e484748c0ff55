"""`/api/v1/info`'s `endpoints` (CONVENTIONS §10.1): upstream's names for what this deployment
serves, by the services that are configured, and nothing more."""

import re

from gateway.settings import SERVICES, GatewaySettings
from gateway.system import SERVICE_ENDPOINTS, advertised_paths, deployed_endpoints

UPSTREAM_ONLY = {"invoices", "expenses", "payments", "mileage", "issues", "time_off", "per_diems", "ai"}
NO_SERVICE = {f"{name}_url": None for name in SERVICES}


def settings(**urls) -> GatewaySettings:
    return GatewaySettings(identity_secret="s" * 40, **{**NO_SERVICE, **urls})



def test_every_service_has_its_entries_and_no_name_is_served_twice():
    assert set(SERVICE_ENDPOINTS) == set(SERVICES)
    names = [name for entries in SERVICE_ENDPOINTS.values() for name in entries]
    assert len(names) == len(set(names))


def test_all_services_give_the_spec_names_and_no_upstream_only_ones():
    endpoints = deployed_endpoints(SERVICES)
    assert isinstance(endpoints, dict)
    assert set(endpoints) == {
        "projects", "time_entries", "tasks", "clients", "deals", "leads", "contacts", "time_entry_approvals",
        "client_notes", "favorites", "quotes", "users", "reports", "payroll_export", "search", "webhooks",
        "inventory",
    }  # fmt: skip
    assert not UPSTREAM_ONLY & set(endpoints)
    assert endpoints["time_entries"] == "/api/v1/time-entries"
    assert endpoints["contacts"] == "/api/v1/clients/<client_id>/contacts"
    assert endpoints["payroll_export"] == "/api/v1/exports/payroll"
    inventory = endpoints["inventory"]
    assert set(inventory) == {"items", "warehouses", "stock_levels", "movements", "transfers", "reports"}
    assert set(inventory["reports"]) == {"valuation", "movement_history", "turnover", "low_stock"}
    for path in advertised_paths(endpoints):
        assert re.fullmatch(r"/api/v1/[a-z/-]+(<[a-z_]+>[a-z/-]*)*", path), path


def test_only_configured_services_contribute():
    only_auth = deployed_endpoints(settings(auth_url="http://auth").service_urls())
    assert only_auth == {"users": "/api/v1/users"}

    urls = settings(auth_url="http://auth", tracking_url="http://tracking", crm_url=" ").service_urls()
    endpoints = deployed_endpoints(urls)
    assert set(endpoints) == {"users", "projects", "time_entries", "tasks", "time_entry_approvals", "favorites"}
    assert not {"clients", "contacts", "reports", "search", "webhooks", "inventory"} & set(endpoints)


def test_nothing_deployed_is_an_empty_object():
    assert deployed_endpoints(settings().service_urls()) == {}
