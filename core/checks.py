from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def encryption_keys_check(app_configs, **kwargs):
    messages = []
    if settings.FIELD_ENCRYPTION_KEYS_DERIVED:
        messages.append(
            Warning(
                "FIELD_ENCRYPTION_KEYS is not set: sensitive fields are encrypted with a key derived from SECRET_KEY.",
                hint="Set FIELD_ENCRYPTION_KEYS (Fernet keys, newest first) and BLIND_INDEX_KEY in the environment.",
                id="merchantops.W001",
            )
        )
    return messages
