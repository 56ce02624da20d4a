"""Demo data for `make run`: staff in each role, two merchants with owners and profiles, onboarding
applications, orders and returns in every state, carriers, shipments, costs, exceptions, complaints and
violations.
Safe to run again."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from complaints.demo import seed_demo_complaints
from core.access import OPS_MANAGER, PLATFORM_ADMIN, REVIEWER, RISK_OFFICER, SUPPORT_AGENT
from credit.demo import seed_demo_violations
from logistics.demo import seed_demo_logistics
from merchants import services
from merchants.choices import MembershipRole
from merchants.models import Category, Merchant
from orders.demo import seed_demo_orders

User = get_user_model()

STAFF = [
    # username, password, role
    ("admin", "admin-demo-2026", PLATFORM_ADMIN),
    ("reviewer", "reviewer-demo-2026", REVIEWER),
    ("risk", "risk-demo-2026", RISK_OFFICER),
    ("support", "support-demo-2026", SUPPORT_AGENT),
    ("ops", "ops-demo-2026", OPS_MANAGER),
]

MERCHANTS = [
    {
        "owner": ("jiayi", "jiayi-demo-2026", "owner@jiayi-apparel.example"),
        "name": "Jiayi Apparel Flagship Store",
        "legal_name": "上海佳逸服饰有限公司",
        "uscc": "91310101MA1FL5XK2W",
        "external_ref": "DEMO-SH-0001",
        "categories": ["apparel", "footwear_bags"],
        "region": "310101",
    },
    {
        "owner": ("pengcheng", "pengcheng-demo-2026", "owner@pengcheng-digital.example"),
        "name": "Pengcheng Digital",
        "legal_name": "深圳鹏城数码科技有限公司",
        "uscc": "91440300MA5G9QW817",
        "external_ref": "DEMO-SZ-0002",
        "categories": ["digital_electronics", "computers_office"],
        "region": "440305",
    },
]


class Command(BaseCommand):
    help = "Seed demo staff, merchants and owners (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        logins = []
        for username, password, role in STAFF:
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            if created:
                user.set_password(password)
                user.is_superuser = role == PLATFORM_ADMIN
                user.save()
                user.groups.add(Group.objects.get(name=role))
            logins.append((role, username, password))

        admin = User.objects.get(username="admin")
        for spec in MERCHANTS:
            username, password, email = spec["owner"]
            owner, created = User.objects.get_or_create(username=username, defaults={"email": email})
            if created:
                owner.set_password(password)
                owner.save()
            merchant = Merchant.objects.filter(uscc=spec["uscc"]).first()
            if merchant is None:
                merchant = services.merchant_create(
                    actor=admin,
                    name=spec["name"],
                    legal_name=spec["legal_name"],
                    uscc=spec["uscc"],
                    external_ref=spec["external_ref"],
                    categories=list(Category.objects.filter(code__in=spec["categories"])),
                )
                merchant = services.merchant_activate(merchant=merchant, actor=admin, reason="demo merchant")
            services.membership_add(merchant=merchant, user=owner, role=MembershipRole.OWNER, actor=admin)
            seed_demo_orders(merchant=merchant, region=spec["region"], actor=admin)
            seed_demo_complaints(
                merchant=merchant, agent=User.objects.get(username="support"), mediator=User.objects.get(username="ops")
            )
            seed_demo_logistics(merchant=merchant, region=spec["region"], actor=admin)
            seed_demo_violations(
                merchant=merchant, officer=User.objects.get(username="risk"), second_officer=admin, owner=owner
            )
            logins.append((f"merchant owner of {merchant.name}", username, password))

        from onboarding.demo import seed_applications

        applicants = seed_applications(reviewer=User.objects.get(username="reviewer"))

        from profiles.demo import seed_profiles

        seed_profiles(actor=admin)
        logins.extend(applicants)

        from credit.demo import seed_demo_credit, seed_demo_detection, seed_demo_scores

        # The staged suspicious orders first, so that the credit run below already sees every demo order.
        flagged = MERCHANTS[0]
        seed_demo_detection(
            merchant=Merchant.objects.get(uscc=flagged["uscc"]),
            region=flagged["region"],
            actor=admin,
            reviewer=User.objects.get(username="risk"),
        )
        seed_demo_credit(officer=User.objects.get(username="risk"))
        seed_demo_scores(actor=admin)

        # Printed after commit, so the logins come after any demo e-mails the console backend prints.
        transaction.on_commit(lambda: self.print_logins(logins))

    def print_logins(self, logins) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Logins:"))
        for role, username, password in logins:
            self.stdout.write(f"  {role:<42} {username:<10} / {password}")
        self.stdout.write("Staff console: http://127.0.0.1:8000/admin/   Portal: http://127.0.0.1:8000/portal/")
        self.stdout.write("Review queue:  http://127.0.0.1:8000/staff/onboarding/queue/")
        self.stdout.write("Changes queue: http://127.0.0.1:8000/staff/merchant-info/change-requests/")
        self.stdout.write("Violations:    http://127.0.0.1:8000/staff/credit/violations/")
        self.stdout.write("Credit:        http://127.0.0.1:8000/staff/credit/consequences/")
        self.stdout.write("Credit flags:  http://127.0.0.1:8000/staff/credit/flags/")
        self.stdout.write("API docs:      http://127.0.0.1:8000/api/docs/")
