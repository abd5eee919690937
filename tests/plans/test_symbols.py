"""Document symbols: Party and state forms, warnings on unusual forms, rejection of non-symbols."""

import unicodedata

import pytest

from plans.symbols import (
    DOC_TYPES,
    Symbol,
    SymbolError,
    format_party_symbol,
    format_state_symbol,
    parse_symbol,
)


@pytest.mark.parametrize(
    ("text", "number", "doc_type", "issuer"),
    [
        ("18-KH/QU", 18, "KH", "QU"),
        ("05-CTr/ĐU", 5, "CTr", "ĐU"),
        ("127-QĐ/TW", 127, "QĐ", "TW"),
        ("36-HD/VPTW", 36, "HD", "VPTW"),
        ("12-QĐi/TU", 12, "QĐi", "TU"),
        ("28-KH/ĐU", 28, "KH", "ĐU"),
    ],
)
def test_party_form(text, number, doc_type, issuer):
    symbol = parse_symbol(text)
    assert isinstance(symbol, Symbol)
    assert symbol.text == text
    assert symbol.number == number
    assert symbol.doc_type == doc_type
    assert symbol.issuer_code == issuer
    assert symbol.form == "party"
    assert symbol.year is None
    assert symbol.warnings == ()
    assert symbol.doc_type in DOC_TYPES
    assert symbol.doc_type_name


@pytest.mark.parametrize(
    ("text", "number", "doc_type", "issuer", "year"),
    [
        ("123/KH-UBND", 123, "KH", "UBND", None),
        ("45/2021/QĐ-UBND", 45, "QĐ", "UBND", 2021),
        ("07/BC-MTTQ-BTT", 7, "BC", "MTTQ-BTT", None),
    ],
)
def test_state_form(text, number, doc_type, issuer, year):
    symbol = parse_symbol(text)
    assert symbol.text == text
    assert symbol.number == number
    assert symbol.doc_type == doc_type
    assert symbol.issuer_code == issuer
    assert symbol.form == "state"
    assert symbol.year == year
    assert symbol.warnings == ()


def test_type_in_the_wrong_case_is_read_as_the_known_type_with_a_warning():
    symbol = parse_symbol("18-kh/QU")
    assert symbol.doc_type == "KH"
    assert symbol.text == "18-kh/QU"  # kept as written
    assert symbol.number == 18
    assert symbol.issuer_code == "QU"
    assert len(symbol.warnings) == 1
    assert "KH" in symbol.warnings[0]
    assert "kh" in symbol.warnings[0]


def test_mixed_case_type_maps_to_its_canonical_code():
    assert parse_symbol("05-CTR/ĐU").doc_type == "CTr"
    assert parse_symbol("12-qđi/TU").doc_type == "QĐi"


def test_unknown_type_is_kept_as_written_with_a_warning():
    symbol = parse_symbol("18-XYZ/QU")
    assert symbol.doc_type == "XYZ"
    assert symbol.text == "18-XYZ/QU"
    assert symbol.number == 18
    assert symbol.form == "party"
    assert symbol.doc_type_name == ""
    assert len(symbol.warnings) == 1
    assert "XYZ" in symbol.warnings[0]


def test_spaces_are_read_with_a_warning_and_kept_as_written():
    symbol = parse_symbol("18 - KH/QU")
    assert symbol.text == "18 - KH/QU"
    assert (symbol.number, symbol.doc_type, symbol.issuer_code) == (18, "KH", "QU")
    assert symbol.form == "party"
    assert len(symbol.warnings) == 1


def test_state_form_with_spaces_warns():
    symbol = parse_symbol("123 / KH - UBND")
    assert (symbol.number, symbol.doc_type, symbol.issuer_code, symbol.form) == (
        123,
        "KH",
        "UBND",
        "state",
    )
    assert symbol.warnings


def test_surrounding_space_is_trimmed_without_a_warning():
    symbol = parse_symbol("  18-KH/QU \n")
    assert symbol.text == "18-KH/QU"
    assert symbol.warnings == ()


def test_key_ignores_spacing_case_and_accents():
    assert parse_symbol("18 - KH/QU").key == parse_symbol("18-KH/QU").key
    assert parse_symbol("18-kh/qu").key == parse_symbol("18-KH/QU").key
    assert parse_symbol("05-CTr/ĐU").key == parse_symbol("05-ctr/du").key
    assert parse_symbol("18-KH/QU").key != parse_symbol("18-KH/ĐU").key


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "abc",
        "KH/QU",
        "18-KH/QU/../x",
        "0-KH/QU",
        "00-KH/QU",
        "0/KH-UBND",
        "<script>",
        "<script>alert(1)</script>",
        "18/",
        "18-KH",
        "18-KH/",
        "-KH/QU",
        "18-KH/QU; DROP TABLE plans_plan",
        "1" * 200,
        "18-KH/" + "Q" * 194,
    ],
)
def test_what_cannot_be_a_symbol_is_rejected(text):
    with pytest.raises(SymbolError) as error:
        parse_symbol(text)
    assert str(error.value)


def test_symbol_error_is_a_value_error():
    assert issubclass(SymbolError, ValueError)


@pytest.mark.parametrize(
    "text",
    ["05-CTr/ĐU", "12-QĐi/TU", "45/2021/QĐ-UBND", "18-kh/QU", "18 - KH/QU", "18-XYZ/QU"],
)
def test_nfd_input_reads_as_nfc(text):
    decomposed = unicodedata.normalize("NFD", text)
    symbol = parse_symbol(decomposed)
    assert symbol == parse_symbol(text)
    assert unicodedata.is_normalized("NFC", symbol.text)
    assert unicodedata.is_normalized("NFC", symbol.doc_type)
    assert unicodedata.is_normalized("NFC", symbol.issuer_code)


def test_control_characters_are_dropped():
    assert parse_symbol("18-KH/\x00QU").text == "18-KH/QU"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((5, "CTr", "ĐU"), "05-CTr/ĐU"),
        ((1, "BC", "ĐU"), "01-BC/ĐU"),
        ((18, "KH", "QU"), "18-KH/QU"),
        ((127, "QĐ", "TW"), "127-QĐ/TW"),
    ],
)
def test_party_symbol_formatting_uses_a_leading_zero(args, expected):
    assert format_party_symbol(*args) == expected


def test_state_symbol_formatting_uses_a_leading_zero():
    assert format_state_symbol(7, "KH", "UBND") == "07/KH-UBND"


@pytest.mark.parametrize(("number", "doc_type", "issuer"), [(5, "CTr", "ĐU"), (35, "BC", "ĐU")])
def test_formatted_symbol_parses_back(number, doc_type, issuer):
    symbol = parse_symbol(format_party_symbol(number, doc_type, issuer))
    assert (symbol.number, symbol.doc_type, symbol.issuer_code, symbol.warnings) == (
        number,
        doc_type,
        issuer,
        (),
    )
