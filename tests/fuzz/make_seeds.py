#!/usr/bin/env python3
"""Writes the hand-made seeds of tests/fuzz/corpus/. Run from anywhere; existing seeds with
the same names are overwritten, other files (inputs the fuzzer found) are left alone."""
import base64
import copy
import hashlib
import hmac
import json
import os

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data)


def dumps(value):
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: keep them as \u escapes
        text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text


INVALID_UTF8 = b"\xc3\x28 \xff\xfe \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf"
DEEP = 5000

# --- status_names -----------------------------------------------------------------------------
for name in ["pending", "scheduled", "confirmed", "completed", "cancelled", "no_show", "book",
             "mark_no_show", "recruiter", "system", "notification_dead_lettered",
             "interview_reminder", "delivered", "expired"]:
    put("status_names", name, name)
put("status_names", "empty", b"")
put("status_names", "upper_case", "Scheduled")
put("status_names", "trailing_newline", "pending\n")
put("status_names", "embedded_nul", b"pending\x00")
put("status_names", "prefix", "pend")
put("status_names", "number", "1")
put("status_names", "invalid_utf8", INVALID_UTF8)
put("status_names", "long", "no_show" * 300)

# --- utc_timestamp ----------------------------------------------------------------------------
for name, text in {
    "seconds": "2024-03-12T14:00:00Z",
    "millis": "2024-03-12T14:00:00.250Z",
    "year_0000": "0000-01-01T00:00:00Z",
    "year_9999": "9999-12-31T23:59:59.999Z",
    "leap_day": "2024-02-29T00:00:00Z",
    "not_leap_day": "2023-02-29T00:00:00Z",
    "leap_second": "2016-12-31T23:59:60Z",
    "hour_24": "2024-03-12T24:00:00Z",
    "offset": "2024-03-12T14:00:00+01:00",
    "lowercase": "2024-03-12t14:00:00z",
    "plus_sign": "+024-03-12T14:00:00Z",
    "micros": "2024-03-12T14:00:00.250000Z",
    "empty": "",
    "space": "2024-03-12 14:00:00Z",
}.items():
    put("utc_timestamp", name, text)
put("utc_timestamp", "invalid_utf8", b"2024-03-12T14:00:00\xff")

# --- email_address ----------------------------------------------------------------------------
for name, text in {
    "plain": "ann@example.com",
    "dots_plus": "ann.lee+interviews@mail.example.co.uk",
    "no_at": "ann.example.com",
    "two_at": "ann@lee@example.com",
    "empty": "",
    "at_only": "@",
    "leading_dot": ".ann@example.com",
    "double_dot": "ann..lee@example.com",
    "trailing_dot_domain": "ann@example.com.",
    "quoted_local": "\"ann lee\"@example.com",
    "header_injection": "ann@example.com\r\nBcc: eve@example.com",
    "angle": "Ann <ann@example.com>",
    "local_64": "a" * 64 + "@example.com",
    "local_65": "a" * 65 + "@example.com",
    "len_254": "a" * 64 + "@" + ("b" * 62 + ".") * 3 + "b" * 0 + "c" * (254 - 64 - 1 - 189),
    "len_255": "a" * 64 + "@" + "b" * 190,
    "unicode": "李雷@example.com",
    "ip_literal": "ann@[192.0.2.1]",
}.items():
    put("email_address", name, text)
put("email_address", "invalid_utf8", b"ann\xff@example.com")
put("email_address", "nul", b"ann\x00@example.com")

# --- participant: name \n email \n zone -------------------------------------------------------
for name, text in {
    "plain": "Ann Lee\nann@example.com\nEurope/Berlin",
    "unicode_name": "李雷\nli@example.com\nAsia/Shanghai",
    "newline_in_name": "Ann\nBcc: eve@example.com\nann@example.com\nUTC",
    "empty_name": "\nann@example.com\nUTC",
    "long_name": "x" * 257 + "\nann@example.com\nUTC",
    "name_256": "é" * 128 + "\nann@example.com\nUTC",
    "bad_zone": "Ann\nann@example.com\nMars/Olympus_Mons",
    "link_zone": "Ann\nann@example.com\nUS/Eastern",
    "bad_email": "Ann\nann@@example.com\nUTC",
    "missing_fields": "Ann",
    "empty": "",
    "tab_in_name": "Ann\tLee\nann@example.com\nUTC",
    "line_separator": "Ann\u2028Lee\nann@example.com\nUTC",
    "c1_control": "Ann\u0085Lee\nann@example.com\nUTC",
}.items():
    put("participant", name, text)
put("participant", "invalid_utf8_name", b"Ann \xc3\x28\nann@example.com\nUTC")
put("participant", "overlong_nul", b"Ann\xc0\x80\nann@example.com\nUTC")

