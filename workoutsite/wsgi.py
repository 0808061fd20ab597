"""WSGI entry point (gunicorn workoutsite.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workoutsite.settings")

application = get_wsgi_application()
