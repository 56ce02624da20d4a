"""Forms of the violation pages: the merchant's appeal, staff's report, actions and queue filters.
They check shape only; credit.services.violations enforces the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from credit.choices import (
    MAX_POINTS,
    AppealRuling,
    FineStatus,
    Measure,
    Severity,
    ViolationCategory,
    ViolationSource,
    ViolationStatus,
)

TEXT = {"rows": 4, "cols": 80}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; an empty input is an empty list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _blank(choices) -> list:
    return [("", _("Any"))] + list(choices)


class AppealForm(forms.Form):
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs=TEXT))
    corrective_action = forms.CharField(label=_("Corrective action"), widget=forms.Textarea(attrs=TEXT))
    preventive_action = forms.CharField(label=_("Preventive action"), widget=forms.Textarea(attrs=TEXT))
    files = MultipleFileField(label=_("Evidence (PDF, JPEG or PNG, 10 MB each at most)"), required=False)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=_blank(ViolationStatus.choices), required=False)
    category = forms.ChoiceField(
        label=_("Type of violation"), choices=_blank(ViolationCategory.choices), required=False
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=_blank(Severity.choices), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=_blank(ViolationSource.choices), required=False)
    merchant = forms.IntegerField(label=_("Merchant id"), min_value=1, required=False)


class ReportForm(forms.Form):
    merchant = forms.IntegerField(label=_("Merchant id"), min_value=1)
    category = forms.ChoiceField(label=_("Type of violation"), choices=ViolationCategory.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs=TEXT), required=False)
    note = forms.CharField(label=_("Evidence note"), widget=forms.Textarea(attrs=TEXT), required=False)
    files = MultipleFileField(label=_("Evidence files"), required=False)
    complaint = forms.IntegerField(
        label=_("From complaint id"),
        min_value=1,
        required=False,
        help_text=_("An upheld or partly upheld complaint opens one violation; the merchant is the complaint's."),
    )

    def clean(self):
        data = super().clean()
        if not data.get("complaint") and not (data.get("description") or "").strip():
            self.add_error("description", _("Describe the violation."))
        return data


class InvestigateForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2, "cols": 80}), required=False)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2, "cols": 80}), required=False)


class DecideForm(forms.Form):
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    points = forms.IntegerField(
        label=_("Penalty points"),
        min_value=0,
        max_value=MAX_POINTS,
        required=False,
        help_text=_("Empty: the severity's points (minor 2, serious 6, severe 12)."),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    fine_amount = forms.DecimalField(label=_("Fine amount"), max_digits=12, decimal_places=2, required=False)
    measure_days = forms.IntegerField(
        label=_("Days (restriction or suspension)"), min_value=1, max_value=365, required=False
    )
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs=TEXT))


class RuleAppealForm(forms.Form):
    ruling = forms.ChoiceField(label=_("Ruling"), choices=AppealRuling.choices)
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs=TEXT))


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Note"), required=False)


class SettleFineForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Fine"), choices=[(s, FineStatus(s).label) for s in ("paid", "waived", "refunded")]
    )
    note = forms.CharField(label=_("Note"), required=False)
