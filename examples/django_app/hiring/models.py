"""Django's side of the data: which interviewkit interviews this app created, so its pages
can list them. The interview itself (status, slot, outbox) lives only in interviewkit's
store: there is no status column here to drift from it, or to compare with a string."""
from django.db import models


class BookedInterview(models.Model):
    interview_id = models.PositiveBigIntegerField(unique=True)
    candidate_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-interview_id"]

    def __str__(self):
        return f"interview {self.interview_id} ({self.candidate_name})"
