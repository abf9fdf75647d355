"""The notifications' SMTP server and job runtime, for the onboarding invitation's e-mail."""

from tests.platform.jobs.conftest import observed
from tests.platform.notifications.conftest import mail_jobs, mail_on, mail_settings, smtp_server

__all__ = ["mail_jobs", "mail_on", "mail_settings", "observed", "smtp_server"]
