#!/usr/bin/env python3
"""Parses a rendered email (or a bare .ics) the way a mail client would and prints what it
found as JSON, so the C++ tests can assert on an independent reading of the message.

    check_email.py --eml message.eml
    check_email.py --ics invite.ics

Uses only Python's email package and python3-icalendar. Exits non-zero with a message on
stderr when the input cannot be parsed at all.
"""
import datetime
import email
import email.header
import email.policy
import email.utils
import json
import re
import sys

import icalendar


def rfc6868_decode(value):
    """Parameter values: ^^ -> ^, ^' -> ", ^n -> newline (icalendar 4 leaves them encoded)."""
    if value is None:
        return None
    out = []
    i = 0
    while i < len(value):
        c = value[i]
        if c == "^" and i + 1 < len(value) and value[i + 1] in "^'n":
            out.append({"^": "^", "'": '"', "n": "\n"}[value[i + 1]])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def unescape_text(value):
    """RFC 5545 TEXT, one pass: \\\\ \\; \\, and \\n (or \\N) each stand for one character."""
    out = []
    i = 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            following = value[i + 1]
            out.append("\n" if following in "nN" else following)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def event_text_properties(payload):
    """TEXT values of the first VEVENT, read from the unfolded content lines.

    icalendar 4 unescapes TEXT with chained str.replace() calls, which reads an escaped
    backslash followed by "n" as a line break; these values are decoded here instead.
    """
    text = re.sub(r"\r\n[ \t]", "", payload.decode("utf-8"))
    values = {}
    in_event = False
    for line in text.split("\r\n"):
        quoted = False
        head, value = line, ""
        for i, c in enumerate(line):
            if c == '"':
                quoted = not quoted
            elif c == ":" and not quoted:
                head, value = line[:i], line[i + 1:]
                break
        name = head.split(";", 1)[0].upper()
        if name == "BEGIN" and value.upper() == "VEVENT":
            in_event = True
        elif name == "END" and value.upper() == "VEVENT":
            break
        elif in_event and name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
            values.setdefault(name, unescape_text(value))
    return values


def line_report(raw):
    lines = raw.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    utf8_lines = True
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            utf8_lines = False
    stripped = raw.replace(b"\r\n", b"")
    return {
        "max_line_octets": max((len(line) for line in lines), default=0),
        "lines": len(lines),
        "every_line_utf8": utf8_lines,
        "bare_lf": stripped.count(b"\n"),
        "bare_cr": stripped.count(b"\r"),
        "ends_with_crlf": raw.endswith(b"\r\n"),
        "non_ascii_bytes": sum(1 for b in raw if b > 127),
    }


def utc_text(value):
    if not isinstance(value, datetime.datetime):
        return None
    if value.tzinfo is None or value.utcoffset() != datetime.timedelta(0):
        return "not-utc:" + value.isoformat()
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def person(address):
    return {
        "address": str(address),
        "cn": rfc6868_decode(address.params.get("CN")),
        "role": address.params.get("ROLE"),
        "partstat": address.params.get("PARTSTAT"),
        "rsvp": address.params.get("RSVP"),
        "cutype": address.params.get("CUTYPE"),
    }


def describe_calendar(payload):
    calendar = icalendar.Calendar.from_ical(payload)
    events = calendar.walk("VEVENT")
    out = {
        "lines": line_report(payload),
        "text": payload.decode("utf-8"),
        "method": str(calendar.get("METHOD")),
        "version": str(calendar.get("VERSION")),
        "prodid": str(calendar.get("PRODID")),
        "vevent_count": len(events),
    }
    if not events:
        return out
    event = events[0]
    text_values = event_text_properties(payload)

    def text(name):
        value = event.get(name)
        return None if value is None else str(value)

    out.update({
        "uid": text("UID"),
        "sequence": int(event.decoded("SEQUENCE")) if "SEQUENCE" in event else None,
        "dtstart": utc_text(event.decoded("DTSTART")) if "DTSTART" in event else None,
        "dtend": utc_text(event.decoded("DTEND")) if "DTEND" in event else None,
        "dtstamp": utc_text(event.decoded("DTSTAMP")) if "DTSTAMP" in event else None,
        "status": text("STATUS"),
        "summary": text_values.get("SUMMARY"),
        "description": text_values.get("DESCRIPTION"),
        "location": text_values.get("LOCATION"),
        "url": text("URL"),
        "organizer": person(event.get("ORGANIZER")) if "ORGANIZER" in event else None,
        "attendees": [person(a) for a in as_list(event.get("ATTENDEE"))],
    })
    return out


def mailboxes(message, legacy, name):
    """Each mailbox with its display name decoded twice: by email.headerregistry ("name") and
    by the RFC 2047 decoder of email.header ("rfc2047_name"). headerregistry keeps a space
    between adjacent encoded-words in a phrase, which RFC 2047 section 6.2 says to drop, so
    long encoded names only read back exactly through the second."""
    header = message[name]
    if header is None:
        return None
    unfolded = re.sub(r"\r?\n[ \t]", " ", legacy[name])
    decoded = [
        str(email.header.make_header(email.header.decode_header(display)))
        for display, _ in email.utils.getaddresses([unfolded])
    ]
    return [{
        "name": a.display_name,
        "rfc2047_name": decoded[i] if i < len(decoded) else None,
        "address": a.addr_spec,
    } for i, a in enumerate(header.addresses)]


def describe_email(raw):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    legacy = email.message_from_bytes(raw, policy=email.policy.compat32)
    out = {
        "lines": line_report(raw),
        "header_names": list(message.keys()),
        "counts": {
            name: len(message.get_all(name, []))
            for name in ("From", "To", "Subject", "Reply-To", "Message-ID", "Date",
                         "MIME-Version", "Bcc", "Cc")
        },
        "subject": None if message["Subject"] is None else str(message["Subject"]),
        "from": mailboxes(message, legacy, "From"),
        "to": mailboxes(message, legacy, "To"),
        "reply_to": mailboxes(message, legacy, "Reply-To"),
        "message_id": None if message["Message-ID"] is None else str(message["Message-ID"]),
        "date": None if message["Date"] is None else utc_text(message["Date"].datetime),
        "defects": [],
        "parts": [],
        "calendars": [],
        "text": None,
        "html": None,
    }
    for part in message.walk():
        out["defects"] += [type(d).__name__ for d in part.defects]
        out["parts"].append({
            "content_type": part.get_content_type(),
            "charset": part.get_param("charset"),
            "method": part.get_param("method"),
            "disposition": part.get_content_disposition(),
            "filename": part.get_filename(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
        })
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        content_type = part.get_content_type()
        if content_type == "text/plain":
            out["text"] = payload.decode("utf-8")
        elif content_type == "text/html":
            out["html"] = payload.decode("utf-8")
        elif content_type in ("text/calendar", "application/ics"):
            calendar = describe_calendar(payload)
            calendar["mime_method"] = part.get_param("method")
            calendar["content_type"] = content_type
            calendar["disposition"] = part.get_content_disposition()
            out["calendars"].append(calendar)
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("--eml", "--ics"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[2], "rb") as f:
        raw = f.read()
    result = describe_email(raw) if sys.argv[1] == "--eml" else describe_calendar(raw)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
