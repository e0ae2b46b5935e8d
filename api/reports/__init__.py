"""Reports for supervisors: weekly activity per specialist against the IPS targets."""
