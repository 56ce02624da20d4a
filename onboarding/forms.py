from django import forms
from django.utils.translation import gettext_lazy as _

from merchants.models import Category
from onboarding.checks import USCC_SHAPE
from onboarding.choices import DocumentType, ItemDecision, RejectionReason

PHONE = r"^\+?[0-9][0-9 -]{5,30}$"


class CompanyForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name of the company"), max_length=200)
    uscc = forms.RegexField(
        label=_("Unified social credit code"),
        regex=USCC_SHAPE,
        min_length=18,
        max_length=18,
        help_text=_("18 characters, as printed on the business licence."),
        error_messages={"invalid": _("Enter the 18 characters of the code, in capitals.")},
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.RegexField(
        label=_("Contact phone"), regex=PHONE, max_length=32, error_messages={"invalid": _("Enter a phone number.")}
    )


class StoreForm(forms.Form):
    store_name = forms.CharField(label=_("Store name"), max_length=200)
    business_scope = forms.CharField(
        label=_("Business scope"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As on the business licence."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )


class DateInput(forms.DateInput):
    input_type = "date"


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document"), choices=DocumentType.choices)
    number = forms.CharField(label=_("Number"), max_length=64, required=False)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DateInput)
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=DateInput, help_text=_("Leave empty if it does not expire.")
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG or PNG, 10 MB at most."))


class AgreementsForm(forms.Form):
    agreements = forms.MultipleChoiceField(label=_("I accept"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreements"].choices = [(str(a.pk), f"{a.title} (v{a.version})") for a in agreements]

    def clean_agreements(self):
        chosen = self.cleaned_data["agreements"]
        if set(chosen) != {value for value, _label in self.fields["agreements"].choices}:
            raise forms.ValidationError(_("Accept every agreement to continue."))
        return [int(pk) for pk in chosen]


class ItemDecisionForm(forms.Form):
    item = forms.CharField(max_length=32, widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=ItemDecision.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Note to the applicant"), required=False, max_length=2000)
    override_reason = forms.CharField(
        label=_("Override reason"),
        required=False,
        max_length=2000,
        help_text=_("Needed only to approve while a required item is rejected; it is audited."),
    )


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("Reason"), choices=RejectionReason.choices)
    note = forms.CharField(label=_("Explanation to the applicant"), max_length=2000, widget=forms.Textarea)


class RequestChangesForm(forms.Form):
    items = forms.MultipleChoiceField(label=_("Items to supply or correct"), widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("What to do"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = items


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), to_field_name="code", required=False
    )
    assignee = forms.ChoiceField(label=_("Reviewer"), required=False)
    fast_track = forms.ChoiceField(
        label=_("Fast track"),
        required=False,
        choices=[("", _("All")), ("yes", _("Fast track only")), ("no", _("Not fast track"))],
    )


class DateRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(label=_("To"), widget=DateInput, help_text=_("Inclusive."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The end is before the start."))
        return cleaned
