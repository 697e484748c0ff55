"""Local fakes of the third-party providers (GitHub, Slack, Google), speaking their wire format
on loopback; the only fakes the platform's tests use."""
