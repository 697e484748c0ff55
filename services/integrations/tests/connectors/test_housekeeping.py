"""The connectors' retention job: expired OAuth states and old GitHub delivery ids go, current
ones stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from integrations.connectors import records
from integrations.connectors.housekeeping import DELIVERY_RETENTION, purge_expired
from integrations.models import InboundDelivery, Integration, OAuthState
from shared.db import utcnow


def test_expired_states_and_old_deliveries_are_purged(committed):
    now = utcnow()
    with committed() as s, s.begin():
        row = Integration(provider=records.GITHUB, user_id=987001, name="GitHub", config={})
        s.add(row)
        s.flush()
        s.add_all(
            [
                OAuthState(state_hash="a" * 64, provider=records.GOOGLE, user_id=1, code_verifier="x",
                           expires_at=now - timedelta(seconds=1)),
                OAuthState(state_hash="b" * 64, provider=records.GOOGLE, user_id=1, code_verifier="x",
                           expires_at=now + timedelta(minutes=5)),
                InboundDelivery(provider=records.GITHUB, delivery_id="old", integration_id=row.id, response={},
                                received_at=now - DELIVERY_RETENTION - timedelta(hours=1)),
                InboundDelivery(provider=records.GITHUB, delivery_id="recent", integration_id=row.id, response={},
                                received_at=now - timedelta(days=1)),
            ]
        )  # fmt: skip
    try:
        purge_expired(committed, connectors=None)
        with committed() as s:
            assert s.scalars(select(OAuthState.state_hash)).all() == ["b" * 64]
            assert s.scalars(select(InboundDelivery.delivery_id)).all() == ["recent"]
    finally:
        with committed() as s, s.begin():
            s.execute(delete(OAuthState))
            s.execute(delete(Integration).where(Integration.user_id == 987001))
