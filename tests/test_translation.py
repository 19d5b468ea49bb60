"""The Russian translation: pages render in Russian when asked to, and the catalogue in
``locale/ru/LC_MESSAGES`` is complete, keeps every placeholder and tag of its English strings,
covers every string marked in the code, and its compiled ``.mo`` is the compilation of its ``.po``.

polib is not a dependency, so a small parser below reads the ``.po`` file, and a small writer
compiles it (the ``.mo`` format is a sorted table of strings), so that no test needs GNU gettext.
"""

import ast
import gettext
import re
import struct
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation.template import templatize

from tests import factories

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale" / "ru" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"
NPLURALS = 3
# Where makemessages looks (the Makefile's `messages` target ignores the rest).
SOURCE_DIRS = ["config", "incubator", "pipeline", "notifications", "templates"]


# --- Reading the catalogue --------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural.get(n, "") for n in range(max(NPLURALS, len(self.msgstr_plural)))]

    @property
    def where(self) -> str:
        return " ".join(self.references) or "?"


KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry.references.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif match := KEYWORD.match(line):
            keyword, index, text = match.groups()
            if keyword == "msgid" and target is not None and target != "msgctxt":
                finish()
            target = (keyword, int(index)) if index is not None else keyword
            append(entry, target, ast.literal_eval(text), start=True)
        elif line.startswith('"'):
            append(entry, target, ast.literal_eval(line))
        else:
            raise ValueError(f"{path}: cannot read {line!r}")
    finish()
    return entries


def append(entry: Entry, target, text: str, start: bool = False) -> None:
    if isinstance(target, tuple):
        entry.msgstr_plural[target[1]] = ("" if start else entry.msgstr_plural[target[1]]) + text
    else:
        setattr(entry, target, ("" if start else getattr(entry, target) or "") + text)


def compile_mo(entries: list[Entry], path: Path) -> None:
    """Write ``entries`` as a GNU .mo file, as msgfmt does (fuzzy and untranslated ones left out)."""
    pairs = {}
    for entry in entries:
        if "fuzzy" in entry.flags and entry.msgid:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if not entry.msgid:
            # Like msgfmt, leave the template's creation date out: it changes on every
            # makemessages run, the translations do not.
            lines = entry.msgstr.splitlines(keepends=True)
            pairs[key] = "".join(line for line in lines if not line.startswith("POT-Creation-Date:"))
        elif entry.msgid_plural is None:
            if entry.msgstr:
                pairs[key] = entry.msgstr
        elif all(entry.translations):
            pairs[f"{key}\x00{entry.msgid_plural}"] = "\x00".join(entry.translations)
    keys = sorted(pairs, key=lambda k: k.encode())
    originals = [k.encode() for k in keys]
    translations = [pairs[k].encode() for k in keys]
    count = len(keys)
    data_start = 28 + 16 * count
    tables, data = [], b""
    for strings in (originals, translations):
        table = []
        for string in strings:
            table.append((len(string), data_start + len(data)))
            data += string + b"\x00"
        tables.append(table)
    header = struct.pack("<7I", 0x950412DE, 0, count, 28, 28 + 8 * count, 0, data_start)
    body = b"".join(struct.pack("<2I", *pair) for table in tables for pair in table)
    path.write_bytes(header + body + data)


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return read_po(PO_PATH)


@pytest.fixture(scope="module")
def messages(catalogue) -> list[Entry]:
    return [entry for entry in catalogue if entry.msgid]


# --- The catalogue ----------------------------------------------------------------------------


def test_the_header_declares_russian_with_three_plural_forms(catalogue):
    header = catalogue[0]
    assert header.msgid == ""
    fields = dict(line.split(": ", 1) for line in header.msgstr.splitlines() if ": " in line)
    assert fields["Language"] == "ru"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"].startswith(f"nplurals={NPLURALS};")
    assert "fuzzy" not in header.flags


def test_every_entry_is_translated_and_none_is_fuzzy(messages):
    assert len(messages) > 1000
    fuzzy = [entry.msgid for entry in messages if "fuzzy" in entry.flags]
    assert fuzzy == []
    untranslated = [entry.msgid for entry in messages if not all(text.strip() for text in entry.translations)]
    assert untranslated == []
    plurals = [entry for entry in messages if entry.msgid_plural is not None]
    assert plurals
    assert [entry.msgid for entry in plurals if len(entry.msgstr_plural) != NPLURALS] == []


def test_no_translation_is_a_copy_of_the_english(messages):
    copies = [
        entry.msgid
        for entry in messages
        if any(text in (entry.msgid, entry.msgid_plural) for text in entry.translations)
    ]
    assert copies == []


