"""Violations reached through the real services."""

from django.core.files.uploadedfile import SimpleUploadedFile

from core.access import PLATFORM_ADMIN, RISK_OFFICER
from credit.services import violations as services
from tests.factories import staff
from tests.orders.factories import active_merchant

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name="evidence.pdf", content=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def officer(**kwargs):
    return staff(RISK_OFFICER, **kwargs)


def admin(**kwargs):
    return staff(PLATFORM_ADMIN, **kwargs)


def reported(merchant=None, *, by=None, category="false_advertising", severity="serious", **kwargs):
    return services.violation_report(
        merchant=merchant or active_merchant(),
        category=category,
        severity=severity,
        description=kwargs.pop("description", "Claims a 'national award' it never received."),
        actor=by or officer(),
        **kwargs,
    )


def investigating(merchant=None, *, by=None, **kwargs):
    by = by or officer()
    return services.violation_investigate(violation=reported(merchant, by=by, **kwargs), actor=by)


def decided(merchant=None, *, points=6, measure="warning", by=None, **kwargs):
    """A violation decided with `points` and `measure` (extra decision fields: fine_amount, measure_days)."""
    by = by or officer()
    decision = {key: kwargs.pop(key) for key in ("fine_amount", "measure_days") if key in kwargs}
    violation = investigating(merchant, by=by, **kwargs)
    return services.violation_decide(
        violation=violation, actor=by, measure=measure, points=points, reason="Proven by the listing.", **decision
    )


def appealed(merchant=None, *, actor, **kwargs):
    """Decided, then appealed by `actor` (a member of the merchant)."""
    violation = decided(merchant, **kwargs)
    services.violation_appeal(
        violation=violation,
        actor=actor,
        root_cause="The product copy was written by an agency.",
        corrective_action="The listing is corrected.",
        preventive_action="Copy is reviewed by our compliance lead before publishing.",
    )
    violation.refresh_from_db()
    return violation
