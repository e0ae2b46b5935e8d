"""Employers, shared within a team."""
