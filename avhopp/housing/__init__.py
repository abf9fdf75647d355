"""Inter-municipal placement: housing units, requests, matching, offers."""
