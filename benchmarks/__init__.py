"""Benchmarks that print figures; run each with `python -m benchmarks.<name>` from the root."""
