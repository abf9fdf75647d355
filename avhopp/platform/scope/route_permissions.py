"""What a route says it needs: PUBLIC, SIGNED_IN, or an "object:action" permission.

Every route states one in `opt={"permission": ...}`; the guard in avhopp.platform.auth.permissions
enforces it and refuses a route that states none.
"""

from __future__ import annotations

PUBLIC = "public"
"""Anyone, signed in or not."""
SIGNED_IN = "signed_in"
"""A person who has signed in, acting for a tenant or not yet."""
PERMISSION_KEY = "permission"
TENANT_KINDS_KEY = "tenant_kinds"
"""Where a route states the tenant kinds it opens in; in any other kind it answers "not found"."""
