"""The Casbin model: RBAC with domains, where the domain is the tenant.

This text is the one enforced. The migration stores a copy in `authz_model` so that it can be
audited in the database, and the policy loader refuses to run when the two differ.
`r.dom == p.dom` keeps a role's permissions inside the tenant where it is held
(SECURITY-NOTES B4); no domain matching function is registered, so `*` is just a string.
"""

from __future__ import annotations

import casbin  # type: ignore[import-untyped]

MODEL_TEXT = """\
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act
"""


def new_model() -> casbin.Model:
    """A fresh Casbin model from MODEL_TEXT, without any policy."""
    model = casbin.Model()
    model.load_model_from_text(MODEL_TEXT)
    return model
