"""A benchmark organisation (``flask seed-bench``): a realistic, skewed world written in bulk."""
