"""The review SLA clock: the first decision is due REVIEW_SLA_WORKING_DAYS working days after submission."""

from datetime import datetime

from django.conf import settings

from core.working_days import add_working_days


def decision_due(submitted_at: datetime) -> datetime:
    return add_working_days(submitted_at, settings.REVIEW_SLA_WORKING_DAYS)
