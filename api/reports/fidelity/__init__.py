"""The IPS-25 fidelity items that the logged data can score, with their evidence."""
