"""The national guidance line: contacts, referrals, callbacks, statistics."""
