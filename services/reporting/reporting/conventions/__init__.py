"""The platform conventions as the reports apply them: project scope by role (CONVENTIONS §4),
days and weeks in a time zone and the user's calendar preferences (§6.1), hours as shown (§6.3)."""
