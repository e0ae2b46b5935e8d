"""The audit log: who read or changed which participant's data, when, and why they were allowed."""
