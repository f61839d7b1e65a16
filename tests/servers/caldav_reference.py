#!/usr/bin/env python3
"""The independent side of the CalDAV tests: Debian's python3-caldav client and the
python3-recurring-ical-events expander, driven from the command line. Prints JSON on stdout.

Usage:
  caldav_reference.py mkcalendar URL USER PASSWORD [--tz ZONE]
      Creates the calendar collection URL (MKCALENDAR; the display name is the last path
      segment). With --tz, sets its CALDAV:calendar-timezone to a VTIMEZONE for ZONE (an
      IANA name), built here from the system's zoneinfo: every transition from 1970 to 2040
      as its own STANDARD or DAYLIGHT block.  Prints {"url": URL}.

  caldav_reference.py put URL USER PASSWORD FILE.ics
      Stores the events of FILE.ics in the calendar URL, one calendar object resource per
      UID (overrides with a RECURRENCE-ID go with their UID; the file's VTIMEZONEs go into
      each), as python3-caldav names them (<UID>.ics). SEQUENCE is left as it is.
      Prints [{"href", "etag"}, ...] in the order of the UIDs' first appearance.

  caldav_reference.py delete URL USER PASSWORD HREF
      Deletes the resource HREF (a path, as put and list print it) of calendar URL.
      Prints {"deleted": HREF}.

  caldav_reference.py list URL USER PASSWORD START END
      The events of calendar URL that the server reports for a CALDAV:calendar-query with
      a time-range [START, END) on VEVENT, without server-side expansion.
      START and END are UTC, ISO 8601: 2026-03-02T00:00:00Z.
      Prints [{"href", "etag", "uid", "ics"}, ...] sorted by href.

  caldav_reference.py expand START END [--tz ZONE] [--tentative busy|free] [FILE.ics ...]
      Expands every VEVENT of the files (or of standard input when none is given) with
      recurring_ical_events and prints the busy intervals overlapping [START, END) as
      [{"uid", "start", "end"}, ...] in UTC ("2026-03-02T09:00:00Z"), sorted by
      (start, end, uid). Each occurrence is reported whole, not clipped to the range.
      Rules:
        - TRANSP:TRANSPARENT and STATUS:CANCELLED occurrences are not busy (judged on the
          occurrence, so an override can cancel one date of a series or un-cancel it);
        - STATUS:TENTATIVE is busy unless --tentative free;
        - DATE values and floating DATE-TIMEs are read in ZONE (default UTC): the calendar's
          time zone;
        - without DTEND: DURATION, else one day for a DATE DTSTART and zero length for a
          DATE-TIME one (RFC 5545 3.6.1); zero-length occurrences are not busy.
      Each file is one calendar object resource (a UID's master and overrides together).

Errors: a one-line message on stderr and exit status 1 (2 for bad usage).

The HTTP client ignores proxy variables and .netrc: the server is always on loopback.
"""
import argparse
import datetime
import json
import sys
import zoneinfo

import caldav
import icalendar
import recurring_ical_events
from caldav.elements import cdav, dav

UTC = datetime.timezone.utc


# ---------------------------------------------------------------------------------------
# helpers


def parse_utc(text):
    """ISO 8601 UTC ("2026-03-02T00:00:00Z", or with +00:00) to an aware datetime."""
    value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None or value.utcoffset() != datetime.timedelta(0):
        raise ValueError("not a UTC time: %r (want e.g. 2026-03-02T00:00:00Z)" % text)
    return value.astimezone(UTC)


