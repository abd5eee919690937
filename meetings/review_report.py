"""The quarterly report's wording, Word context and Excel annex (placeholder: being written)."""

from __future__ import annotations


def default_texts(*, review, figures: dict) -> dict[str, str]:
    raise NotImplementedError


def report_context(*, review, figures: dict, texts: dict, header: dict) -> dict:
    raise NotImplementedError


def annex_xlsx(*, review, figures: dict) -> bytes:
    raise NotImplementedError
