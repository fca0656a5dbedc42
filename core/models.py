"""The one model of the shared package: the public-page cache's key."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentVersion(models.Model):
    """One row counting changes to anything the public sees, raised after each committed write to any of it
    (``core.cache``): the key of the public-page cache, in every process."""

    value = models.BigIntegerField(_("version"), default=1)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        # Made by the actions app before this package existed: the table keeps its name.
        db_table = "actions_contentversion"
        verbose_name = _("content version")
        verbose_name_plural = _("content version")

    def __str__(self) -> str:
        return str(self.value)
