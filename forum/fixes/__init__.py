"""Tracked operational fixes: the workflow table, the hash-chained history, SLAs, escalation."""