# --- time_zone --------------------------------------------------------------------------------
for name, text in {
    "berlin": "Europe/Berlin",
    "utc": "UTC",
    "etc_utc": "Etc/UTC",
    "link": "US/Eastern",
    "three_levels": "America/Argentina/Buenos_Aires",
    "offset_zone": "Etc/GMT+5",
    "posix_rule": "EST5EDT",
    "lowercase": "europe/berlin",
    "path_traversal": "../../../etc/passwd",
    "absolute": "/usr/share/zoneinfo/UTC",
    "directory": "Europe",
    "trailing_slash": "Europe/Berlin/",
    "posixrules": "posixrules",
    "zone_tab": "zone.tab",
    "localtime": "localtime",
    "empty": "",
    "space": " Europe/Berlin",
}.items():
    put("time_zone", name, text)
put("time_zone", "nul", b"Europe/Berlin\x00")
put("time_zone", "invalid_utf8", b"Europe/\xff")

# --- interview_json ---------------------------------------------------------------------------
interview = {
    "id": 42,
    "title": "Systems design",
    "candidate": {"id": "cand-1", "name": "李雷", "email": "li@example.com",
                  "time_zone": "Asia/Shanghai"},
    "interviewers": [
        {"id": "int-1", "name": "Ann", "email": "ann@example.com",
         "time_zone": "America/New_York"},
        {"id": "int-2", "name": "Bo", "email": "bo@example.com", "time_zone": "Europe/Berlin"},
    ],
    "slot": {"start": "2024-03-12T14:00:00Z", "end": "2024-03-12T15:00:00Z"},
    "status": "scheduled",
    "version": 3,
    "meeting_link": "https://meet.example.com/abc",
    "created_at": "2024-03-10T14:00:00Z",
    "updated_at": "2024-03-11T14:00:00Z",
}


def variant(base, **changes):
    v = copy.deepcopy(base)
    for key, value in changes.items():
        if value is KeyError:
            del v[key]
        else:
            v[key] = value
    return v


pending = variant(interview, slot=None, status="pending", version=1, meeting_link="")
cases = {
    "scheduled": interview,
    "pending": pending,
    "cancelled_no_slot": variant(pending, status="cancelled"),
    "pending_with_slot": variant(interview, status="pending"),
    "completed_no_slot": variant(interview, status="completed", slot=None),
    "duplicate_interviewer": variant(interview, interviewers=[interview["interviewers"][0]] * 2),
    "no_interviewers": variant(interview, interviewers=[]),
    "version_zero": variant(interview, version=0),
    "version_max": variant(interview, version=18446744073709551615),
    "version_negative": variant(interview, version=-1),
    "version_float": variant(interview, version=3.0),
    "id_zero": variant(interview, id=0),
    "id_string": variant(interview, id="42"),
    "unknown_field": variant(interview, extra=1),
    "missing_field": variant(interview, title=KeyError),
    "status_capital": variant(interview, status="Scheduled"),
    "slot_backwards": variant(interview, slot={"start": "2024-03-12T15:00:00Z",
                                               "end": "2024-03-12T14:00:00Z"}),
    "slot_millis": variant(interview, slot={"start": "2024-03-12T14:00:00.500Z",
                                            "end": "2024-03-12T15:00:00Z"}),
    "created_millis": variant(interview, created_at="2024-03-10T14:00:00.999Z"),
    "title_newline": variant(interview, title="Systems\r\ndesign"),
    "title_nul": variant(interview, title="Systems\u0000design"),
    "lone_surrogate_escape": variant(interview, title="\udc00"),
    "candidate_is_interviewer": variant(interview, candidate={
        "id": "int-1", "name": "Ann", "email": "ann@example.com",
        "time_zone": "America/New_York"}),
    "link_zone": variant(interview, candidate=dict(interview["candidate"], time_zone="US/Eastern")),
    "far_future": variant(interview, slot={"start": "9999-12-31T22:00:00Z",
                                           "end": "9999-12-31T23:59:59Z"}),
    "year_zero": variant(interview, created_at="0000-01-01T00:00:00Z"),
}
for name, value in cases.items():
    put("interview_json", name, dumps(value))
put("interview_json", "huge_number", dumps(interview).replace('"version":3', '"version":1' + "0" * 400))
put("interview_json", "huge_exponent", dumps(interview).replace('"version":3', '"version":1e999'))
put("interview_json", "duplicate_key", dumps(interview)[:-1] + ',"version":4}')
put("interview_json", "invalid_utf8", dumps(interview).encode().replace(b"Systems", b"Sys\xfftems"))
put("interview_json", "deep_nesting", "[" * DEEP + "]" * DEEP)
put("interview_json", "deep_in_field", dumps(interview).replace('"title":"Systems design"',
                                                                '"title":' + "[" * DEEP + "]" * DEEP))