PYTHON_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
MARKUP = re.compile(r"</?[A-Za-z][^>]*>|&(?:[A-Za-z]+|#\d+);")


def placeholders(entry: Entry, text: str) -> Counter:
    found = Counter(BRACE_PLACEHOLDER.findall(text))
    if "python-format" in entry.flags:
        found.update(PYTHON_PLACEHOLDER.findall(text))
    return found


def test_translations_keep_the_placeholders_of_their_msgid(messages):
    wrong = []
    for entry in messages:
        for n, text in enumerate(entry.translations):
            if entry.msgid_plural is None:
                expected = placeholders(entry, entry.msgid)
                if placeholders(entry, text) != expected:
                    wrong.append((entry.where, entry.msgid, text))
            else:
                # A plural form names the number or not, as its English forms do; nothing else
                # may be dropped or added.
                english = placeholders(entry, entry.msgid) | placeholders(entry, entry.msgid_plural)
                if set(placeholders(entry, text)) != set(english):
                    wrong.append((entry.where, f"{entry.msgid} [{n}]", text))
    assert wrong == []


def test_translations_keep_the_tags_and_entities_of_their_msgid(messages):
    wrong = [
        (entry.where, entry.msgid, text)
        for entry in messages
        for text in entry.translations
        if Counter(MARKUP.findall(text)) != Counter(MARKUP.findall(entry.msgid))
    ]
    assert wrong == []


def test_the_mo_file_is_compiled_from_the_po_file(catalogue, tmp_path):
    fresh = tmp_path / "django.mo"
    compile_mo(catalogue, fresh)
    with fresh.open("rb") as source:
        expected = gettext.GNUTranslations(source)
    with MO_PATH.open("rb") as source:
        committed = gettext.GNUTranslations(source)
    # _catalog is the whole table the .mo holds (plural forms under (msgid, n) keys); comparing
    # it finds any entry changed, added or removed since `make messages` last compiled the file.
    assert committed._catalog == expected._catalog
    assert committed.ngettext("%(n)s report", "%(n)s reports", 21) == "%(n)s отчёт"
    assert committed.ngettext("%(n)s report", "%(n)s reports", 3) == "%(n)s отчёта"
    assert committed.ngettext("%(n)s report", "%(n)s reports", 11) == "%(n)s отчётов"


# --- The catalogue covers the code ------------------------------------------------------------

GETTEXT_FUNCTIONS = {
    "_": ("msgid",),
    "gettext": ("msgid",),
    "gettext_lazy": ("msgid",),
    "gettext_noop": ("msgid",),
    "ngettext": ("msgid", "plural"),
    "ngettext_lazy": ("msgid", "plural"),
    "pgettext": ("context", "msgid"),
    "pgettext_lazy": ("context", "msgid"),
    "npgettext": ("context", "msgid", "plural"),
    "npgettext_lazy": ("context", "msgid", "plural"),
}


