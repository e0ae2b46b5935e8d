"""A supervisor's review of a specialist's week (fidelity evidence)."""
