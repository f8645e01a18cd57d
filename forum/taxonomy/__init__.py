"""Admin-curated taxonomies: competitors, win/loss reasons, root causes; and free tags."""
