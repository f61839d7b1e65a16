"""Views: a booking form that books through interviewkit's BookingService, and pages
showing each interview's notifications and their fate (Reconciler.fate). Nothing here
decides whether to send an invite: booking enqueues it in the same transaction, and
`manage.py run_dispatcher` delivers it."""
import datetime as dt

from django.http import Http404
from django.shortcuts import redirect, render

import interviewkit as ik

from . import kit
from .forms import BookingForm
from .models import BookedInterview

WEB = ik.Actor(ik.ActorRole.recruiter, "web")


def _people(data):
    candidate = ik.Candidate(data["candidate_id"], ik.Participant(
        data["candidate_name"], data["candidate_email"], data["candidate_time_zone"]))
    interviewer = ik.Interviewer(data["interviewer_id"], ik.Participant(
        data["interviewer_name"], data["interviewer_email"], data["interviewer_time_zone"]))
    return candidate, interviewer


def _book(form):
    """Creates and books the interview; returns its id, or None with the error on the form."""
    data = form.cleaned_data
    try:
        candidate, interviewer = _people(data)
        slot = ik.TimeRange.of(data["start"], dt.timedelta(minutes=data["minutes"]))
    except ik.InvalidInput as error:
        form.add_error(None, error.message)
        return None, 400
    service = kit.booking_service()
    interview = service.create(candidate, [interviewer], WEB, title=data["title"])
    BookedInterview.objects.create(interview_id=interview.id.value,
                                   candidate_name=candidate.person.name)
    try:
        service.book(interview.id, slot, WEB)
    except ik.SlotConflict as conflict:
        form.add_error("start", f"{conflict.person} is already in interview "
                                f"{conflict.other.value} at that time "
                                f"(interview {interview.id.value} stays pending)")
        return None, 409
    except ik.InvalidInput as error:
        form.add_error(None, error.message)
        return None, 400
    return interview.id, 200


def book(request):
    form = BookingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            interview_id, status = _book(form)
            if interview_id is not None:
                return redirect("hiring:detail", interview_id=interview_id.value)
        else:
            status = 400
    return render(request, "hiring/book.html", {"form": form}, status=status)


def _fate_rows(fate):
    return [{"recipient": n.recipient, "kind": n.kind.name, "channel": n.channel,
             "fate": n.fate.name, "attempts": n.attempts, "detail": n.detail,
             "due": n.due, "revision": n.revision} for n in fate.notifications]


def _summary(interview_id):
    interview = kit.store().find(ik.InterviewId(interview_id))
    fate = kit.reconciler().fate(interview.id)
    return {"id": interview_id, "title": interview.title, "status": interview.status.name,
            "candidate": interview.candidate.person.name, "slot": interview.slot,
            "meeting_link": interview.meeting_link, "complete": fate.complete,
            "notifications": _fate_rows(fate)}


def interview_list(request):
    rows = [_summary(b.interview_id) for b in BookedInterview.objects.all()]
    return render(request, "hiring/list.html", {"interviews": rows})


def interview_detail(request, interview_id):
    try:
        summary = _summary(interview_id)
    except ik.NotFound:
        raise Http404(f"no interview {interview_id}")
    log = kit.action_log().entries(interview=ik.InterviewId(interview_id))
    entries = [{"time": e.time, "action": e.action.name, "details": e.details} for e in log]
    return render(request, "hiring/detail.html", {"interview": summary, "log": entries})
