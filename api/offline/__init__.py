"""Offline sync for the field app: the domain's entities handed to the engine in `sync/`."""
