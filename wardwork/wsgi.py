"""WSGI entry point for gunicorn: ``gunicorn wardwork.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wardwork.settings")

application = get_wsgi_application()
