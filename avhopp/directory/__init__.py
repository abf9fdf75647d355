"""The national directory of defector services (the catalogue) and the guidance line."""
