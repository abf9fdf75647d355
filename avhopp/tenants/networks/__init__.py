"""County network spaces: a county board's network of member organisations, their meetings and guests."""
