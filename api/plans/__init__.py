"""The job-search plan: goals and the small steps toward them."""
