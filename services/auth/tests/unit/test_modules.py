"""Module switches (CONVENTIONS §9)."""

from auth.modules import CATALOGUE, enabled_modules, is_enabled

CORE = ["auth", "main", "projects", "timer", "tasks"]


def test_everything_is_on_by_default_core_first():
    ids = enabled_modules(disabled=(), is_admin=False)
    assert ids[:6] == [*CORE, "clients"]
    assert set(ids) == {m.id for m in CATALOGUE}


def test_sorted_by_category_then_order():
    ids = enabled_modules(disabled=(), is_admin=True)
    assert ids.index("calendar") < ids.index("project_templates") < ids.index("quotes") < ids.index("reports")
    assert ids.index("reports") < ids.index("inventory") < ids.index("analytics") < ids.index("workflows")


def test_core_modules_cannot_be_disabled():
    ids = enabled_modules(disabled=CORE, is_admin=False)
    assert all(c in ids for c in CORE)
    assert "time_approvals" in ids  # depends on timer, which stays on


def test_disabled_module_and_its_dependants_are_off():
    ids = enabled_modules(disabled=["invoices"], is_admin=True)
    for gone in ("invoices", "invoice_approvals", "recurring_invoices", "payments", "payment_gateways"):
        assert gone not in ids
    assert "expenses" in ids


def test_clients_switch_hides_crm_from_non_admins_only():
    crm = {"clients", "quotes", "contacts", "deals", "leads", "client_portal"}
    assert not crm & set(enabled_modules(disabled=["clients"], is_admin=False))
    assert crm <= set(enabled_modules(disabled=["clients"], is_admin=True))


def test_unknown_ids_are_ignored_and_unknown_modules_off():
    assert enabled_modules(disabled=["nope"], is_admin=False) == enabled_modules(disabled=(), is_admin=False)
    assert not is_enabled("nope", disabled=(), is_admin=True)
    assert not is_enabled("inventory", disabled=["inventory"], is_admin=True)
