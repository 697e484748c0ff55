"""The read models: kept current by events (rollups), read over any range (totals, names), caught
up with tracking before a read (freshness) and checked against a replay of the stream (replay)."""
