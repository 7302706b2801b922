"""Admin and moderator accounts: login, sessions, roles, passwords."""
