"""Demo merchant information for `seed_demo`: filled profiles and one pending bank account change. Re-runnable."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from merchants.models import Merchant
from profiles import services

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

PROFILES = {
    "91310101MA1FL5XK2W": {
        "registered_capital": "5000000",
        "founded_on": "2016-05-12",
        "business_scope": "服装、鞋帽批发与零售",
        "province_code": "310000",
        "city_code": "310100",
        "county_code": "310101",
        "address_detail": "南京东路 100 号",
        "legal_rep_name": "王佳逸",
        "legal_rep_id_number": "11010519491231002X",
        "contact_name": "李蕾",
        "contact_phone": "+86 138 0013 8000",
        "contact_email": "ops@jiayi-apparel.example",
        "bank_name": "中国工商银行上海分行",
        "bank_account_name": "上海佳逸服饰有限公司",
        "bank_account_number": "6222021234567890123",
        "store_description": "Everyday apparel, designed in Shanghai.",
    },
    "91440300MA5G9QW817": {
        "registered_capital": "10000000",
        "founded_on": "2018-09-01",
        "business_scope": "电子产品、计算机及配件销售",
        "legal_rep_name": "陈鹏",
        "legal_rep_id_number": "440305198001010013",
        "contact_name": "陈鹏",
        "contact_phone": "+86 139 0755 0000",
        "bank_name": "招商银行深圳分行",
        "bank_account_name": "深圳鹏城数码科技有限公司",
        "bank_account_number": "6225880000000001234",
        "store_description": "Phones, laptops and accessories.",
    },
}


def seed_profiles(*, actor) -> None:
    for uscc, values in PROFILES.items():
        merchant = Merchant.objects.filter(uscc=uscc).first()
        if merchant is None:
            continue
        values = dict(values)
        if not _region_known(values):
            for field in ("province_code", "city_code", "county_code"):
                values.pop(field, None)
        services.profile_record(merchant=merchant, actor=actor, values=values, reason="Demo data")
    merchant = Merchant.objects.filter(uscc="91440300MA5G9QW817").first()
    if merchant is None or merchant.change_requests.exists():
        return
    owner = merchant.members.first()
    change_request = services.change_request_create(
        merchant=merchant,
        actor=owner,
        changes={"bank_account_number": "6214830000000005678", "bank_name": "招商银行深圳南山支行"},
        reason="We moved our settlement account to the Nanshan branch.",
    )
    services.change_proof_add(
        change_request=change_request,
        actor=owner,
        doc_type="bank_account_licence",
        file=SimpleUploadedFile("licence.pdf", io.BytesIO(PDF).read(), content_type="application/pdf"),
        number="J5840000012345",
    )
    services.change_request_submit(change_request=change_request, actor=owner)


def _region_known(values: dict) -> bool:
    from core.models import Region

    return Region.objects.filter(code=values.get("county_code", "")).exists()
