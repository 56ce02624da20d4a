"""State machines: each status enum has one table of allowed moves; services check it before moving."""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from core.errors import InvalidTransition


def ensure_transition(table: Mapping[str, frozenset[str]], current: str, target: str) -> None:
    if target not in table.get(current, frozenset()):
        raise InvalidTransition(_("Cannot go from %(current)s to %(target)s.") % {"current": current, "target": target})
