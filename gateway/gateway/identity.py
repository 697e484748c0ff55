"""Signing identities for the services.

`shared.identity.Identity.to_claims` writes `"sub": null` for an identity without a user, and
JWT claim validation in `IdentityCodec.verify` rejects a null `sub`, so every public-route and
internal identity would be refused. Until shared omits the claim itself, the gateway signs
such identities without `sub` (`Identity.from_claims` reads a missing `sub` as no user).
"""

from __future__ import annotations

import time

from joserfc import jwt

from shared.identity import ALGORITHM, Identity, IdentityCodec


class GatewayIdentityCodec(IdentityCodec):
    def sign(self, identity: Identity, *, ttl_seconds: int | None = None) -> str:
        if identity.user_id is not None:
            return super().sign(identity, ttl_seconds=ttl_seconds)
        now = int(time.time())
        claims = {k: v for k, v in identity.to_claims().items() if k != "sub"}
        claims |= {"iat": now, "exp": now + (ttl_seconds or self.ttl_seconds)}
        return jwt.encode({"alg": ALGORITHM}, claims, self._key, algorithms=[ALGORITHM])
