"""The placement engine: pure domain code (no web, no database); `service` is its public interface."""
