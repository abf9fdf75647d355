"""Who is asking: sessions for people, bearer tokens for machine clients, OIDC login."""
