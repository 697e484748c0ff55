import asyncio
import time

import pytest
from starlette.requests import Request

from shared.errors import ApiError, UnauthorizedError
from shared.identity import (
    Identity,
    IdentityCodec,
    ScopeRequirement,
    insufficient_scope_error,
    parse_scopes,
    scope_grants,
)

SECRET = "x" * 48


@pytest.mark.parametrize(
    ("available", "required", "granted"),
    [
        (["admin:all"], "write:projects", True),
        (["*"], "read:users", True),
        (["read:projects"], "read:projects", True),
        (["read:*"], "read:clients", True),
        (["read:*"], "write:clients", False),
        (["write:projects"], "read:projects", False),
        (["admin:*"], "admin:all", True),
        (["Read:projects"], "read:projects", False),
        ([], "read:projects", False),
    ],
)
def test_scope_rule(available, required, granted):
    assert scope_grants(available, required) is granted


def test_parse_scopes_trims_and_drops_empties():
    assert parse_scopes(" read:projects, ,write:tasks ,") == ["read:projects", "write:tasks"]
    assert parse_scopes(None) == []


def test_insufficient_scope_body_matches_spec():
    body = insufficient_scope_error(("write:projects",), ["read:projects"]).body()
    assert body == {
        "success": False,
        "error": "Insufficient permissions",
        "message": "This endpoint requires the 'write:projects' scope",
        "error_code": "forbidden",
        "required_scope": "write:projects",
        "available_scopes": ["read:projects"],
    }
    multi = insufficient_scope_error(("read:inventory", "read:projects"), []).body()
    assert multi["required_scope"] == "read:inventory, read:projects"


def test_sign_and_verify_round_trip():
    codec = IdentityCodec(SECRET)
    identity = Identity(user_id=7, username="ann", is_admin=True, scopes=("read:*",), token_id=3, client_ip="1.2.3.4")
    assert codec.verify(codec.sign(identity)) == identity


def test_verify_refuses_other_secret_and_expired():
    header = IdentityCodec("y" * 48).sign(Identity(user_id=1))
    with pytest.raises(UnauthorizedError):
        IdentityCodec(SECRET).verify(header)
    codec = IdentityCodec(SECRET)
    expired = codec.sign(Identity(user_id=1), ttl_seconds=-5)
    with pytest.raises(UnauthorizedError):
        codec.verify(expired)


def test_verify_refuses_tampered_header():
    codec = IdentityCodec(SECRET)
    header = codec.sign(Identity(user_id=1, scopes=("read:users",)))
    head, payload, sig = header.split(".")
    forged = f"{head}.{payload[:-2]}AA.{sig}"
    with pytest.raises(UnauthorizedError):
        codec.verify(forged)


def test_cached_identity_still_expires():
    codec = IdentityCodec(SECRET)
    header = codec.sign(Identity(user_id=1), ttl_seconds=1)
    assert codec.verify(header).user_id == 1
    time.sleep(2.1)
    with pytest.raises(UnauthorizedError):
        codec.verify(header)


def test_anonymous_and_service_identities_round_trip():
    codec = IdentityCodec(SECRET)
    for identity in (Identity(user_id=None, client_ip="127.0.0.1"), Identity(user_id=None, service="gateway")):
        assert codec.verify(codec.sign(identity)) == identity


def test_role_assigned_clients_and_switched_off_modules_round_trip():
    codec = IdentityCodec(SECRET)
    identity = Identity(user_id=9, role="subcontractor", client_ids=(4, 8), modules_off=("inventory",))
    back = codec.verify(codec.sign(identity))
    assert (back.role, back.client_ids, back.modules_off) == ("subcontractor", (4, 8), ("inventory",))
    assert back.module_enabled("clients") and not back.module_enabled("inventory")


def test_module_switch_is_checked_after_the_scope():
    asyncio.run(_module_switch_is_checked_after_the_scope())


async def _module_switch_is_checked_after_the_scope():
    def request_for(identity: Identity) -> Request:
        request = Request({"type": "http", "headers": [], "app": None})
        request.state.identity = identity
        return request

    gate = ScopeRequirement("read:inventory", module="inventory")
    off = Identity(user_id=1, scopes=("read:projects",), modules_off=("inventory",))
    with pytest.raises(ApiError) as denied:
        await gate(request_for(off))
    assert denied.value.error_code == "forbidden"  # the scope fails first
    off = Identity(user_id=1, scopes=("read:inventory",), modules_off=("inventory",))
    with pytest.raises(ApiError) as disabled:
        await gate(request_for(off))
    assert disabled.value.body() == {
        "success": False,
        "error": "module_disabled",
        "message": "inventory module is disabled by the administrator.",
        "error_code": "module_disabled",
    }
    assert await gate(request_for(Identity(user_id=1, scopes=("read:inventory",)))) is not None
