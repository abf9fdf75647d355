"""Tenants: the registry of organisations and people; later cases, county networks and follow-up."""
