"""wardwork 0006: each ward that refers to a ward-less organisation (a Quận ủy, a Thành ủy)
gets its own copy, its rows point at the copy, the original goes.

The database is migrated back to the state before the migration, filled through the models of
that state, migrated forward, and put back at the latest migrations at the end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("wardwork", "0005_position_ward"),
    ("plans", "0007_report_indexes"),
    ("models_registry", "0007_named_indexes"),
    ("meetings", "0006_named_indexes"),
]
AFTER = [("wardwork", "0006_higher_committees_per_ward")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def before_the_copies(transactional_db):
    apps = migrate(BEFORE)
    try:
        yield apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_each_referring_ward_gets_its_copy_and_the_original_goes(before_the_copies):
    apps = before_the_copies
    Ward = apps.get_model("wardwork", "Ward")
    Organization = apps.get_model("wardwork", "Organization")
    Person = apps.get_model("wardwork", "Person")
    Plan = apps.get_model("plans", "Plan")
    Task = apps.get_model("plans", "Task")
    DocumentSequence = apps.get_model("plans", "DocumentSequence")

    def org(ward, name, kind, **extra):
        return Organization.objects.create(ward=ward, name=name, kind=kind, **extra)

    city = org(None, "Thành ủy Hà Nội", "higher_committee", symbol_code="TU")
    district = org(
        None,
        "Quận ủy Long Biên",
        "higher_committee",
        short_name="Quận ủy",
        symbol_code="QU",
        parent=city,
        search_key="quan uy long bien qu",
    )
    unused = org(None, "Quận ủy Không Ai Dùng", "higher_committee", symbol_code="QU")
    a = Ward.objects.create(name="Phường Phúc Đồng", place_name="Phúc Đồng")
    b = Ward.objects.create(name="Phường Sài Đồng", place_name="Sài Đồng")
    committee_a = org(a, "Đảng ủy phường Phúc Đồng", "ward_committee", parent=district)
    committee_b = org(b, "Đảng ủy phường Sài Đồng", "ward_committee", parent=district)
    person = Person.objects.create(ward=a, full_name="Nguyễn Văn Quận", organization=district)
    plan = Plan.objects.create(
        ward=b,
        issuer=district,
        symbol="18-KH/QU",
        doc_type="KH",
        number=18,
        issued_on=dt.date(2020, 12, 30),
        year=2021,
        title="Kế hoạch của Quận ủy",
    )
    task = Task.objects.create(
        ward=a, ordinal=1, title="Tuyên truyền", lead_organization=committee_a
    )
    task.supporting_organizations.add(district)
    DocumentSequence.objects.create(
        issuer=district, doc_type="KH", term_start_year=2020, last_number=18
    )

    apps = migrate(AFTER)
    Organization = apps.get_model("wardwork", "Organization")

    assert not Organization.objects.filter(ward__isnull=True).exists()
    assert not Organization.objects.filter(pk__in=[city.pk, district.pk, unused.pk]).exists()
    for ward, committee in ((a, committee_a), (b, committee_b)):
        copy = Organization.objects.get(ward_id=ward.pk, name="Quận ủy Long Biên")
        assert (copy.kind, copy.short_name, copy.symbol_code) == (
            "higher_committee",
            "Quận ủy",
            "QU",
        )
        assert copy.search_key == "quan uy long bien qu"  # copied, as every other value
        assert Organization.objects.get(pk=committee.pk).parent_id == copy.pk
        above = Organization.objects.get(pk=copy.parent_id)
        assert (above.ward_id, above.name, above.symbol_code) == (ward.pk, "Thành ủy Hà Nội", "TU")
    copy_a = Organization.objects.get(ward_id=a.pk, name="Quận ủy Long Biên")
    copy_b = Organization.objects.get(ward_id=b.pk, name="Quận ủy Long Biên")
    assert apps.get_model("wardwork", "Person").objects.get(pk=person.pk).organization_id == (
        copy_a.pk
    )
    assert apps.get_model("plans", "Plan").objects.get(pk=plan.pk).issuer_id == copy_b.pk
    task = apps.get_model("plans", "Task").objects.get(pk=task.pk)
    assert list(task.supporting_organizations.values_list("pk", flat=True)) == [copy_a.pk]
    sequences = apps.get_model("plans", "DocumentSequence").objects.order_by("issuer_id")
    assert list(sequences.values_list("issuer_id", "last_number")) == sorted(
        [(copy_a.pk, 18), (copy_b.pk, 18)]
    )
    # Each copy's history starts with its creation.
    history = apps.get_model("wardwork", "HistoricalOrganization").objects
    assert history.filter(id=copy_a.pk, history_type="+").exists()
    assert Organization.objects.count() == 2 + 2 * 2
