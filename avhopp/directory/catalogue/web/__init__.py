"""The catalogue's pages and APIs."""
