"""Rendering Party documents from Word templates with docxtpl: which template applies
(the ward's uploaded one, the one for every ward, the built-in file), the sandboxed Jinja
environment, the check run when a template is uploaded, and the errors an office sees.
The placeholders are documented in ``meetings/documents.py``.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections import OrderedDict
from pathlib import Path

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from meetings import document_context as dc
from meetings.models import DocumentKind, DocumentTemplate
from meetings.review_report import REPORT_KEYS
from wardwork.models import Ward
from wardwork.text import two_digits

logger = logging.getLogger(__name__)

BUILT_IN_TEMPLATES = Path(__file__).resolve().parent / "document_templates"
CONTEXT_KEYS: dict[str, frozenset[str]] = {
    DocumentKind.CONCLUSION_NOTICE: dc.NOTICE_KEYS,
    DocumentKind.MINUTES: dc.MINUTES_KEYS,
    DocumentKind.QUARTERLY_REPORT: REPORT_KEYS,
}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MESSAGE_BAD_TEMPLATE = _(
    "The document template “%(name)s” cannot be used: %(detail)s. Correct the file, or take "
    "it out of use in the administration so that the built-in layout is used."
)
MESSAGE_NO_TEMPLATE = _("There is no layout for this document (%(kind)s): upload a template.")
MESSAGE_MISSING_FILE = _("the file is missing from storage; upload it again")
MESSAGE_UNREADABLE = _("it is not a Word document that can be read")
MESSAGE_UNKNOWN_PLACEHOLDERS = _("unknown placeholders %(names)s")


class DocumentError(Exception):
    """A document could not be produced; ``message`` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class DocumentTemplateError(DocumentError):
    """A template (usually an uploaded one) is broken: bad placeholders, not a .docx, …"""

    def __init__(self, *, name: str, detail: str):
        self.name, self.detail = name, detail
        super().__init__(MESSAGE_BAD_TEMPLATE % {"name": name, "detail": detail})


# --- templates and rendering --------------------------------------------------------------------


def _jinja_env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=True)
    env.filters["two_digits"] = two_digits
    return env


class _Compiled:
    """A small least-recently-used map from a template's text to what is made of it once
    (the cleaned XML, the compiled Jinja template). Keyed by the text itself, so a ward's
    template and another's never share an entry unless their texts are the same; what is
    kept depends on the text only, never on a document's data."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, text: str, make):
        with self.lock:
            found = self.items.get(text)
            if found is not None:
                self.items.move_to_end(text)
                return found
        made = make(text)
        with self.lock:
            self.items[text] = made
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return made


class _RenderEnvironment(SandboxedEnvironment):
    """The environment documents are rendered with: each distinct template text (a part of
    a .docx: its body, a header, a footer, a property) is compiled once per process."""

    def __init__(self):
        super().__init__(autoescape=True)
        self.filters["two_digits"] = two_digits
        self.compiled = _Compiled(32)

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        return self.compiled.get(source, super().from_string)


class _Template(DocxTemplate):
    """docxtpl's template whose cleaning of the XML for Jinja (``patch_xml``, a pure
    function of the text and a good part of the rendering time) is done once per text."""

    patched = _Compiled(32)

    def patch_xml(self, src_xml):
        return self.patched.get(src_xml, super().patch_xml)


_RENDER_ENV = _RenderEnvironment()


def _template_detail(exc: Exception) -> str:
    """Jinja's complaint, with the text around the faulty tag when docxtpl found it."""
    message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
    around = " ".join(
        re.sub(r"\s+", " ", line).strip() for line in getattr(exc, "docx_context", []) or []
    ).strip()
    if around:
        message += f" (near “{around[:80]}”)"
    return message


def template_for(kind: str, ward: Ward | None) -> tuple[bytes | Path, str]:
    """The layout to use: the ward's template in use, else the one for every ward, else the
    built-in file. Returns the content (or path) and a name for messages."""
    # One query: the ward's own templates first, then those for every ward, newest first.
    template = (
        DocumentTemplate.objects.filter(kind=kind, is_active=True)
        .filter(Q(ward=None) | Q(ward=ward) if ward is not None else Q(ward=None))
        .order_by(F("ward").asc(nulls_last=True), "-uploaded_at")
        .first()
    )
    if template is not None:
        try:
            with template.file.open("rb") as handle:
                return handle.read(), template.name
        except (FileNotFoundError, OSError, ValueError) as exc:
            raise DocumentTemplateError(
                name=template.name, detail=str(MESSAGE_MISSING_FILE)
            ) from exc
    built_in = BUILT_IN_TEMPLATES / f"{kind}.docx"
    if not built_in.exists():
        label = DocumentKind(kind).label if kind in DocumentKind.values else kind
        raise DocumentError(MESSAGE_NO_TEMPLATE % {"kind": label})
    return built_in, built_in.name


def template_check(file, *, kind: str, label: str) -> None:
    """Refuse a template whose placeholders cannot be read, or that names values the
    document does not have (usually a typing mistake): ``DocumentTemplateError``."""
    try:
        file.seek(0)
        template = DocxTemplate(io.BytesIO(file.read()))
        used = template.get_undeclared_template_variables(_jinja_env())
    except TemplateError as exc:
        raise DocumentTemplateError(name=label, detail=_template_detail(exc)) from exc
    except Exception as exc:  # a damaged package: python-docx raises many kinds
        raise DocumentTemplateError(name=label, detail=str(MESSAGE_UNREADABLE)) from exc
    finally:
        file.seek(0)
    unknown = used - CONTEXT_KEYS.get(kind, used)
    if unknown:
        detail = MESSAGE_UNKNOWN_PLACEHOLDERS % {"names": ", ".join(sorted(unknown))}
        raise DocumentTemplateError(name=label, detail=str(detail))


def render_party_document(kind: str, context: dict, ward: Ward | None = None) -> bytes:
    """Render ``context`` into the layout for ``kind`` (see ``template_for``) and return the
    DOCX bytes. A broken template gives ``DocumentTemplateError``, never a crash."""
    source, label = template_for(kind, ward)
    try:
        template = _Template(io.BytesIO(source) if isinstance(source, bytes) else source)
        template.render(context, jinja_env=_RENDER_ENV, autoescape=True)
        properties = template.docx.core_properties
        title = f"{context.get('document_name', '')} {context.get('subject', '')}"
        properties.title = title.strip()[:255]
        properties.author = context.get("committee_name", "")
        properties.last_modified_by = "Wardwork"
        properties.created = properties.modified = timezone.now()
        buffer = io.BytesIO()
        template.save(buffer)
    except TemplateError as exc:
        raise DocumentTemplateError(name=label, detail=_template_detail(exc)) from exc
    except DocumentError:
        raise
    except Exception as exc:
        logger.exception("Document template %s of %s could not be rendered", label, kind)
        raise DocumentTemplateError(name=label, detail=str(MESSAGE_UNREADABLE)) from exc
    return buffer.getvalue()
