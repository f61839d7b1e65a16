"""The booking form. Django checks the shape of the input; interviewkit's own validation
(email addresses, time zones, ids) runs when the values are made, and its InvalidInput is
shown on the form as the library words it."""
import datetime as dt

from django import forms


class BookingForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Technical interview")
    candidate_id = forms.CharField(max_length=100)
    candidate_name = forms.CharField(max_length=200)
    candidate_email = forms.CharField(max_length=254)
    candidate_time_zone = forms.CharField(max_length=64, initial="UTC")
    interviewer_id = forms.CharField(max_length=100)
    interviewer_name = forms.CharField(max_length=200)
    interviewer_email = forms.CharField(max_length=254)
    interviewer_time_zone = forms.CharField(max_length=64, initial="UTC")
    start = forms.DateTimeField(help_text="UTC, e.g. 2030-03-02 09:00")
    minutes = forms.IntegerField(min_value=5, max_value=480, initial=45)

    def clean_start(self):
        # With USE_TZ, Django makes the input aware in the current time zone (UTC here);
        # interviewkit refuses naive datetimes, so check it did.
        start = self.cleaned_data["start"]
        if start.tzinfo is None:
            raise forms.ValidationError("the start time needs a time zone")
        return start.astimezone(dt.timezone.utc)
