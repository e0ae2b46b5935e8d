"""A participant's rights: a copy of their data, and erasure when they leave."""
