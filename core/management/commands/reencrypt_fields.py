from django.core.management.base import BaseCommand

from core.key_rotation import reencrypt_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the newest key of FIELD_ENCRYPTION_KEYS, in chunks. "
        "Rows already under the newest key are left alone, so it can run again safely."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=500)

    def handle(self, *args, chunk_size, **options):
        for report in reencrypt_all(chunk_size=chunk_size):
            self.stdout.write(f"{report.label}: {report.examined} examined, {report.rewritten} re-encrypted")
