"""Routing data: `prefixes` (which service owns which URL space), `table` (the operations of
every service, matched by path and method) and `registry` (loading the services' OpenAPI)."""
