"""The Casbin model: RBAC with domains, where the domain is the tenant.

This text is the one enforced. The migration stores a copy in `authz_model` so that it can be
audited in the database, and the policy loader refuses to run when the two differ.
`r.dom == p.dom` keeps a role's permissions inside the tenant where it is held
(SECURITY-NOTES B4); no domain matching function is registered, so `*` is just a string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casbin.model import FastModel  # type: ignore[import-untyped]

if TYPE_CHECKING:
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


POLICY_INDEX = (1, 2)
"""The policy fields (dom, obj) that every match requires equal to the request's: Casbin indexes the
rules by them and tries only those that can match, instead of every rule of every tenant for every
decision (tens of milliseconds a decision with a few hundred tenants' rules, and a request decides
every permission once for its menu)."""


def new_model() -> casbin.Model:
    """A fresh Casbin model from MODEL_TEXT, without any policy, its rules indexed by POLICY_INDEX."""
    model = FastModel(POLICY_INDEX)
    model.load_model_from_text(MODEL_TEXT)
    return model
