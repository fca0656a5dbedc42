"""The admin app, configured here (it must not import models: app configs load before them)."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's site as ``admin.site`` (signed in through the site's login)."""

    default_site = "asem_portal.admin_site.PortalAdminSite"
