"""TimeTracker auth service: users, API tokens, login, token introspection, version check."""
