"""The table of the database cache (``CACHES`` in settings): created by the migrations, so
that no deployment step can forget ``createcachetable``. Every app instance reads the same
cache, as it reads the same sessions (docs/scaling.md)."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    for cache in settings.CACHES.values():
        if cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
            table = schema_editor.quote_name(cache["LOCATION"])
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("wardwork", "0003_named_indexes")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