put("interview_json", "empty", b"")
put("interview_json", "null", "null")
put("interview_json", "truncated", dumps(interview)[:100])

# --- notification_json / outbox_payload -------------------------------------------------------
notification = {
    "kind": "interview_scheduled",
    "recipient": {"role": "candidate", "id": "cand-1", "name": "李雷", "email": "li@example.com",
                  "time_zone": "Asia/Shanghai"},
    "interview": interview,
    "previous_slot": None,
    "reason": "",
    "idempotency_key": "interview/42/v3/candidate:cand-1/interview_scheduled",
}
ncases = {
    "scheduled": notification,
    "rescheduled": variant(notification, kind="interview_rescheduled",
                           previous_slot={"start": "2024-03-11T14:00:00Z",
                                          "end": "2024-03-11T15:00:00Z"}),
    "cancelled": variant(notification, kind="interview_cancelled",
                         interview=variant(pending, status="cancelled"),
                         reason="candidate withdrew",
                         recipient={"role": "interviewer", "id": "int-1", "name": "Ann",
                                    "email": "ann@example.com", "time_zone": "America/New_York"}),
    "unknown_kind": variant(notification, kind="interview_postponed"),
    "unknown_role": variant(notification, recipient=dict(notification["recipient"], role="admin")),
    "reason_control": variant(notification, reason="line\r\nBcc: eve@example.com\u0000"),
    "reason_long": variant(notification, reason="x" * 3000),
    "key_empty": variant(notification, idempotency_key=""),
    "previous_slot_bad": variant(notification, previous_slot={"start": 1, "end": 2}),
    "missing_interview": variant(notification, interview=KeyError),
    "extra_field": variant(notification, attempt=1),
    "recipient_array": variant(notification, recipient=[]),
}
for name, value in ncases.items():
    put("notification_json", name, dumps(value))
    put("outbox_payload", name, dumps(value))
for target in ["notification_json", "outbox_payload", "action_entry_json"]:
    put(target, "empty", b"")
    put(target, "deep_nesting", "{\"a\":" * DEEP + "1" + "}" * DEEP)
    put(target, "invalid_utf8", b'{"kind":"\xc3\x28"}')
    put(target, "huge_number", "[" + "9" * 500 + "]")
    put(target, "bom", b"\xef\xbb\xbf{}")
put("outbox_payload", "payload_string", dumps(dumps(notification)))
put("outbox_payload", "payload_array", dumps([notification]))

# --- action_entry_json ------------------------------------------------------------------------
entry = {
    "time": "2024-03-12T14:00:00.250Z",
    "action": "notification_failed",
    "interview": 42,
    "actor": {"role": "system", "id": ""},
    "from": None,
    "to": None,
    "details": {"attempt": 2, "error": "HTTP 503", "retryable": True,
                "next_attempt": "2024-03-12T14:05:00Z"},
}
ecases = {
    "failed": entry,
    "booked": variant(entry, action="interview_booked", actor={"role": "recruiter", "id": "r-7"},
                      **{"from": "pending", "to": "scheduled"}, details={}),
    "no_interview": variant(entry, interview=None),
    "system_with_id": variant(entry, actor={"role": "system", "id": "x"}),
    "recruiter_no_id": variant(entry, actor={"role": "recruiter", "id": ""}),
    "details_array": variant(entry, details=[1, 2]),
    "details_floats": variant(entry, details={"a": 0.1, "b": -0.0, "c": 1e308, "d": 5e-324,
                                              "e": 1.0, "f": 18446744073709551615,
                                              "g": -9223372036854775808,
                                              "h": 18446744073709551616}),
    "details_unicode": variant(entry, details={"s": "\u0000\u2028\udbff\udfff 李"}),
    "details_duplicate_keys": None,
    "time_seconds_only": variant(entry, time="2024-03-12T14:00:00Z"),
    "time_year_9999": variant(entry, time="9999-12-31T23:59:59.999Z"),
    "interview_zero": variant(entry, interview=0),
    "from_bad": variant(entry, **{"from": "Pending"}),
}
for name, value in ecases.items():
    if value is not None:
        put("action_entry_json", name, dumps(value))
put("action_entry_json", "details_duplicate_keys", dumps(entry)[:-2] + ',"error":"again"}}')
put("action_entry_json", "details_deep",
    dumps(entry).replace('"details":{', '"details":{"deep":' + "[" * DEEP + "]" * DEEP + ","))

# --- webhook_verify: secret \n id \n timestamp \n signature header \n body ---------------------
NOW = 1700000000


