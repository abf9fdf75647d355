"""Inter-municipal placement: housing units, requests, matching, offers.

The placement engine is pure domain code (no web, no database): `avhopp.housing.engine` is its
public interface; `docs/placering.md` explains the rules and weights in plain Swedish.
"""
