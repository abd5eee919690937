"""Seed the fields (lĩnh vực): the four official fields of the movement, then local topics."""

from django.db import migrations

OFFICIAL = ["Kinh tế", "Văn hóa – xã hội", "Quốc phòng – an ninh", "Xây dựng hệ thống chính trị"]
LOCAL = [
    "Giải phóng mặt bằng",
    "Văn minh đô thị",
    "Môi trường",
    "An ninh trật tự",
    "Giảm rác thải nhựa",
    "An sinh xã hội",
    "Chuyển đổi số",
]


def seed(apps, schema_editor):
    Field = apps.get_model("models_registry", "Field")
    for position, name in enumerate(OFFICIAL, start=1):
        Field.objects.get_or_create(name=name, defaults={"is_official": True, "position": position})
    for position, name in enumerate(LOCAL, start=10):
        Field.objects.get_or_create(name=name, defaults={"is_official": False, "position": position})


class Migration(migrations.Migration):
    dependencies = [("models_registry", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
