"""Accounts: teams and the people who sign in (their tables).

Below both api.auth (which signs them in) and api.teams (where an admin manages them), so that
neither has to import the other's package for the tables.
"""
