"""Observability mechanisms every process shares: JSON logs carrying the request and trace ids
(`logs`), Prometheus metrics on the default registry (`metrics`), W3C trace context and the
optional OpenTelemetry exporter (`tracing`), and the services' pure-ASGI middleware tying them
to each request (`middleware`)."""
