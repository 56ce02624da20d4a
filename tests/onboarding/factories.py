"""Onboarding test data, built through the real services wherever a state is involved."""

import io
from datetime import date, timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from merchants.models import Category
from onboarding import selectors, services
from onboarding.models import Application
from tests.factories import MerchantFactory, UserFactory, uscc_with_check

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name="scan.pdf", content=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="scan.png", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A bare draft (for scoping and list tests); use `draft()` for one made by the services."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    merchant = factory.SubFactory(MerchantFactory)
    store_name = factory.LazyAttribute(lambda a: a.merchant.name)
    contact_name = "Li Lei"
    contact_phone = "+86 138 0013 8000"
    created_by = factory.SubFactory(UserFactory)


_counter = iter(range(1, 10**6))


def new_uscc() -> str:
    return uscc_with_check(f"913101{next(_counter):011d}")


def draft(owner=None, *, categories=("apparel",), uscc=None) -> Application:
    owner = owner or UserFactory()
    return services.application_start(
        user=owner,
        legal_name="Shanghai Example Trading Co., Ltd.",
        uscc=uscc or new_uscc(),
        store_name="Example Store",
        categories=list(Category.objects.filter(code__in=categories)),
        contact_name="Li Lei",
        contact_phone="+86 138 0013 8000",
    )


def upload_required(application, *, numbers=None, expires_on=None, skip=()) -> None:
    numbers = numbers or {}
    owner = application.created_by
    for doc_type in sorted(selectors.required_document_types(application=application) - set(skip)):
        default = application.merchant.uscc if doc_type == "business_licence" else f"{doc_type}-{application.pk}"
        services.document_upload(
            application=application,
            user=owner,
            doc_type=doc_type,
            file=pdf(),
            number=numbers.get(doc_type, default),
            issued_on=date.today() - timedelta(days=365),
            expires_on=expires_on or date.today() + timedelta(days=700),
        )


def accept_agreements(application) -> None:
    services.agreements_accept(
        application=application,
        user=application.created_by,
        agreement_ids=[a.pk for a in selectors.agreements_current()],
    )


def ready(owner=None, **kwargs) -> Application:
    """A complete draft: every required document and the current agreements."""
    application = draft(owner, **kwargs)
    upload_required(application)
    accept_agreements(application)
    return application


def in_review(owner=None, **kwargs) -> Application:
    """Submitted and through the automatic checks (run here, in-process)."""
    application = ready(owner, **kwargs)
    services.application_submit(application=application, user=application.created_by, schedule_checks=False)
    services.application_checks_run(application_id=application.pk)
    application.refresh_from_db()
    return application
