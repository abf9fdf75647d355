"""What other parts' web layers may reuse from cases.

The API's refusals of undecodable bodies, in Swedish, and the follow-up record's questions and answers
as Swedish labels.
"""

from avhopp.tenants.cases.web.api_problems import API_EXCEPTION_HANDLERS
from avhopp.tenants.cases.web.follow_up_form import QUESTIONS as FOLLOW_UP_LABELS

__all__ = ["API_EXCEPTION_HANDLERS", "FOLLOW_UP_LABELS"]
