"""Swedish administrative geography: police regions, counties and municipalities."""
