#!/usr/bin/env python3
"""The peer of the calendar import benchmark: Debian's python3-caldav client reading the
same calendars the library reads, timed inside the process (interpreter start-up left out).

Usage: caldav_import.py BASE_URL PASSWORD START END USER...
For each USER, the calendar BASE_URL/USER/work/: the events of [START, END) with
python3-caldav's search (a calendar-query with a time range, expand=True: occurrences
expanded by the client when the server leaves them whole). Prints one JSON object:
{"seconds": ..., "resources": ..., "occurrences": ...}.
"""
import json
import sys
import time
from datetime import datetime, timezone

import caldav


def parse(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def main():
    base, password, start, end = sys.argv[1], sys.argv[2], parse(sys.argv[3]), parse(sys.argv[4])
    users = sys.argv[5:]
    began = time.perf_counter()
    resources = occurrences = 0
    for user in users:
        client = caldav.DAVClient(url=base, username=user, password=password)
        calendar = client.calendar(url="%s/%s/work/" % (base, user))
        found = calendar.search(start=start, end=end, event=True, expand=True)
        occurrences += len(found)
        resources += len({o.url for o in found})
    print(json.dumps({"seconds": time.perf_counter() - began, "resources": resources,
                      "occurrences": occurrences}))


if __name__ == "__main__":
    main()
