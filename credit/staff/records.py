"""Staff pages: external records with filters, the entry form and the CSV import."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER, has_role, staff_role_required
from credit.choices import CreditGrade, RecordKind, RecordSeverity, RecordSource
from credit.selectors import records as selectors
from credit.services.records import external_record_create, external_records_import_csv
from merchants.models import Merchant

VIEWERS = (RISK_OFFICER, PLATFORM_ADMIN, OPS_MANAGER)
DECIDERS = (RISK_OFFICER, PLATFORM_ADMIN)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class RecordFilterForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    merchant = forms.CharField(label=gettext_lazy("Merchant or reference"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("Any source")), *RecordSource.choices]
        self.fields["kind"].choices = [("", _("Any kind")), *RecordKind.choices]


class RecordForm(forms.Form):
    merchant = forms.IntegerField(label=gettext_lazy("Merchant id"), min_value=1)
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=RecordSource.choices)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=RecordKind.choices)
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity (penalties and judgments)"),
        required=False,
        choices=[("", "—"), *RecordSeverity.choices],
    )
    grade = forms.ChoiceField(
        label=gettext_lazy("Grade (credit grades)"), required=False, choices=[("", "—"), *CreditGrade.choices]
    )
    reference = forms.CharField(label=gettext_lazy("Reference number"), max_length=100)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@staff_role_required(*VIEWERS)
def record_list(request):
    filters = RecordFilterForm(request.GET or None)
    form = RecordForm(request.POST or None)
    if request.method == "POST":
        if not has_role(request.user, *DECIDERS):
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            merchant = Merchant.objects.filter(pk=data.pop("merchant")).first()
            if merchant is None:
                form.add_error("merchant", _("Unknown merchant."))
            else:
                try:
                    external_record_create(actor=request.user, merchant=merchant, **data)
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    messages.success(request, _("Record added; it counts from the next scoring run."))
                    return redirect("credit-staff:external-records")
    criteria = {}
    if filters.is_valid():
        data = filters.cleaned_data
        criteria = {"source": data["source"] or None, "kind": data["kind"] or None,
                    "merchant": data["merchant"].strip() or None}  # fmt: skip
    context = {
        "filters": filters,
        "form": form,
        "records": list(selectors.external_record_staff_list(**criteria)[:200]),
        "can_decide": has_role(request.user, *DECIDERS),
    }
    return render(request, "credit/staff/external_records.html", context)


@staff_role_required(*DECIDERS)
def record_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is larger than %(max)s MB.") % {"max": MAX_UPLOAD_BYTES // 1024 // 1024})
        else:
            try:
                result = external_records_import_csv(content=upload.read(), file_name=upload.name, actor=request.user)
            except ValidationError as error:
                problems = error.message_dict.get("file", error.messages)
            else:
                messages.success(
                    request,
                    _("%(created)d records imported, %(unchanged)d already there.")
                    % {"created": result.created, "unchanged": result.unchanged},
                )
                return redirect("credit-staff:external-records-import")
    context = {"form": form, "problems": problems, "imports": selectors.external_record_imports()}
    return render(request, "credit/staff/external_records_import.html", context)


urlpatterns = [
    path("external-records/", record_list, name="external-records"),
    path("external-records/import/", record_import, name="external-records-import"),
]
