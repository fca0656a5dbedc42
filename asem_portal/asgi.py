"""The ASGI application (``application``) with the settings of ``asem_portal.settings`` by default."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asem_portal.settings")

application = get_asgi_application()
