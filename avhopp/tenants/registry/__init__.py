"""The tenant registry: organisations, their people and roles, and their administration."""
