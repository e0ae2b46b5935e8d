"""Pieces every area of the API shares: model mixins, schema base, pagination, CRUD routes."""
