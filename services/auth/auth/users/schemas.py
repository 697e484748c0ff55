"""Wire shapes of the user resource (auth.md §1.2, §2–§4)."""

from __future__ import annotations

from pydantic import BaseModel


class UserCreate(BaseModel):
    """Types only; required fields and value rules are checked by `users.rules`."""

    username: str | None = None
    password: str | None = None
    email: str | None = None
    full_name: str | None = None
    role: str | None = None
    timezone: str | None = None
    github_username: str | None = None
    slack_user_id: str | None = None


class UserUpdate(BaseModel):
    """Partial update (PATCH and PUT): only the keys present in the body change."""

    email: str | None = None
    full_name: str | None = None
    role: str | None = None
    is_active: bool | None = None
    password: str | None = None
    timezone: str | None = None
    date_format: str | None = None
    time_format: str | None = None
    week_start_day: int | None = None
    standard_hours_per_day: float | None = None
    overtime_include_weekends: bool | None = None
    time_rounding_enabled: bool | None = None
    time_rounding_minutes: int | None = None
    time_rounding_method: str | None = None
    github_username: str | None = None
    slack_user_id: str | None = None
    assigned_client_ids: list[int] | None = None


class UserStored(BaseModel):
    """The stored fields the user object and the `tt.auth.user.*` payload share."""

    id: int
    username: str
    email: str | None
    full_name: str | None
    display_name: str
    role: str
    is_admin: bool
    created_at: str
    last_login: str | None
    is_active: bool
    avatar_url: str | None
    standard_hours_per_day: float
    overtime_include_weekends: bool


class UserPreferences(BaseModel):
    """What an admin may change beyond the object (the detail view and the event carry them)."""

    week_start_day: int
    time_rounding_enabled: bool
    time_rounding_minutes: int
    time_rounding_method: str
    github_username: str | None
    slack_user_id: str | None
    assigned_client_ids: list[int]


class UserRead(UserStored):
    total_hours: float
    status: str
    date_format: str
    time_format: str
    timezone: str


class UserDetail(UserPreferences, UserRead):
    pass


class TimeEntryRequirements(BaseModel):
    require_task: bool
    require_description: bool
    description_min_length: int


class MeResponse(BaseModel):
    user: UserRead
    time_entry_requirements: TimeEntryRequirements
    enabled_modules: list[str]


class Pagination(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int
    has_next: bool
    has_prev: bool
    next_page: int | None
    prev_page: int | None


class UserList(BaseModel):
    users: list[UserRead]
    pagination: Pagination


class UserEnvelope(BaseModel):
    user: UserDetail


class UserMessageEnvelope(BaseModel):
    message: str
    user: UserDetail
