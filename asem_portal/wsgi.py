"""The WSGI application (``application``) with the settings of ``asem_portal.settings`` by default."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asem_portal.settings")

application = get_wsgi_application()
