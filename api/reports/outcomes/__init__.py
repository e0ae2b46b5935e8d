"""Employment and job outcomes per specialist for a quarter."""
