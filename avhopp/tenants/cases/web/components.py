"""What other parts' web layers may reuse from cases: the API's refusals of undecodable bodies, in Swedish."""

from avhopp.tenants.cases.web.api_problems import API_EXCEPTION_HANDLERS

__all__ = ["API_EXCEPTION_HANDLERS"]
