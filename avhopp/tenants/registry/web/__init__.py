"""The registry's pages: overview, account, tenant switching, administration."""
