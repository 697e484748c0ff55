"""The stages a request passes, in the order of CONVENTIONS §3.4, each built with what it uses."""

from gateway.main import create_app
from gateway.proxy import Proxy
from gateway.settings import GatewaySettings
from gateway.stages.authn import AuthenticationStage
from gateway.stages.cors import CorsStage
from gateway.stages.ratelimit import RateLimitStage
from gateway.stages.request_id import RequestIdStage
from gateway.stages.routing import RoutingStage
from gateway.stages.scopes import ScopeStage
from gateway.stages.usage import UsageStage


def chain(app) -> list:
    out = []
    while not isinstance(app, Proxy):
        out.append(app)
        app = app.app
    return out


def test_stages_run_in_request_order_and_end_at_the_proxy(identity_secret):
    gateway = create_app(GatewaySettings(identity_secret=identity_secret, rate_limit_per_minute=7))
    stages = chain(gateway.app)
    assert [type(s) for s in stages] == [
        RequestIdStage,
        CorsStage,
        RoutingStage,
        AuthenticationStage,
        ScopeStage,
        RateLimitStage,
        UsageStage,
    ]
    runtime = gateway.runtime
    routing, authn, ratelimit, usage = stages[2], stages[3], stages[5], stages[6]
    assert routing.registry is runtime.registry and "/api/v1/info" in routing.own
    assert authn.cache is runtime.tokens and authn.codec is runtime.codec
    assert ratelimit.limiter is runtime.limiter and ratelimit.per_minute == 7
    assert usage.usage is runtime.usage
