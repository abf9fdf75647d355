"""The web application: app factory, health checks, errors, request observation."""
