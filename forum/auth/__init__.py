"""Users, teams, sign-in, tokens and the permission policy."""