def marked_in_python(path: Path) -> set[tuple[str | None, str]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        roles = GETTEXT_FUNCTIONS.get(name)
        if roles is None or len(node.args) < len(roles):
            continue
        values = dict(zip(roles, node.args, strict=False))
        if not all(isinstance(values[r], ast.Constant) and isinstance(values[r].value, str) for r in roles):
            continue
        context = values["context"].value if "context" in values else None
        found.add((context, values["msgid"].value))
    return found


# templatize() turns a template into the Python-like text that makemessages gives xgettext.
TEMPLATE_CALL = re.compile(r"""\b(n?p?gettext)\(((?:\s*u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*,?)+)""")
LITERAL = re.compile(r"""u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


def marked_in_template(path: Path) -> set[tuple[str | None, str]]:
    found = set()
    for match in TEMPLATE_CALL.finditer(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
        strings = [ast.literal_eval(literal) for literal in LITERAL.findall(match.group(2))]
        if match.group(1).startswith(("pgettext", "npgettext")):
            found.add((strings[0], strings[1]))
        else:
            found.add((None, strings[0]))
    return found


def test_every_string_marked_in_the_code_has_a_translation(messages):
    marked = {}
    for directory in SOURCE_DIRS:
        for path in sorted((BASE_DIR / directory).rglob("*")):
            if path.suffix == ".py":
                strings = marked_in_python(path)
            elif path.suffix in (".html", ".txt") and "templates" in path.parts:
                strings = marked_in_template(path)
            else:
                continue
            for key in strings:
                marked.setdefault(key, str(path.relative_to(BASE_DIR)))
    translated = {(entry.msgctxt, entry.msgid) for entry in messages}
    missing = sorted(
        f"{where}: {msgid!r}"
        for (context, msgid), where in marked.items()
        if (context, msgid) not in translated
    )
    assert missing == [], (
        "Run `make messages` and translate the new entries of locale/ru/LC_MESSAGES/django.po"
    )


# --- Pages in Russian -------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes and labelling attributes, scripts left out,
    and so is what is marked as written in another language (the language switch names each
    language in its own)."""

    LABELS = ("aria-label", "title", "placeholder", "alt")

    def __init__(self, language: str = "ru"):
        super().__init__()
        self.language = language
        self.texts: list[str] = []
        self._skip = 0
        self._foreign: list[str] = []  # the open elements of another language, innermost last

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        lang = dict(attrs).get("lang")
        nested_alike = bool(self._foreign) and tag == self._foreign[-1]
        other_language = tag != "html" and lang is not None and lang != self.language
        if nested_alike or other_language:
            self._foreign.append(tag)
        if not self._foreign:
            self.texts.extend(value.strip() for name, value in attrs if name in self.LABELS and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if self._foreign and tag == self._foreign[-1]:
            self._foreign.pop()

    def handle_data(self, data):
        if not self._skip and not self._foreign and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(response) -> list[str]:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return parser.texts


@pytest.fixture(scope="module")
def english_strings(messages) -> set[str]:
    """The catalogue's English strings that have no placeholder, as a page would show them."""
    return {
        entry.msgid
        for entry in messages
        if entry.msgid_plural is None and not placeholders(entry, entry.msgid) and "%" not in entry.msgid
    }


def assert_in_russian(response, english_strings, russian: list[str], english: list[str]) -> None:
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="ru">' in content
    for text in russian:
        assert text in content
    for text in english:
        assert text not in content
    # No text node of the page is a catalogue string left in English.
    assert [text for text in visible_texts(response) if text in english_strings] == []


@pytest.mark.django_db
def test_login_page_in_russian(client, english_strings):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ru")
    assert_in_russian(
        response,
        english_strings,
        russian=["Войти", "Забыли пароль?", "Адрес электронной почты", "Пароль", "Создать учётную запись"],
        english=["Log in", "Forgot your password?", "E-mail address", "Create an account"],
    )


@pytest.mark.django_db
def test_login_page_stays_in_english_by_default(client):
    content = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in content
    assert "Forgot your password?" in content
    assert "Забыли пароль?" not in content


@pytest.mark.django_db
@pytest.mark.parametrize(("places", "words"), [(1, "1 место"), (3, "3 места"), (11, "11 мест")])
def test_counts_take_the_russian_plural_form(client, places, words):
    factories.CallFactory(title="Биотех-2026", capacity=places)
    response = client.get(reverse("call-list"), HTTP_ACCEPT_LANGUAGE="ru")
    assert words in response.content.decode()


@pytest.mark.django_db
def test_open_calls_page_in_russian(client, english_strings):
    factories.CallFactory(title="Биотех-2026", capacity=8)
    response = client.get(reverse("call-list"), HTTP_ACCEPT_LANGUAGE="ru")
    assert_in_russian(
        response,
        english_strings,
        russian=[
            "Открытые отборы",
            "Правила, критерии и порядок подачи заявки",
            "по московскому времени",
            "8 мест",
        ],
        english=["Open calls", "Rules, criteria and how to apply", "Moscow time", " places"],
    )


def test_founder_home_in_russian(client, founder, startup, english_strings):
    call = factories.CallFactory(title="Биотех-2026")
    client.force_login(founder)
    response = client.get(reverse("founder-home"), HTTP_ACCEPT_LANGUAGE="ru")
    assert_in_russian(
        response,
        english_strings,
        russian=[
            "Мой стартап",
            "Что нужно сделать",
            "Редактировать профиль",
            "Заявок пока нет.",
            f"Подайте заявку от стартапа {startup.name} на отбор «{call.title}».",
        ],
        english=["My startup", "To do", "Edit the profile", "No applications yet.", "Apply with"],
    )


def test_manager_dashboard_in_russian(client, manager, english_strings):
    factories.StartupFactory(stage="incubation")
    client.force_login(manager)
    response = client.get(reverse("manager-home"), HTTP_ACCEPT_LANGUAGE="ru")
    assert_in_russian(
        response,
        english_strings,
        russian=[
            "Панель воронки проектов",
            "Стартапы по стадиям",
            "Выгрузить CSV",
            "Инкубация",
            "Требует внимания",
        ],
        english=["Pipeline dashboard", "Startups by stage", "Export CSV", "Needs attention"],
    )


@pytest.mark.django_db
def test_the_language_switcher_keeps_russian_for_later_pages(client):
    response = client.post(reverse("set_language"), {"language": "ru", "next": reverse("call-list")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    # No Accept-Language header: the cookie alone chooses Russian.
    content = client.get(response.url).content.decode()
    assert '<html lang="ru">' in content
    assert "Открытые отборы" in content
