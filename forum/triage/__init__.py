"""The triage inbox: turning posts into fixes, duplicates, declines and questions."""
