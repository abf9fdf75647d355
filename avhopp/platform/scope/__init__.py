"""Who acts, for which tenant, and with which database session: resolved once per request."""
