"""Administration: users, teams, audit log."""
