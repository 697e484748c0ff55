"""TimeTracker reporting service: read models fed by events, reports, dashboards, search, exports."""
