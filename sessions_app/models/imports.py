"""Uploaded exports waiting for the lifter's "Import" (the Import page)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportBatch(models.Model):
    """An uploaded export between its preview and the lifter's "Import".

    The file itself is never kept: only what was read from it (`rows`, compressed),
    until the lifter confirms or cancels, and at most BATCH_HOURS. After the import
    only the summary stays, for the page that shows it, until the same expiry.
    """

    BATCH_HOURS = 24

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_batches"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    file_name = models.CharField(max_length=255, blank=True)
    skip_bad_lines = models.BooleanField(default=False)
    # The records the preview read (importers.RecordedExport); emptied by the import.
    rows = models.BinaryField(null=True, editable=False)
    preview = models.JSONField(default=dict, editable=False)
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    result = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.file_name} ({self.owner})"

    @classmethod
    def expired(cls, now=None):
        now = now or timezone.now()
        return cls.objects.filter(created_at__lt=now - datetime.timedelta(hours=cls.BATCH_HOURS))
