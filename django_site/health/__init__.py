"""Health check answered by middleware, before Django validates the Host header."""
