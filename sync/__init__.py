"""The offline sync engine: push, pull and merge for any registered SQLAlchemy models.

It knows no IPS words and never imports `api`; the API registers its entities with it.
"""
