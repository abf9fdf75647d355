"""Inter-municipal placement: the matching engine, and the placement workflow around it."""
