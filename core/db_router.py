"""Send reads of the reporting apps to the read replica when one is configured."""

from django.conf import settings

REPLICA = "replica"


def replica_alias() -> str:
    """The alias analytics selectors read other apps' tables from (`qs.using(replica_alias())`)."""
    return REPLICA if REPLICA in settings.DATABASES else "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in settings.REPLICA_READ_APPS:
            return replica_alias()
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
