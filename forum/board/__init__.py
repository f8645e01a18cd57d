"""The accountability board: read-only figures, charts, exports and the period review."""