def sign(secret_bytes, msg_id, ts, body):
    mac = hmac.new(secret_bytes, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


raw = b"0123456789abcdef0123456789abcdef"
whsec = "whsec_" + base64.b64encode(raw).decode()
body = dumps({"type": "interview_scheduled", "id": "msg_abc"}).encode()
good = sign(raw, "msg_abc", NOW, body)


def hook(secret, msg_id, ts, header, payload):
    if isinstance(secret, str):
        secret = secret.encode()
    return b"\n".join([secret, msg_id.encode(), str(ts).encode(), header.encode(), payload])


put("webhook_verify", "valid_whsec", hook(whsec, "msg_abc", NOW, good, body))
put("webhook_verify", "valid_raw_secret", hook(raw, "msg_abc", NOW, good, body))
put("webhook_verify", "valid_among_several",
    hook(whsec, "msg_abc", NOW, "v1,AAAA v2,xyz " + good + " v1,", body))
put("webhook_verify", "stale", hook(whsec, "msg_abc", NOW - 301, sign(raw, "msg_abc", NOW - 301, body), body))
put("webhook_verify", "future", hook(whsec, "msg_abc", NOW + 301, sign(raw, "msg_abc", NOW + 301, body), body))
put("webhook_verify", "tampered_body", hook(whsec, "msg_abc", NOW, good, body + b" "))
put("webhook_verify", "bad_base64_secret", hook("whsec_!!!!", "msg_abc", NOW, good, body))
# Open bug (tests/fuzz/open/): unbase64 in webhook_notifier.cpp underflows on "whsec_====".
put_open = lambda name, data: put(os.path.join("..", "open", "webhook_verify"), name, data)
put_open("padding_only_secret", hook("whsec_====", "msg_abc", NOW, good, body))
put("webhook_verify", "short_padding_secret", hook("whsec_A===", "msg_abc", NOW, good, body))
put("webhook_verify", "unpadded_secret", hook("whsec_MDEy", "msg_abc", NOW, good, body))
put("webhook_verify", "whitespace_secret", hook("whsec_    ", "msg_abc", NOW, good, body))
put("webhook_verify", "empty_whsec", hook("whsec_", "msg_abc", NOW, good, body))
put("webhook_verify", "timestamp_13_digits", hook(whsec, "msg_abc", "1" * 13, good, body))
put("webhook_verify", "timestamp_12_nines", hook(whsec, "msg_abc", "9" * 12, good, body))
put("webhook_verify", "timestamp_sign", hook(whsec, "msg_abc", f"+{NOW}", good, body))
put_open("timestamp_control", hook(whsec, "msg_abc", "\x1b[31m", good, body))
put("webhook_verify", "empty_header", hook(whsec, "msg_abc", NOW, "", body))
put("webhook_verify", "spaces_header", hook(whsec, "msg_abc", NOW, "   ", body))
put("webhook_verify", "invalid_utf8_body", hook(whsec, "msg_abc", NOW, good, INVALID_UTF8))
put("webhook_verify", "empty", b"")

# --- retry_after ------------------------------------------------------------------------------
for name, text in {
    "delta": "120",
    "delta_zero": "0",
    "delta_9_digits": "999999999",
    "delta_10_digits": "9999999999",
    "delta_padded": " \t 30\r\n",
    "delta_negative": "-5",
    "delta_float": "1.5",
    "imf_fixdate": "Sun, 06 Nov 1994 08:49:37 GMT",
    "imf_fixdate_future": "Wed, 21 Oct 2026 07:28:00 GMT",
    "leap_second": "Sat, 31 Dec 2016 23:59:60 GMT",
    "rfc850": "Sunday, 06-Nov-94 08:49:37 GMT",
    "asctime": "Sun Nov  6 08:49:37 1994",
    "no_gmt": "Sun, 06 Nov 1994 08:49:37",
    "other_zone": "Sun, 06 Nov 1994 08:49:37 PST",
    "negative_time": "Sun, 06 Nov 1994 -1:-1:-1 GMT",
    "negative_year": "Sun, 06 Nov -999 08:49:37 GMT",
    "bad_month": "Sun, 06 Foo 1994 08:49:37 GMT",
    "month_substring": "Sun, 06 anF 1994 08:49:37 GMT",
    "feb_30": "Sun, 30 Feb 1994 08:49:37 GMT",
    "trailing_garbage": "Sun, 06 Nov 1994 08:49:37 GMTxyz",
    "empty": "",
    "spaces": "   ",
}.items():
    put("retry_after", name, text)
put("retry_after", "nul", b"12\x000")
put("retry_after", "invalid_utf8", b"Sun, 06 N\xffv 1994 08:49:37 GMT")