def format_utc(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def client_for(url, user, password):
    client = caldav.DAVClient(url, username=user, password=password)
    client.session.trust_env = False  # no proxies from the environment, no .netrc
    return client


def etag_of(obj):
    return obj.get_property(dav.GetEtag())


# ---------------------------------------------------------------------------------------
# VTIMEZONE from zoneinfo


def _state(zone, instant):
    local = instant.astimezone(zone)
    return (local.utcoffset(), local.dst(), local.tzname())


def _transitions(zone, first_year=1970, last_year=2040):
    """(instant, state before, state after) for every change of offset, DST or name."""
    step = datetime.timedelta(days=1)
    t = datetime.datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime.datetime(last_year + 1, 1, 1, tzinfo=UTC)
    before = _state(zone, t)
    out = []
    while t < end:
        n = t + step
        after = _state(zone, n)
        if after != before:
            lo, hi = t, n  # state(lo) == before, state(hi) != before
            while hi - lo > datetime.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if _state(zone, mid) == before:
                    lo = mid
                else:
                    hi = mid
            out.append((hi, before, _state(zone, hi)))
            before = _state(zone, hi)
            if before != after:  # two changes within the day: rescan from hi
                t = hi
                continue
        t = n
    return out


def _offset(delta):
    seconds = int(delta.total_seconds())
    sign = "+" if seconds >= 0 else "-"
    seconds = abs(seconds)
    text = "%s%02d%02d" % (sign, seconds // 3600, seconds % 3600 // 60)
    if seconds % 60:
        text += "%02d" % (seconds % 60)
    return text


def vtimezone(name):
    """The VCALENDAR text holding one VTIMEZONE for the IANA zone `name`."""
    zone = zoneinfo.ZoneInfo(name)
    start = datetime.datetime(1970, 1, 1, tzinfo=UTC)
    initial = _state(zone, start)
    blocks = [(start.replace(tzinfo=None) + initial[0], initial, initial)]
    for instant, before, after in _transitions(zone):
        # DTSTART is local time as it was before the change (RFC 5545 3.6.5)
        blocks.append((instant.replace(tzinfo=None) + before[0], before, after))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//interviewkit tests//caldav_reference//EN",
             "BEGIN:VTIMEZONE", "TZID:" + name]
    for local_start, before, after in blocks:
        kind = "DAYLIGHT" if after[1] else "STANDARD"
        lines += ["BEGIN:" + kind,
                  "DTSTART:" + local_start.strftime("%Y%m%dT%H%M%S"),
                  "TZOFFSETFROM:" + _offset(before[0]),
                  "TZOFFSETTO:" + _offset(after[0])]
        if after[2]:
            lines.append("TZNAME:" + after[2])
        lines.append("END:" + kind)
    lines += ["END:VTIMEZONE", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


# ---------------------------------------------------------------------------------------
# commands


def cmd_mkcalendar(args):
    url = args.url if args.url.endswith("/") else args.url + "/"
    parent_url, cal_id = url[:-1].rsplit("/", 1)
    client = client_for(url, args.user, args.password)
    parent = caldav.objects.CalendarSet(client=client, url=parent_url + "/")
    calendar = parent.make_calendar(name=cal_id, cal_id=cal_id)
    if args.tz:
        calendar.set_properties([cdav.CalendarTimeZone(vtimezone(args.tz))])
    return {"url": str(calendar.url)}


def split_by_uid(text):
    """One VCALENDAR text per UID (master and overrides together), in order of appearance,
    each with all of the file's VTIMEZONEs."""
    source = icalendar.Calendar.from_ical(text)
    timezones = [c for c in source.subcomponents if c.name == "VTIMEZONE"]
    groups = {}
    for component in source.subcomponents:
        if component.name == "VTIMEZONE":
            continue
        if "UID" not in component:
            raise ValueError("a %s without UID" % component.name)
        groups.setdefault(str(component["UID"]), []).append(component)
    if not groups:
        raise ValueError("no VEVENT in the file")
    out = []
    for components in groups.values():
        cal = icalendar.Calendar()
        for key in ("VERSION", "PRODID", "CALSCALE"):
            if key in source:
                cal.add(key, source[key])
        if "VERSION" not in cal:
            cal.add("VERSION", "2.0")
        if "PRODID" not in cal:
            cal.add("PRODID", "-//interviewkit tests//caldav_reference//EN")
        for c in timezones + components:
            cal.add_component(c)
        out.append(cal.to_ical().decode("utf-8"))
    return out


def cmd_put(args):
    with open(args.file, encoding="utf-8") as f:
        text = f.read()
    client = client_for(args.url, args.user, args.password)
    calendar = client.calendar(url=args.url)
    out = []
    for data in split_by_uid(text):
        event = caldav.Event(client, data=data, parent=calendar)
        event.save(increase_seqno=False)
        out.append({"href": event.url.path, "etag": etag_of(event)})
    return out


def cmd_delete(args):
    client = client_for(args.url, args.user, args.password)
    calendar = client.calendar(url=args.url)
    calendar.event_by_url(calendar.url.join(args.href)).delete()
    return {"deleted": args.href}


def cmd_list(args):
    start, end = parse_utc(args.start), parse_utc(args.end)
    client = client_for(args.url, args.user, args.password)
    calendar = client.calendar(url=args.url)
    out = []
    for obj in calendar.search(start=start, end=end, event=True, expand=False):
        data = obj.data
        uids = sorted({str(c["UID"]) for c in icalendar.Calendar.from_ical(data).walk("VEVENT")
                       if "UID" in c})
        out.append({"href": obj.url.path, "etag": etag_of(obj),
                    "uid": uids[0] if len(uids) == 1 else uids, "ics": data})
    out.sort(key=lambda item: item["href"])
    return out


def _normalise(calendar_obj):
    """Gives every VEVENT without DTEND and DURATION its RFC 5545 3.6.1 length as a
    DURATION (one day for a DATE DTSTART, zero for a DATE-TIME one), so that the expander
    (which takes a missing end as zero length in both cases) repeats the right length."""
    for event in calendar_obj.walk("VEVENT"):
        if "DTSTART" not in event:
            raise ValueError("a VEVENT without DTSTART (UID %s)" % event.get("UID"))
        if "DTEND" in event or "DURATION" in event:
            continue
        start = event["DTSTART"].dt
        is_date = not isinstance(start, datetime.datetime)
        event.add("DURATION", datetime.timedelta(days=1 if is_date else 0))


def _to_utc(value, zone):
    """A DATE (midnight), floating or zoned DATE-TIME as an aware UTC datetime."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _occurrence_end(event):
    """The end of one occurrence as the expander returned it: its DTEND (the expander sets
    it to start + the component's length), else start + DURATION."""
    start = event["DTSTART"].dt
    if "DTEND" in event:
        return event["DTEND"].dt
    if "DURATION" in event:
        return start + event["DURATION"].dt
    return start


def expand_text(text, start, end, zone, tentative_busy):
    calendar_obj = icalendar.Calendar.from_ical(text)
    _normalise(calendar_obj)
    # Ask for a wider span than wanted: the expander compares DATE and floating values as
    # if they were UTC. The overlap with [start, end) is decided below, in ZONE.
    margin = datetime.timedelta(days=2)
    occurrences = recurring_ical_events.of(calendar_obj).between(start - margin, end + margin)
    out = []
    for event in occurrences:
        if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        status = str(event.get("STATUS", "CONFIRMED")).upper()
        if status == "CANCELLED" or (status == "TENTATIVE" and not tentative_busy):
            continue
        begin = _to_utc(event["DTSTART"].dt, zone)
        finish = _to_utc(_occurrence_end(event), zone)
        if finish <= begin:
            continue
        if begin < end and finish > start:
            out.append({"uid": str(event.get("UID", "")), "start": format_utc(begin),
                        "end": format_utc(finish)})
    return out


def cmd_expand(args):
    start, end = parse_utc(args.start), parse_utc(args.end)
    if end < start:
        raise ValueError("END is before START")
    zone = zoneinfo.ZoneInfo(args.tz) if args.tz else UTC
    texts = []
    if args.files:
        for name in args.files:
            with open(name, encoding="utf-8") as f:
                texts.append(f.read())
    else:
        texts.append(sys.stdin.read())
    out = []
    for text in texts:
        out += expand_text(text, start, end, zone, args.tentative == "busy")
    out.sort(key=lambda item: (item["start"], item["end"], item["uid"]))
    return out


# ---------------------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit status 2."""

    def error(self, message):
        print("%s: %s (see the module docstring for usage)" % (self.prog, message),
              file=sys.stderr)
        sys.exit(2)


def main():
    parser = Parser(description="CalDAV reference client for the tests")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = commands.add_parser("mkcalendar")
    p.add_argument("url")
    p.add_argument("user")
    p.add_argument("password")
    p.add_argument("--tz")
    p.set_defaults(run=cmd_mkcalendar)

    p = commands.add_parser("put")
    p.add_argument("url")
    p.add_argument("user")
    p.add_argument("password")
    p.add_argument("file")
    p.set_defaults(run=cmd_put)

    p = commands.add_parser("delete")
    p.add_argument("url")
    p.add_argument("user")
    p.add_argument("password")
    p.add_argument("href")
    p.set_defaults(run=cmd_delete)

    p = commands.add_parser("list")
    p.add_argument("url")
    p.add_argument("user")
    p.add_argument("password")
    p.add_argument("start")
    p.add_argument("end")
    p.set_defaults(run=cmd_list)

    p = commands.add_parser("expand")
    p.add_argument("start")
    p.add_argument("end")
    p.add_argument("--tz")
    p.add_argument("--tentative", choices=("busy", "free"), default="busy")
    p.add_argument("files", nargs="*")
    p.set_defaults(run=cmd_expand)

    # Options may come after the files of expand too ("expand S E a.ics --tz Z"), which a
    # subcommand's "*" positional does not take: the rest is collected here.
    args, rest = parser.parse_known_args()
    if rest and args.command == "expand" and not any(r.startswith("-") for r in rest):
        args.files += rest
    elif rest:
        parser.error("unrecognized arguments: %s" % " ".join(rest))
    try:
        result = args.run(args)
    except Exception as e:  # one line on stderr, whatever failed
        message = " ".join(("%s: %s" % (type(e).__name__, e)).split())
        print("caldav_reference.py %s: %s" % (args.command, message), file=sys.stderr)
        sys.exit(1)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
