"""Participants on a specialist's caseload, their consents and career profile."""
