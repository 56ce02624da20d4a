"""External records: the public_records metric, entry by risk officers, the API, and the CSV import."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.access import OPS_MANAGER, RISK_OFFICER, SUPPORT_AGENT
from core.models import AuditEntry, Scope
from credit.choices import DEFAULT_COMPONENTS, ComponentStatus
from credit.metrics import public_record_measures
from credit.models import CreditConsequence, ExternalRecord, ExternalRecordImport, ScoringPolicy
from credit.services.records import external_record_create, external_records_import_csv
from tests.credit.factories import components, score_now
from tests.credit.hand_scores import rules_policy
from tests.factories import MerchantFactory, merchant_owner, staff
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/credit/external-records/"
PUBLIC = "public_records"


def today() -> date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


def record(merchant, reference, *, kind="administrative_penalty", severity="medium", grade="", days=30, **extra):
    if kind == "credit_grade":
        severity = ""
    return external_record_create(
        actor=None,
        merchant=merchant,
        source=extra.pop("source", "government"),
        kind=kind,
        date=today() - timedelta(days=days),
        severity=severity,
        grade=grade,
        reference=reference,
        **extra,
    )


# --- The metric ----------------------------------------------------------------------------------------------


def test_public_records_weigh_penalties_and_judgments_by_severity_and_add_each_sources_newest_grade():
    merchant, clean, other = MerchantFactory(), MerchantFactory(), MerchantFactory()
    record(merchant, "P-1", severity="low")  # −1
    record(merchant, "P-2", severity="high")  # −4
    record(merchant, "J-1", kind="court_judgment", severity="medium", source="consumer_rating_site")  # −2
    record(merchant, "P-old", severity="high", days=3 * 366)  # older than three years: not counted
    # grades: the government's newest is A (+2, its older D is replaced); the industry body's is C (−1)
    record(merchant, "G-1", kind="credit_grade", grade="D", days=400)
    record(merchant, "G-2", kind="credit_grade", grade="A", days=20)
    record(merchant, "G-3", kind="credit_grade", grade="C", source="industry_body", days=100)
    record(other, "O-1", severity="high")
    now = timezone.now()
    values = public_record_measures([merchant.pk, clean.pk], now)
    assert values == {merchant.pk: {PUBLIC: -1 - 4 - 2 + 2 - 1}, clean.pk: {PUBLIC: 0.0}}


def test_a_record_dated_after_the_as_of_day_does_not_count():
    merchant = MerchantFactory()
    record(merchant, "P-1", severity="high", days=5)
    earlier = timezone.now() - timedelta(days=10)
    assert public_record_measures([merchant.pk], earlier) == {merchant.pk: {PUBLIC: 0.0}}


def test_the_component_in_a_score_under_a_policy_that_includes_it():
    policy = rules_policy()
    assert PUBLIC in policy.components
    clean, graded, penalised = MerchantFactory(), MerchantFactory(), MerchantFactory()
    record(graded, "G-1", kind="credit_grade", grade="A")
    record(penalised, "P-1", severity="high")
    scores = score_now(clean, graded, penalised)
    rule = DEFAULT_COMPONENTS[PUBLIC]
    by = {m.pk: components(scores[m.pk])[PUBLIC] for m in (clean, graded, penalised)}
    assert (by[clean.pk].value, by[clean.pk].status) == (0.0, ComponentStatus.OK)
    assert by[clean.pk].points == pytest.approx(rule["weight"] * (0 - rule["floor"]) / (rule["best"] - rule["floor"]))
    assert (by[graded.pk].value, by[graded.pk].status) == (2.0, ComponentStatus.OK)
    assert by[graded.pk].points > by[clean.pk].points
    assert (by[penalised.pk].value, by[penalised.pk].status) == (-4.0, ComponentStatus.BREACH)
    assert scores[penalised.pk].score < scores[clean.pk].score < scores[graded.pk].score


# --- Entry by risk officers -----------------------------------------------------------------------------------


def test_a_risk_officer_records_one_and_it_is_audited():
    merchant, officer = MerchantFactory(), staff(RISK_OFFICER)
    created = external_record_create(
        actor=officer,
        merchant=merchant,
        source="industry_body",
        kind="credit_grade",
        date=today(),
        grade="B",
        reference="CQA-2026-7",
        description="annual rating",
    )
    assert (created.entered_by, created.imported_from) == (officer, None)
    entry = AuditEntry.objects.get(action="external_record.create", object_id=str(created.pk))
    assert entry.merchant_id == merchant.pk and entry.after["grade"] == "B"


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "credit_grade", "grade": ""},
        {"kind": "credit_grade", "grade": "B", "severity": "low"},
        {"grade": "A"},
        {"severity": ""},
        {"severity": "catastrophic"},
        {"source": "newspaper"},
        {"date": date(2999, 1, 1)},
        {"reference": " "},
        {"reference": "TAKEN-1"},
    ],
)
def test_bad_records_are_refused_and_nothing_is_kept(changes):
    merchant = MerchantFactory()
    record(merchant, "TAKEN-1")
    body = {
        "source": "government",
        "kind": "administrative_penalty",
        "date": today(),
        "severity": "low",
        "grade": "",
        "reference": "NEW-1",
    }
    body.update(changes)
    with pytest.raises(ValidationError):
        external_record_create(actor=staff(RISK_OFFICER), merchant=merchant, **body)
    assert list(ExternalRecord.objects.values_list("reference", flat=True)) == ["TAKEN-1"]


def test_only_risk_officers_record():
    with pytest.raises(PermissionDenied):
        external_record_create(
            actor=staff(SUPPORT_AGENT),
            merchant=MerchantFactory(),
            source="government",
            kind="court_judgment",
            date=today(),
            severity="low",
            reference="X",
        )
    assert not ExternalRecord.objects.exists()


# --- API -----------------------------------------------------------------------------------------------------


def test_staff_create_through_the_api_and_merchants_read_their_own(as_user, as_key):
    mine, theirs = MerchantFactory(), MerchantFactory()
    officer = as_user(staff(RISK_OFFICER))
    body = {
        "merchant": mine.pk,
        "source": "government",
        "kind": "administrative_penalty",
        "date": str(today()),
        "severity": "high",
        "reference": "SAMR-2026-0042",
        "description": "false labels",
    }
    response = officer.post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["reference"] == "SAMR-2026-0042" and response.json()["merchant"] == mine.pk
    record(theirs, "OTHER-1")
    owner = as_user(merchant_owner(mine))
    rows = owner.get(URL).json()["results"]
    assert [row["reference"] for row in rows] == ["SAMR-2026-0042"]
    assert owner.get(f"{URL}{rows[0]['id']}/").status_code == 200
    assert owner.get(f"{URL}{ExternalRecord.objects.get(reference='OTHER-1').pk}/").status_code == 404
    assert officer.get(URL, {"merchant": theirs.pk}).json()["count"] == 1
    assert officer.get(URL, {"kind": "credit_grade"}).json()["count"] == 0
    assert as_key(Scope.READ, merchant=theirs).get(URL).json()["count"] == 1
    # merchants, keys and other staff roles do not record
    assert owner.post(URL, {**body, "reference": "X-2"}, format="json").status_code == 403
    assert as_user(staff(OPS_MANAGER)).post(URL, {**body, "reference": "X-3"}, format="json").status_code == 403
    assert as_key(*Scope.values).post(URL, {**body, "reference": "X-4"}, format="json").status_code == 403
    assert ExternalRecord.objects.count() == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"merchant": 0},
        {"kind": "rumour"},
        {"date": "yesterday"},
        {"severity": ""},
        {"grade": "A"},
        {"reference": "SAMR-1"},
        {"date": "2999-01-01"},
    ],
)
def test_bad_input_is_400_and_nothing_changes(as_user, changes):
    merchant = MerchantFactory()
    record(merchant, "SAMR-1")
    body = {
        "merchant": merchant.pk,
        "source": "government",
        "kind": "administrative_penalty",
        "date": str(today()),
        "severity": "low",
        "reference": "SAMR-2",
    }
    response = as_user(staff(RISK_OFFICER)).post(URL, {**body, **changes}, format="json")
    assert response.status_code == 400 and response.json()["type"] == "validation_error"
    assert ExternalRecord.objects.count() == 1


def test_the_list_has_a_fixed_query_count(as_user):
    merchant = MerchantFactory()
    made = [0]

    def add(n):
        for _ in range(n):
            made[0] += 1
            record(merchant, f"R-{made[0]}")

    assert_constant_queries(lambda: as_user(merchant_owner(merchant)).get(URL, {"page_size": 200}), add)
    staff_client = as_user(staff(RISK_OFFICER))
    assert_constant_queries(lambda: staff_client.get(URL, {"page_size": 200}), add, small=100, large=150)


# --- CSV import ----------------------------------------------------------------------------------------------

HEADER = "source,kind,date,severity,grade,reference,description,uscc,merchant_id,external_ref\n"


def csv_file(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def test_a_good_file_imports_every_row_matched_by_uscc_id_or_external_ref_and_again_changes_nothing(tmp_path):
    by_uscc, by_id = MerchantFactory(), MerchantFactory()
    by_ref = MerchantFactory(external_ref="ERP-77")
    content = csv_file(
        f"government,administrative_penalty,2025-03-01,high,,SAMR-1,fake discounts,{by_uscc.uscc.lower()},,",
        f"industry_body,credit_grade,2025-06-01,,a,CCIA-9,annual grade,,{by_id.pk},",
        "consumer_rating_site,court_judgment,2024-11-30,Low,,CASE-3,,,,ERP-77",
        ",,,,,,,,,",
    )
    officer = staff(RISK_OFFICER)
    result = external_records_import_csv(content=content, file_name="2025-q3.csv", actor=officer)
    assert (result.created, result.unchanged) == (3, 0)
    rows = {r.reference: r for r in ExternalRecord.objects.all()}
    assert (rows["SAMR-1"].merchant, rows["CCIA-9"].merchant, rows["CASE-3"].merchant) == (by_uscc, by_id, by_ref)
    assert (rows["CCIA-9"].grade, rows["CASE-3"].severity) == ("A", "low")
    assert {r.imported_from for r in rows.values()} == {result.batch}
    assert result.batch.file_name == "2025-q3.csv" and result.batch.imported_by == officer
    assert AuditEntry.objects.filter(action="external_record.create").count() == 3
    assert AuditEntry.objects.filter(action="external_record.import", object_id=str(result.batch.pk)).count() == 1
    # the same file again, through the command: nothing changes
    entries = AuditEntry.objects.count()
    path = tmp_path / "2025-q3.csv"
    path.write_bytes(content)
    call_command("import_external_records", str(path))
    assert ExternalRecord.objects.count() == 3 and ExternalRecordImport.objects.count() == 1
    assert AuditEntry.objects.count() == entries


def test_a_file_with_bad_rows_reports_each_by_line_and_imports_nothing(tmp_path, capsys):
    merchant = MerchantFactory()
    record(merchant, "KNOWN-1", severity="low", days=400)
    content = csv_file(
        f"government,administrative_penalty,2025-03-01,high,,OK-1,,{merchant.uscc},,",
        "government,administrative_penalty,2025-03-01,high,,BAD-2,,91310000XXXXXXXXXX,,",
        f"government,credit_grade,2025-03-01,,,BAD-3,,,{merchant.pk},",
        f"government,administrative_penalty,03/01/2025,high,,BAD-4,,,{merchant.pk},",
        f"government,administrative_penalty,2025-03-01,high,,OK-1,,,{merchant.pk},",
        f"government,administrative_penalty,2025-03-01,high,,KNOWN-1,,,{merchant.pk},",
        f"government,administrative_penalty,2025-03-01,high,,BAD-7,,,{MerchantFactory().pk},ERP-none",
        "government,administrative_penalty,2025-03-01,high,,BAD-8,,,,",
    )
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_external_records", str(path))
    report = capsys.readouterr().err
    for line in range(3, 10):
        assert f"line {line}:" in report, (line, report)
    assert "line 2:" not in report
    assert list(ExternalRecord.objects.values_list("reference", flat=True)) == ["KNOWN-1"]
    assert not ExternalRecordImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"source,kind,date\ngovernment,credit_grade,2025-01-01\n", "line 1"),
        (HEADER.encode(), "no records"),
        ("source,kind,date,reference,uscc\ngovernment,credit_grade,2025-01-01,Ω,".encode("utf-16"), "UTF-8"),
    ],
)
def test_a_file_that_is_not_a_records_file_is_refused(content, message):
    with pytest.raises(ValidationError) as refused:
        external_records_import_csv(content=content, file_name="x.csv", actor=None)
    assert message in " ".join(refused.value.messages)
    assert not ExternalRecord.objects.exists()


def test_only_risk_officers_import():
    with pytest.raises(PermissionDenied):
        external_records_import_csv(content=csv_file(), file_name="x.csv", actor=staff(SUPPORT_AGENT))


# --- Staff pages ---------------------------------------------------------------------------------------------


def test_staff_list_filter_add_and_upload(client):
    merchant = MerchantFactory(name="Lotus Tea House")
    record(merchant, "P-1")
    record(MerchantFactory(), "P-2", kind="court_judgment")
    client.force_login(staff(RISK_OFFICER))
    page = client.get("/staff/credit/external-records/")
    assert page.status_code == 200 and len(page.context["records"]) == 2
    assert [
        r.reference for r in client.get("/staff/credit/external-records/", {"merchant": "lotus"}).context["records"]
    ] == ["P-1"]
    assert len(client.get("/staff/credit/external-records/", {"kind": "court_judgment"}).context["records"]) == 1
    added = client.post(
        "/staff/credit/external-records/",
        {
            "merchant": merchant.pk,
            "source": "industry_body",
            "kind": "credit_grade",
            "date": str(today()),
            "grade": "A",
            "reference": "IB-1",
        },
    )
    assert added.status_code == 302 and ExternalRecord.objects.filter(reference="IB-1").exists()
    refused = client.post(
        "/staff/credit/external-records/",
        {
            "merchant": merchant.pk,
            "source": "industry_body",
            "kind": "credit_grade",
            "date": str(today()),
            "reference": "IB-2",
        },
    )
    assert refused.status_code == 200 and "grade" in refused.context["form"].errors
    upload = SimpleUploadedFile(
        "records.csv", csv_file(f"government,court_judgment,2025-01-02,low,,C-1,,,{merchant.pk},")
    )
    assert client.post("/staff/credit/external-records/import/", {"file": upload}).status_code == 302
    assert ExternalRecord.objects.filter(reference="C-1").exists()
    bad = SimpleUploadedFile("records.csv", csv_file(f"government,court_judgment,2025-01-02,,,C-2,,,{merchant.pk},"))
    response = client.post("/staff/credit/external-records/import/", {"file": bad})
    assert response.status_code == 200 and "line 2" in response.context["problems"][0]
    assert not ExternalRecord.objects.filter(reference="C-2").exists()
    client.force_login(staff(OPS_MANAGER))
    assert client.get("/staff/credit/external-records/").status_code == 200
    assert client.get("/staff/credit/external-records/import/").status_code == 403
    assert client.post("/staff/credit/external-records/", {"reference": "x"}).status_code == 403


def test_the_staff_list_has_a_fixed_query_count(client):
    client.force_login(staff(RISK_OFFICER))
    made = [0]

    def add(n):
        for _ in range(n):
            made[0] += 1
            record(MerchantFactory(), f"R-{made[0]}")

    assert_constant_queries(lambda: client.get("/staff/credit/external-records/"), add)


def test_seed_demo_adds_records_rules_and_consequences_and_runs_again():
    call_command("seed_demo", verbosity=0)
    first = (
        sorted(ExternalRecord.objects.values_list("reference", flat=True)),
        sorted(CreditConsequence.objects.filter(lifted_at__isnull=True).values_list("merchant__name", "kind")),
    )
    assert len(first[0]) == 4
    assert ("Jiayi Apparel Flagship Store", "deposit_discount") in first[1]
    assert ("Pengcheng Digital", "warning") in first[1]
    call_command("seed_demo", verbosity=0)
    again = (
        sorted(ExternalRecord.objects.values_list("reference", flat=True)),
        sorted(CreditConsequence.objects.filter(lifted_at__isnull=True).values_list("merchant__name", "kind")),
    )
    assert again == first
    assert ScoringPolicy.objects.count() == 2
