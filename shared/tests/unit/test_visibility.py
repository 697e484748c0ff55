"""CONVENTIONS §4's table: what each role's scope opens, for one row and as a list condition."""

import pytest
from sqlalchemy import Column, Integer, MetaData, Table

from shared.errors import ForbiddenError
from shared.identity import Identity
from shared.visibility import in_scope, own_data_user, scope_filter

rows = Table("rows", MetaData(), Column("created_by", Integer), Column("client_id", Integer))


def who(role: str, **fields) -> Identity:
    return Identity(user_id=7, username="u", role=role, is_admin=role == "admin", **fields)


@pytest.mark.parametrize(
    ("identity", "created_by", "client_id", "seen"),
    [
        (who("admin"), None, None, True),
        (who("manager"), 3, 1, True),
        (who("user"), 7, 1, True),
        (who("user"), 3, 1, False),
        (who("viewer"), None, 1, False),  # no creator: in nobody's own scope
        (who("subcontractor", client_ids=(1, 2)), 3, 2, True),
        (who("subcontractor", client_ids=(1, 2)), 7, 5, False),
        (who("subcontractor"), 7, 5, False),
    ],
)
def test_one_row(identity, created_by, client_id, seen):
    assert in_scope(identity, created_by=created_by, client_id=client_id) is seen


def test_list_conditions():
    columns = {"created_by": rows.c.created_by, "client_id": rows.c.client_id}
    assert scope_filter(who("manager"), **columns) is None
    assert str(scope_filter(who("user"), **columns)) == "rows.created_by = :created_by_1"
    assert "IN" in str(scope_filter(who("subcontractor", client_ids=(1,)), **columns))
    assert str(scope_filter(who("subcontractor"), **columns)) == "false"


def test_own_data_only_unless_admin():
    assert own_data_user(who("admin"), None) is None and own_data_user(who("admin"), 3) == 3
    assert own_data_user(who("manager"), None) == 7 and own_data_user(who("user"), 7) == 7
    with pytest.raises(ForbiddenError):
        own_data_user(who("manager"), 3)
