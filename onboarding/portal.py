"""The applicant's side in the portal: a guided application in four steps, kept as a draft, then progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.access import Caller, is_platform_staff
from core.errors import DomainError
from onboarding import selectors, services
from onboarding.choices import EDITABLE_STATES, ApplicationStatus
from onboarding.forms import AgreementsForm, CompanyForm, DocumentForm, StoreForm

app_name = "onboarding"

STEPS = [
    ("company", gettext_lazy("Company")),
    ("store", gettext_lazy("Store and categories")),
    ("documents", gettext_lazy("Documents")),
    ("agreements", gettext_lazy("Agreements and submission")),
]


def applicant_required(view):
    """A merchant user (not staff), signed in."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if is_platform_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _application(request, pk):
    return selectors.application_get(caller=Caller(user=request.user), pk=pk)


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _editable_or_progress(request, application):
    if application.status not in EDITABLE_STATES:
        messages.info(request, _("The application is with the platform; here is where it stands."))
        return redirect("onboarding:progress", application.pk)
    return None


def _step_context(application, step: str, **extra):
    return {"application": application, "steps": STEPS, "step": step, **extra}


@applicant_required
def start(request):
    """Continue the open application, or start one with the company step."""
    application = selectors.open_application_of_user(user=request.user)
    if application is not None:
        if application.status in EDITABLE_STATES:
            return redirect(
                "onboarding:company" if application.status == ApplicationStatus.DRAFT else "onboarding:documents",
                application.pk,
            )
        return redirect("onboarding:progress", application.pk)
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_start(
                user=request.user, store_name=data["legal_name"], categories=[], **data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Your draft is saved. Next, tell us about your store."))
            return redirect("onboarding:store", application.pk)
    past = selectors.applications_of_user(user=request.user)
    return render(request, "onboarding/company.html", {"form": form, "steps": STEPS, "step": "company", "past": past})


@applicant_required
def company(request, pk):
    application = _application(request, pk)
    if (response := _editable_or_progress(request, application)) is not None:
        return response
    initial = {
        "legal_name": application.merchant.legal_name,
        "uscc": application.merchant.uscc,
        "contact_name": application.contact_name,
        "contact_phone": application.contact_phone,
    }
    form = CompanyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(application=application, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("onboarding:store", application.pk)
    return render(request, "onboarding/company.html", _step_context(application, "company", form=form))


@applicant_required
def store(request, pk):
    application = _application(request, pk)
    if (response := _editable_or_progress(request, application)) is not None:
        return response
    initial = {
        "store_name": application.store_name,
        "business_scope": application.business_scope,
        "categories": [c.code for c in application.categories.all()],
    }
    form = StoreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_update(
                application=application,
                user=request.user,
                store_name=data["store_name"],
                business_scope=data["business_scope"],
                categories=list(data["categories"]),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("onboarding:documents", application.pk)
    return render(request, "onboarding/store.html", _step_context(application, "store", form=form))


@applicant_required
def documents(request, pk):
    application = _application(request, pk)
    if (response := _editable_or_progress(request, application)) is not None:
        return response
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_upload(application=application, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("onboarding:progress", application.pk)
        else:
            messages.success(request, _("Document uploaded."))
            return redirect("onboarding:documents", application.pk)
    required = selectors.required_document_types(application=application)
    uploaded = {d.doc_type: d for d in application.documents.all()}
    rows = [
        {"doc_type": doc_type, "label": selectors.item_label(doc_type), "document": uploaded.get(doc_type)}
        for doc_type in sorted(required | set(uploaded))
    ]
    context = _step_context(
        application,
        "documents",
        form=form,
        rows=rows,
        required=required,
        sent_back=selectors.missing_for_applicant(application=application)
        if application.status == ApplicationStatus.CHANGES_REQUESTED
        else [],
    )
    return render(request, "onboarding/documents.html", context, status=400 if form.errors else 200)


@applicant_required
def agreements(request, pk):
    application = _application(request, pk)
    if (response := _editable_or_progress(request, application)) is not None:
        return response
    current = selectors.agreements_current()
    accepted = selectors.accepted_agreement_ids(application=application)
    form = AgreementsForm(
        request.POST or None, agreements=current, initial={"agreements": [str(pk) for pk in accepted]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreements_accept(
                application=application, user=request.user, agreement_ids=form.cleaned_data["agreements"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Agreements accepted."))
            return redirect("onboarding:agreements", application.pk)
    missing = selectors.missing_for_applicant(application=application)
    context = _step_context(
        application,
        "agreements",
        form=form,
        agreements=current,
        all_accepted=not selectors.agreements_missing(application=application),
        missing=missing,
    )
    return render(request, "onboarding/agreements.html", context)


@applicant_required
@require_POST
def submit(request, pk):
    application = _application(request, pk)
    try:
        services.application_submit(application=application, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("onboarding:agreements", application.pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Submitted. The automatic checks run now; a reviewer follows."))
    return redirect("onboarding:progress", application.pk)


@login_required
def progress(request, pk):
    application = _application(request, pk)
    context = {
        "application": application,
        "timeline": application.events.all(),
        "checks": application.checks.all(),
        "checklist": [row for row in selectors.checklist(application=application) if row["decision"]],
        "missing": selectors.missing_for_applicant(application=application),
        "waiting": application.status
        in (ApplicationStatus.SUBMITTED, ApplicationStatus.AUTO_CHECKING, ApplicationStatus.IN_REVIEW),
        "editable": application.status in EDITABLE_STATES,
    }
    return render(request, "onboarding/progress.html", context)


@login_required
def document_file(request, pk):
    """The stored file, to the applicant's members and to staff only (others: 404)."""
    queryset = selectors.scope_documents(caller=Caller(user=request.user))
    document = queryset.filter(pk=pk).first()
    if document is None:
        raise Http404
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Content-Disposition"] = (
        f'inline; filename="{document.doc_type}.{document.storage_name.rsplit(".", 1)[-1]}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("", start, name="start"),
    path("<int:pk>/", progress, name="progress"),
    path("<int:pk>/company/", company, name="company"),
    path("<int:pk>/store/", store, name="store"),
    path("<int:pk>/documents/", documents, name="documents"),
    path("<int:pk>/agreements/", agreements, name="agreements"),
    path("<int:pk>/submit/", submit, name="submit"),
    path("documents/<int:pk>/file/", document_file, name="document-file"),
]
