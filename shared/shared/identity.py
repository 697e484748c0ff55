"""The caller's identity as the gateway vouches for it, and the scope rule of CONVENTIONS §3.2.

The gateway authenticates the API token, then forwards a short-lived JWS (HS256, shared
`TT_IDENTITY_SECRET`) in `X-TT-Identity`. Services verify it on every request and never see
API tokens. `requires("read:users")` enforces a scope and marks the route so the app factory
can publish the scope in OpenAPI, where the gateway reads it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock
from typing import Annotated, Any

from fastapi import Depends, Request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from shared.errors import ApiError, ForbiddenError, ModuleDisabledError, UnauthorizedError

IDENTITY_HEADER = "x-tt-identity"
# On auth's answer to a write that changed what a token may do (`token=<id>`, `user=<id>`): the
# gateway that carries it evicts those cache entries before the caller sees the answer, so the
# very next request is judged on the change. Other gateways follow on the event. Never forwarded.
CREDENTIALS_CHANGED_HEADER = "x-tt-credentials-changed"
ALGORITHM = "HS256"


def parse_scopes(raw: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Comma string or list → trimmed scopes without empties, order kept."""
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else raw
    return [s.strip() for s in items if s and s.strip()]


def scope_grants(available: list[str] | tuple[str, ...], required: str) -> bool:
    """CONVENTIONS §3.2: admin:all or *, the exact scope, or `<verb>:*`. Case-sensitive."""
    if "admin:all" in available or "*" in available or required in available:
        return True
    verb = required.split(":", 1)[0]
    return f"{verb}:*" in available


def scopes_grant_any(available: list[str] | tuple[str, ...], alternatives: tuple[str, ...]) -> bool:
    return any(scope_grants(available, r) for r in alternatives)


def insufficient_scope_error(alternatives: tuple[str, ...], available: list[str] | tuple[str, ...]) -> ApiError:
    """The 403 of CONVENTIONS §3.3 (also rendered by the gateway)."""
    required = ", ".join(alternatives)
    if len(alternatives) == 1:
        message = f"This endpoint requires the '{alternatives[0]}' scope"
    else:
        message = "This endpoint requires one of the scopes: " + ", ".join(f"'{s}'" for s in alternatives)
    return ForbiddenError(
        message,
        error="Insufficient permissions",
        required_scope=required,
        available_scopes=list(available),
    )


@dataclass(frozen=True)
class Identity:
    """Who is calling. `user_id` is None for public routes (login) and internal callers."""

    user_id: int | None
    username: str | None = None
    is_admin: bool = False
    scopes: tuple[str, ...] = ()
    token_id: int | None = None
    client_ip: str | None = None
    service: str | None = None  # set when a platform process calls an internal route
    role: str | None = None
    # Clients assigned to the user (the subcontractor's client scope).
    client_ids: tuple[int, ...] = ()
    # Module ids switched off for this user (CONVENTIONS §9), computed by the auth service.
    modules_off: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def module_enabled(self, module_id: str) -> bool:
        return module_id not in self.modules_off

    def to_claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "usr": self.username,
            "adm": self.is_admin,
            "scp": list(self.scopes),
            "tid": self.token_id,
            "ip": self.client_ip,
            "svc": self.service,
        }
        # Optional claims only when set: the header stays small for the common case.
        if self.role is not None:
            claims["rol"] = self.role
        if self.client_ids:
            claims["acl"] = list(self.client_ids)
        if self.modules_off:
            claims["mof"] = list(self.modules_off)
        if self.user_id is not None:  # JWT `sub` must be a string when present
            claims["sub"] = str(self.user_id)
        return claims

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Identity:
        sub = claims.get("sub")
        return cls(
            user_id=int(sub) if sub is not None else None,
            username=claims.get("usr"),
            is_admin=bool(claims.get("adm")),
            scopes=tuple(claims.get("scp") or ()),
            token_id=claims.get("tid"),
            client_ip=claims.get("ip"),
            service=claims.get("svc"),
            role=claims.get("rol"),
            client_ids=tuple(claims.get("acl") or ()),
            modules_off=tuple(claims.get("mof") or ()),
        )


