"""`field__any=[…]`: the field equals one of many values.

Django's `__in` prepares every value through the field and sends each as its own parameter: for the thousand
ids of a scoring chunk that costs more than the query itself (bench/credit_scoring.py). On PostgreSQL `__any`
sends the values as one array parameter (`= ANY(%s)`); elsewhere it is a plain `IN (…)`. The values are used
as given (ids, names; a foreign key takes ids, not objects), not converted by the field.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def get_db_prep_lookup(self, value, connection):
        return "%s", [value]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


Field.register_lookup(AnyOf)
# Relations keep lookups of their own (Django's related lookups), so they take it too.
ForeignObject.register_lookup(AnyOf)
