"""Project scope: CONVENTIONS §4's rule (`shared.visibility`) on the project replica. (A
`user_id` filter on own data: `shared.visibility.own_data_user`.)"""

from __future__ import annotations

from reporting.models import KnownProject
from shared.identity import Identity
from shared.visibility import in_scope


def in_project_scope(identity: Identity, project: KnownProject) -> bool:
    return in_scope(identity, created_by=project.created_by, client_id=project.client_id)
