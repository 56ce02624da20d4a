from django import forms
from django.utils.translation import gettext_lazy as _

from merchants.models import Category
from onboarding.choices import DocumentType
from profiles.choices import SENSITIVE_FIELDS


class ProfileForm(forms.Form):
    contact_name = forms.CharField(label=_("Contact name"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    store_description = forms.CharField(
        label=_("Store description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    store_logo = forms.FileField(label=_("Store logo (JPEG or PNG)"), required=False)


class ChangeRequestForm(forms.Form):
    """Fill in only what changes; a blank field stays as it is."""

    name = forms.CharField(label=_("Store name"), max_length=200, required=False)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    registered_capital = forms.DecimalField(
        label=_("Registered capital (CNY)"), max_digits=16, decimal_places=2, min_value=0, required=False
    )
    founded_on = forms.DateField(
        label=_("Founding date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    business_scope = forms.CharField(
        label=_("Business scope"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    province_code = forms.CharField(label=_("Province code"), max_length=6, required=False)
    city_code = forms.CharField(label=_("City code"), max_length=6, required=False)
    county_code = forms.CharField(label=_("County code"), max_length=6, required=False)
    address_detail = forms.CharField(label=_("Street address"), max_length=200, required=False)
    legal_rep_name = forms.CharField(label=_("Legal representative"), max_length=100, required=False)
    legal_rep_id_number = forms.CharField(label=_("Legal representative's ID number"), max_length=18, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account_name = forms.CharField(label=_("Account holder"), max_length=200, required=False)
    bank_account_number = forms.CharField(label=_("Bank account number"), max_length=40, required=False)
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories (leave empty to keep them)"),
        queryset=Category.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Why does it change?"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def changes(self) -> dict:
        changes = {}
        for field, value in self.cleaned_data.items():
            if field == "reason" or value in (None, "") or (field == "categories" and not value):
                continue
            if field == "categories":
                value = sorted(category.code for category in value)
            elif field in SENSITIVE_FIELDS:
                value = str(value)
            changes[field] = value if isinstance(value, list | str) else str(value)
        return changes


class ProofForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    number = forms.CharField(label=_("Number"), max_length=64, required=False)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note to the merchant"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    internal_note = forms.CharField(
        label=_("Internal note (staff only)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Value"),
        choices=[
            ("legal_rep_id_number", _("Legal representative's ID number")),
            ("bank_account_number", _("Bank account number")),
        ],
    )
    reason = forms.CharField(label=_("Why do you need to see it?"), max_length=2000)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    licence_issued_before = forms.DateField(
        label=_("Business licence issued before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), to_field_name="code", required=False
    )

    def criteria(self) -> dict:
        data = self.cleaned_data
        criteria = {}
        if data["licence_issued_before"]:
            criteria["licence_issued_before"] = data["licence_issued_before"].isoformat()
        if data["category"]:
            criteria["category"] = data["category"].code
        return criteria
