from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from credit.services.records import external_records_import_csv


class Command(BaseCommand):
    help = (
        "Import external records (penalties, judgments, credit grades) from a UTF-8 CSV with the columns source, "
        "kind, date (YYYY-MM-DD), reference, severity, grade, description and the merchant by uscc, merchant_id or "
        "external_ref. All or nothing: bad rows are listed by line and nothing is imported; importing the same "
        "file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", help="the risk officer the records are entered by (default: the system)")

    def handle(self, *args, path: Path, user=None, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user {user!r}.")
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            result = external_records_import_csv(content=content, file_name=path.name, actor=actor)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            for message in error.message_dict.get("file", error.messages):
                self.stderr.write(message)
            raise CommandError("Nothing imported.") from None
        self.stdout.write(f"{result.created} records imported, {result.unchanged} already there.")
