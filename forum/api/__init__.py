"""The JSON API: the same rules and shielding as the pages."""
