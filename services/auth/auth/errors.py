"""Domain errors of the auth service, with the spec's codes and wording."""

from __future__ import annotations

from shared.errors import ConflictError, ForbiddenError, NotFoundError, UnauthorizedError


class InvalidCredentialsError(UnauthorizedError):
    """Every login failure looks the same (CONVENTIONS §10.4)."""

    error = "Invalid username or password"


class InactiveUserError(UnauthorizedError):
    """The token's user no longer exists or was deactivated (CONVENTIONS §2.3 row 7)."""

    error = "Invalid token"

    def __init__(self) -> None:
        super().__init__("User account is inactive")


class AdminRequiredError(ForbiddenError):
    """Admin administration endpoints: the token's user must be an admin (auth.md §4, §5)."""

    error = "Access denied"

    def __init__(self) -> None:
        super().__init__("Administrator access required")


class AdminOnlyError(ForbiddenError):
    """The version endpoints' 403 (auth.md §6)."""

    error = "forbidden"

    def __init__(self) -> None:
        super().__init__("Admin only")


class UserNotFoundError(NotFoundError):
    error = "User not found"

    def __init__(self, user_id: int | None = None) -> None:
        super().__init__(f"User with ID {user_id} not found" if user_id is not None else "User not found")


class TokenNotFoundError(NotFoundError):
    error = "Token not found"

    def __init__(self, token_id: int) -> None:
        super().__init__(f"API token with ID {token_id} not found")


class UsernameTakenError(ConflictError):
    error = "Username already exists"

    def __init__(self, username: str) -> None:
        super().__init__(f"A user named '{username}' already exists")


class SlackUserTakenError(ConflictError):
    error = "Slack user id already linked"

    def __init__(self) -> None:
        super().__init__("This slack_user_id is already linked to another user")
