"""Mechanisms shared by the TimeTracker platform's services. No business logic lives here."""
