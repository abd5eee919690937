import unicodedata

import pytest

from wardwork.text import fold, name_sort_key, name_sort_string, normalize, two_digits


def test_fold_strips_marks_and_case():
    assert fold("Phúc Đồng") == "phuc dong"
    assert fold("PHƯỜNG PHÚC ĐỒNG") == "phuong phuc dong"


def test_fold_handles_nfd_input_like_nfc():
    nfd = unicodedata.normalize("NFD", "Nguyễn Hữu Khanh")
    assert nfd != "Nguyễn Hữu Khanh"
    assert fold(nfd) == fold("Nguyễn Hữu Khanh") == "nguyen huu khanh"


@pytest.mark.parametrize(("text", "folded"), [("đ", "d"), ("Đ", "d"), ("Đảng ủy", "dang uy")])
def test_fold_d_with_stroke(text, folded):
    assert fold(text) == folded


def test_fold_collapses_white_space_and_handles_empty():
    assert fold("  Tổ   dân\tphố  ") == "to dan pho"
    assert fold(None) == ""
    assert fold("") == ""


def test_normalize_stores_nfc_without_control_characters():
    nfd = unicodedata.normalize("NFD", "Hội Phụ nữ")
    assert normalize(f"  {nfd}\x00\x07 ") == "Hội Phụ nữ"
    assert unicodedata.is_normalized("NFC", normalize(nfd))


def test_names_sort_by_given_name_first():
    names = ["Trần Thị Bình", "Phạm Thị Ánh", "Nguyễn Hữu Khanh", "Nguyễn Thị Ngọc"]
    assert sorted(names, key=name_sort_key) == [
        "Phạm Thị Ánh",
        "Trần Thị Bình",
        "Nguyễn Hữu Khanh",
        "Nguyễn Thị Ngọc",
    ]


def test_vietnamese_alphabet_order_of_letters():
    # a < ă < â, d < đ, o < ô < ơ, u < ư: marked vowels are letters of their own.
    names = ["Lê Văn Ư", "Lê Văn U", "Lê Văn Đ", "Lê Văn D", "Lê Văn Â", "Lê Văn Ă", "Lê Văn A"]
    assert sorted(names, key=name_sort_key) == [
        "Lê Văn A",
        "Lê Văn Ă",
        "Lê Văn Â",
        "Lê Văn D",
        "Lê Văn Đ",
        "Lê Văn U",
        "Lê Văn Ư",
    ]


def test_same_given_name_sorts_by_family_name():
    names = ["Trần Văn Hùng", "Lê Văn Hùng", "Bùi Thị Hùng"]
    assert sorted(names, key=name_sort_key) == ["Bùi Thị Hùng", "Lê Văn Hùng", "Trần Văn Hùng"]


def test_database_sort_string_orders_like_the_key():
    names = [
        "Trần Thị Bình",
        "Phạm Thị Ánh",
        "Nguyễn Thị Ngọc",
        "Lê Văn Đức",
        "Lê Văn Dũng",
        "Hà Ân",
    ]
    assert sorted(names, key=name_sort_string) == sorted(names, key=name_sort_key)


def test_two_digit_counts():
    assert two_digits(3) == "03"
    assert two_digits(18) == "18"
