"""The directory's HTML pages: search, editor, review queue and the public page."""
