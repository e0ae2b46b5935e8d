"""Sign-in, token refresh with rotation, and revocation."""
