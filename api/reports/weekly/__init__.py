"""Weekly activity per specialist against the IPS targets."""
