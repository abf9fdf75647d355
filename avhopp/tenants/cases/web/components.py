"""What other parts' web layers may reuse from cases: the API's problem details in Swedish."""

from avhopp.tenants.cases.web.api_problems import API_EXCEPTION_HANDLERS, Problem, problems

__all__ = ["API_EXCEPTION_HANDLERS", "Problem", "problems"]
