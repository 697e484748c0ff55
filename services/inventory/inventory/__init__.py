"""TimeTracker inventory service."""
