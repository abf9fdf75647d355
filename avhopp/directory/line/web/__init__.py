"""The guidance line's pages: the console, callbacks, supervision."""
