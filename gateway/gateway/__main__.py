"""`python -m gateway`: serve on TT_GATEWAY_PORT with uvloop and httptools."""

from __future__ import annotations

import uvicorn

from gateway.settings import GatewaySettings
from shared.config_errors import load_settings


def main() -> None:
    settings = load_settings(GatewaySettings)
    uvicorn.run(
        "gateway.main:create_app",
        factory=True,
        host=settings.bind_host,
        port=settings.gateway_port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        # X-Forwarded-For is the gateway's call (TT_TRUST_FORWARDED_FOR), not the server's.
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
