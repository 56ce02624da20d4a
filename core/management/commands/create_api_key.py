from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core import services
from core.models import Scope


class Command(BaseCommand):
    help = "Create a partner API key and print it once. Only its hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--scopes", required=True, help=f"Comma-separated, from: {', '.join(Scope.values)}")
        parser.add_argument("--merchant", type=int, default=None, help="Merchant id the key acts for")

    def handle(self, *args, name, scopes, merchant, **options):
        from django.apps import apps
        from django.conf import settings

        scope_list = [scope.strip() for scope in scopes.split(",") if scope.strip()]
        if merchant is not None and not apps.get_model(settings.MERCHANT_MODEL).objects.filter(pk=merchant).exists():
            raise CommandError(f"No merchant with id {merchant}.")
        try:
            key, raw = services.api_key_create(name=name, scopes=scope_list, merchant_id=merchant)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stderr.write(f"Created API key {key.name!r} (prefix {key.prefix}) with scopes {', '.join(key.scopes)}.")
        self.stderr.write("Store it now: it is not shown again.")
        self.stdout.write(raw)
