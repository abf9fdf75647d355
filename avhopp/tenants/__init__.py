"""Tenants: the organisations that use the platform, their people and roles."""
