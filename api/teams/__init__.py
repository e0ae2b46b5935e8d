"""Teams and user accounts, managed by admins."""
