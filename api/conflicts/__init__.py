"""Conflicts: the value that lost a concurrent edit, kept for a person to look at."""
