"""Every user-facing string has a Simplified Chinese translation, and the compiled catalogue is current."""

import gettext
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_is_translated():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [entry.msgid for entry in catalogue if not entry.msgstr or "fuzzy" in entry.flags]
    assert untranslated == []
    assert len(catalogue) > 100


def test_the_compiled_catalogue_matches_the_source():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [entry.msgid for entry in catalogue if compiled.gettext(entry.msgid) != entry.msgstr]
    assert stale == [], "run `make messages`"