class IdentityCodec:
    """Signs and verifies identity headers. Verified headers are cached until they expire,
    so a client reusing one identity (the gateway caches them too) costs one dict lookup."""

    def __init__(self, secret: str, *, ttl_seconds: int = 60, cache_size: int = 4096) -> None:
        self._key = OctKey.import_key(secret.encode())
        self.ttl_seconds = ttl_seconds
        self._cache: OrderedDict[str, tuple[float, Identity]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()

    def sign(self, identity: Identity, *, ttl_seconds: int | None = None) -> str:
        now = int(time.time())
        claims = identity.to_claims() | {"iat": now, "exp": now + (ttl_seconds or self.ttl_seconds)}
        return jwt.encode({"alg": ALGORITHM}, claims, self._key, algorithms=[ALGORITHM])

    def verify(self, value: str) -> Identity:
        now = time.time()
        with self._lock:
            hit = self._cache.get(value)
            if hit is not None and hit[0] > now:
                self._cache.move_to_end(value)
                return hit[1]
        try:
            token = jwt.decode(value, self._key, algorithms=[ALGORITHM])
            jwt.JWTClaimsRegistry(exp={"essential": True}).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise UnauthorizedError("Missing or invalid gateway identity", error="Invalid identity") from exc
        identity = Identity.from_claims(token.claims)
        with self._lock:
            self._cache[value] = (float(token.claims["exp"]), identity)
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return identity


def verified_identity(request: Request) -> Identity:
    """The verified caller; 401 when the gateway's header is missing or invalid."""
    cached = getattr(request.state, "identity", None)
    if cached is not None:
        return cached
    value = request.headers.get(IDENTITY_HEADER)
    if not value:
        raise UnauthorizedError("Requests must come through the API gateway", error="Authentication required")
    identity = request.app.state.identity_codec.verify(value)
    request.state.identity = identity
    return identity


async def get_identity(request: Request) -> Identity:
    # async: no I/O here, so FastAPI runs it on the loop instead of a threadpool hop
    return verified_identity(request)


IdentityDep = Annotated[Identity, Depends(get_identity)]


class ScopeRequirement:
    """Dependency enforcing one of `alternatives` (empty: any authenticated token).

    `public=True` marks a route that needs no token (login); `internal=True` one only platform
    processes may call. The app factory finds these objects in each route's dependency tree
    and writes `x-tt-auth` / `x-tt-scopes` into the OpenAPI operation for the gateway.
    """

    def __init__(
        self, *alternatives: str, public: bool = False, internal: bool = False, module: str | None = None
    ) -> None:
        self.alternatives = alternatives
        self.public = public
        self.internal = internal
        self.module = module

    @property
    def auth_mode(self) -> str:
        return "public" if self.public else "internal" if self.internal else "token"

    async def __call__(self, request: Request) -> Identity:
        identity = verified_identity(request)
        if self.internal and identity.service is None:
            raise ForbiddenError("This route is internal to the platform")
        if self.public or self.internal:
            return identity
        if identity.user_id is None:
            raise UnauthorizedError("An API token is required", error="Authentication required")
        if self.alternatives and not scopes_grant_any(identity.scopes, self.alternatives):
            raise insufficient_scope_error(self.alternatives, identity.scopes)
        # CONVENTIONS §3.4/§9: the module switch is checked after authentication and scope.
        if self.module is not None and not identity.module_enabled(self.module):
            raise ModuleDisabledError(self.module)
        return identity


def requires(*alternatives: str, module: str | None = None) -> Any:
    """`Annotated[Identity, requires("write:projects", module="inventory")]`: the scope is
    checked and published; `module` also refuses callers for whom that module is switched off."""
    return Depends(ScopeRequirement(*alternatives, module=module))


def public() -> Any:
    return Depends(ScopeRequirement(public=True))


def internal() -> Any:
    return Depends(ScopeRequirement(internal=True))
