"""The Korean UI catalog is complete and up to date with the source."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KO = ROOT / "translations" / "ko" / "LC_MESSAGES" / "messages.po"


def _read(path, locale=None):
    with open(path, "rb") as fh:
        return read_po(fh, locale=locale)


def _ids(catalog):
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_korean_catalog_has_no_untranslated_or_fuzzy_entries():
    catalog = _read(KO, "ko")
    untranslated = [m.id for m in catalog if m.id and not (
        m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not catalog.fuzzy, "the catalog header is marked fuzzy: `pybabel compile` skips it"
    assert untranslated == [], f"untranslated Korean UI strings: {untranslated}"
    assert fuzzy == [], f"fuzzy Korean UI strings: {fuzzy}"


def test_catalog_holds_every_string_in_the_source(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-o", str(pot),
                    "--no-location", str(ROOT / "portal")], check=True, capture_output=True)
    missing = _ids(_read(pot)) - _ids(_read(KO, "ko"))
    assert missing == set(), f"run `make extract-messages` and translate: {sorted(missing)}"


def test_korean_translations_keep_placeholders():
    import re
    catalog = _read(KO, "ko")
    placeholder = re.compile(r"%\(\w+\)s")
    for m in catalog:
        if m.id and isinstance(m.id, str) and m.string:
            assert sorted(placeholder.findall(m.id)) == sorted(placeholder.findall(m.string)), m.id
