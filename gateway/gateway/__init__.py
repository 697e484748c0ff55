"""TimeTracker API gateway."""
