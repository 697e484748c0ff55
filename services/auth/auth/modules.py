"""Module catalogue and feature switches (CONVENTIONS §9).

Core modules are always on. An admin-disabled module (TT_DISABLED_MODULES) is off, and so is
every module depending on it. `clients` is special: switching it off hides it (and its
dependants) from non-admins only. Lists are ordered by category, then display order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CATEGORIES = (
    "core",
    "time_tracking",
    "project_management",
    "crm",
    "finance",
    "inventory",
    "analytics",
    "tools",
    "admin",
    "advanced",
)


@dataclass(frozen=True)
class Module:
    id: str
    category: str
    order: int
    dependencies: tuple[str, ...] = ()
    core: bool = False
    requires_admin: bool = False
    # Disabling the module hides it from non-admins only.
    admins_keep: bool = False


def _m(id: str, category: str, order: int, *deps: str, **flags: bool) -> Module:
    return Module(id=id, category=category, order=order, dependencies=deps, **flags)


CATALOGUE: tuple[Module, ...] = (
    _m("auth", "core", 0, core=True),
    _m("main", "core", 1, core=True),
    _m("projects", "core", 2, core=True),
    _m("timer", "core", 3, core=True),
    _m("tasks", "core", 4, "projects", core=True),
    _m("clients", "core", 5, admins_keep=True),
    _m("calendar", "time_tracking", 10),
    _m("project_templates", "project_management", 11, "projects"),
    _m("gantt", "project_management", 12, "tasks"),
    _m("kanban", "project_management", 13, "tasks"),
    _m("weekly_goals", "time_tracking", 14),
    _m("issues", "project_management", 15),
    _m("time_entry_templates", "time_tracking", 16),
    _m("quotes", "crm", 20, "clients"),
    _m("contacts", "crm", 21, "clients"),
    _m("deals", "crm", 22, "clients"),
    _m("leads", "crm", 23, "clients"),
    _m("reports", "finance", 30),
    _m("custom_reports", "finance", 31),
    _m("scheduled_reports", "finance", 32),
    _m("invoices", "finance", 33, "projects"),
    _m("invoice_approvals", "finance", 34, "invoices"),
    _m("recurring_invoices", "finance", 35, "invoices"),
    _m("payments", "finance", 36, "invoices"),
    _m("payment_gateways", "finance", 37, "payments"),
    _m("expenses", "finance", 38, "projects"),
    _m("mileage", "finance", 39),
    _m("per_diem", "finance", 40),
    _m("budget_alerts", "finance", 41, "projects"),
    _m("inventory", "inventory", 50),
    _m("analytics", "analytics", 60),
    _m("integrations", "tools", 70),
    _m("import_export", "tools", 71),
    _m("saved_filters", "tools", 72),
    _m("workflows", "advanced", 80),
    _m("time_approvals", "advanced", 81, "timer"),
    _m("activity_feed", "advanced", 82),
    _m("recurring_tasks", "advanced", 83, "tasks"),
    _m("team_chat", "advanced", 84),
    _m("client_portal", "advanced", 85, "clients"),
    _m("kiosk", "advanced", 86),
)

BY_ID = {m.id: m for m in CATALOGUE}
_SORT_KEY = {m.id: (CATEGORIES.index(m.category), m.order) for m in CATALOGUE}


def is_enabled(module_id: str, *, disabled: Iterable[str], is_admin: bool) -> bool:
    """Whether a module is on for a user (`is_admin=False` also gives the global view)."""
    return _enabled(module_id, frozenset(disabled), is_admin, ())


def _enabled(module_id: str, disabled: frozenset[str], is_admin: bool, seen: tuple[str, ...]) -> bool:
    module = BY_ID.get(module_id)
    if module is None or module_id in seen:
        return False
    if module.core:
        return True
    if module.requires_admin and not is_admin:
        return False
    if module_id in disabled and not (module.admins_keep and is_admin):
        return False
    return all(_enabled(dep, disabled, is_admin, (*seen, module_id)) for dep in module.dependencies)


def enabled_modules(*, disabled: Iterable[str], is_admin: bool) -> list[str]:
    off = frozenset(disabled)
    ids = [m.id for m in CATALOGUE if _enabled(m.id, off, is_admin, ())]
    return sorted(ids, key=_SORT_KEY.__getitem__)


def modules_off(*, disabled: Iterable[str], is_admin: bool) -> list[str]:
    """Catalogue ids not enabled for the user; empty unless an administrator disabled something."""
    off = frozenset(disabled)
    if not off:
        return []
    return [m.id for m in CATALOGUE if not _enabled(m.id, off, is_admin, ())]
