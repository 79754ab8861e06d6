"""Tests for the reference catalogs: the shipped TOML and the supervisor overrides."""

from __future__ import annotations

import pytest

from cxdesk.errors import CxdeskError
from cxdesk.store.catalogs import (
    CATALOG_NAMES,
    TOUCHPOINTS_CHANNELS,
    Catalog,
    load_all,
    load_catalog,
)

GOOD_SERVICE = """
[[item]]
code = "passport_photo"
label_en = "Passport photo"
label_es = "Foto de pasaporte"
minutes = 4
weight = 1
"""


@pytest.mark.parametrize("name", CATALOG_NAMES)
def test_every_builtin_catalog_loads(name):
    catalog = load_catalog(name)
    assert isinstance(catalog, Catalog)
    assert catalog.name == name
    assert catalog.source == "built-in"
    assert len(catalog) > 0


def test_load_all_returns_every_catalog():
    assert list(load_all()) == list(CATALOG_NAMES)


@pytest.mark.parametrize("name", CATALOG_NAMES)
def test_every_builtin_item_is_translated(name):
    for item in load_catalog(name):
        assert item.label("en").strip(), item.code
        assert item.label("es").strip(), item.code
        # A Spanish label copied from the English one is a missing translation.
        assert item.labels["es"] != item.labels["en"], item.code


def test_services_have_positive_minutes_and_weights():
    services = load_catalog("services")
    for item in services:
        assert isinstance(item.extra["minutes"], int) and item.extra["minutes"] > 0, item.code
        assert isinstance(item.extra["weight"], int) and item.extra["weight"] > 0, item.code


def test_number_keys_pick_the_nine_most_used_services():
    weights = [item.extra["weight"] for item in load_catalog("services")]
    assert len(weights) >= 9
    assert min(weights[:9]) >= max(weights[9:], default=0)


def test_service_minutes_match_field_office_audits():
    services = load_catalog("services")
    assert services.get("change_address").extra["minutes"] == 6
    assert services.get("replacement_card").extra["minutes"] == 17
    assert services.get("disability_claim").extra["minutes"] == 130


def test_segments_have_positive_weights():
    for item in load_catalog("segments"):
        assert item.extra["weight"] > 0, item.code


def test_channels_map_to_touchpoints_codes():
    channels = load_catalog("channels")
    assert {"online", "phone", "mail", "appointment", "video", "partner_office"} <= set(channels.codes())
    for item in channels:
        assert item.extra["touchpoints"] in TOUCHPOINTS_CHANNELS, item.code


def test_outcomes_say_what_they_require():
    outcomes = load_catalog("outcomes")
    requires = {item.code: item.extra.get("requires") for item in outcomes}
    assert requires == {
        "resolved": None,
        "referred": "referral",
        "follow_up": None,
        "not_served": "reason",
    }


def test_label_falls_back_to_english():
    item = load_catalog("services").get("change_address")
    assert item.label() == "Change of address"
    assert item.label("es") == "Cambio de dirección"
    assert item.label("fr") == "Change of address"


def test_catalog_lookup_by_code():
    services = load_catalog("services")
    assert "change_address" in services
    assert "xyz" not in services
    assert services.codes()[0] == next(iter(services)).code


def test_get_unknown_code_names_the_catalog():
    with pytest.raises(CxdeskError, match=r"^Unknown service 'xyz'\.$"):
        load_catalog("services").get("xyz")
    with pytest.raises(CxdeskError, match="Unknown channel 'fax'"):
        load_catalog("channels").get("fax")


def test_unknown_catalog_name_is_refused():
    with pytest.raises(CxdeskError, match="No catalog named 'staff'"):
        load_catalog("staff")


def test_builtin_loads_are_cached():
    assert load_catalog("services") is load_catalog("services")


def test_override_replaces_the_builtin_catalog(tmp_path):
    (tmp_path / "services.toml").write_text(GOOD_SERVICE, encoding="utf-8")
    services = load_catalog("services", tmp_path)
    assert services.codes() == ["passport_photo"]
    assert services.source == str(tmp_path / "services.toml")
    # Catalogs without an override file stay built-in.
    assert load_catalog("channels", tmp_path).source == "built-in"
    assert load_all(tmp_path)["services"].codes() == ["passport_photo"]


