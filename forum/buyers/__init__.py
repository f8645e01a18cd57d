"""The buyer's own voice: survey links, recorded interviews, quotes, themes and evidence."""
