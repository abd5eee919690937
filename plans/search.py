"""Accent-insensitive plan search that also understands document types written in words."""

from __future__ import annotations

from django.db.models import Q

from wardwork.text import fold

# Vietnamese names of document types, folded, as people type them in the search box:
# "ke hoach dan van" finds the plans (KH) about "Dân vận".
DOC_TYPE_WORDS: dict[str, str] = {
    "ke hoach": "KH",
    "nghi quyet": "NQ",
    "chi thi": "CT",
    "ket luan": "KL",
    "thong bao": "TB",
    "huong dan": "HD",
    "chuong trinh": "CTr",
    "quyet dinh": "QĐ",
    "quy dinh": "QĐi",
    "quy che": "QC",
    "bao cao": "BC",
    "cong van": "CV",
    "de an": "ĐA",
    "thong tu": "TT",
    "to trinh": "TTr",
    "bien ban": "BB",
    "giay moi": "GM",
    "cong dien": "CĐ",
    "nghi dinh": "NĐ",
}


def _words_condition(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(search_key__contains=word)
    return condition


def plan_search_condition(search_term: str) -> Q:
    """Every folded word must appear in the plan's search key; a document type named in
    words ("kế hoạch", "nghị quyết") also matches plans of that type, with an optional
    "số" after it ("kế hoạch số 28")."""
    words = fold(search_term).split()
    condition = Q()
    index = 0
    while index < len(words):
        pair = " ".join(words[index : index + 2])
        code = DOC_TYPE_WORDS.get(pair)
        if code is None:
            condition &= Q(search_key__contains=words[index])
            index += 1
            continue
        condition &= Q(doc_type=code) | _words_condition(pair.split())
        index += 2
        if index < len(words) and words[index] == "so":
            index += 1
    return condition
