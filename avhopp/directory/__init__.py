"""The national directory of defector services."""