def test_missing_override_dir_falls_back_to_builtin(tmp_path):
    assert load_catalog("services", tmp_path / "absent").source == "built-in"


def test_edited_override_is_reloaded(tmp_path):
    path = tmp_path / "services.toml"
    path.write_text(GOOD_SERVICE, encoding="utf-8")
    assert load_catalog("services", tmp_path).codes() == ["passport_photo"]
    path.write_text(GOOD_SERVICE + GOOD_SERVICE.replace("passport_photo", "notary"), encoding="utf-8")
    assert load_catalog("services", tmp_path).codes() == ["passport_photo", "notary"]


CHANNEL = 'code = "{code}"\nlabel_en = "Phone"\nlabel_es = "Teléfono"\ntouchpoints = "phone"\n'


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("services", "[[item]\ncode = ", "not valid TOML"),
        ("services", "", "the catalog is empty"),
        ("services", "item = 3\n", "must be a list of [[item]] tables"),
        ("services", GOOD_SERVICE.replace("[[item]]", "[[items]]"), "unexpected key 'items'"),
        ("services", GOOD_SERVICE.replace('code = "passport_photo"', ""), "item 1 has no code"),
        ("services", GOOD_SERVICE.replace("label_en", "label_fr"), "item 1 has no English label (label_en)"),
        ("services", GOOD_SERVICE.replace('label_es = "Foto de pasaporte"', 'label_es = ""'),
         "item 1 has no Spanish label (label_es)"),
        ("services", GOOD_SERVICE.replace("passport_photo", "Passport Photo"), "item 1 has code 'Passport Photo'"),
        ("services", GOOD_SERVICE.replace("passport_photo", "p" * 41), "1 to 40 lowercase letters"),
        ("services", GOOD_SERVICE * 2, "item 2 repeats code 'passport_photo' (already used by item 1)"),
        ("services", GOOD_SERVICE.replace("minutes = 4", "minutes = 0"), "item 1 has minutes = 0"),
        ("services", GOOD_SERVICE.replace("weight = 1", 'weight = "heavy"'), "item 1 has weight = 'heavy'"),
        ("services", GOOD_SERVICE.replace("minutes = 4\n", ""), "item 1 has no minutes"),
        ("channels", "[[item]]\n" + CHANNEL.format(code="phone") + "[[item]]\n"
         + CHANNEL.format(code="fax").replace('"phone"', '"carrier_pigeon"'),
         "item 2 has touchpoints = 'carrier_pigeon', which is not a Touchpoints channel"),
        ("channels", "[[item]]\n" + CHANNEL.format(code="phone").replace('touchpoints = "phone"\n', ""),
         "item 1 has no touchpoints"),
        ("outcomes", '[[item]]\ncode = "sent"\nlabel_en = "Sent"\nlabel_es = "Enviado"\nrequires = "note"\n',
         "item 1 has requires = 'note'; it must be 'referral' or 'reason'"),
    ],
    ids=[
        "toml-syntax", "empty", "item-not-table", "misspelled-item", "no-code", "no-english-label",
        "empty-spanish-label", "bad-code", "code-too-long", "duplicate-code", "zero-minutes",
        "text-weight", "no-minutes", "bad-touchpoints", "no-touchpoints", "bad-requires",
    ],
)
def test_bad_override_is_refused_with_file_and_reason(tmp_path, name, text, reason):
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CxdeskError) as caught:
        load_catalog(name, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert reason in message


def test_override_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "segments.toml"
    path.write_bytes(b'[[item]]\ncode = "x"\nlabel_en = "\xff"\n')
    with pytest.raises(CxdeskError, match="segments.toml: not UTF-8 text"):
        load_catalog("segments", tmp_path)


def test_an_override_label_with_a_terminal_escape_is_refused(tmp_path):
    from cxdesk.errors import CxdeskError
    from cxdesk.store.catalogs import load_catalog

    (tmp_path / "channels.toml").write_text(
        '[[item]]\ncode = "online"\nlabel_en = "Online \\u001b]0;pwned\\u0007"\nlabel_es = "En línea"\n',
        encoding="utf-8")
    with pytest.raises(CxdeskError, match=r"channels.toml: item 1.label_en contains a terminal control"):
        load_catalog("channels", tmp_path)
