#!/usr/bin/env python3
"""The hiring example's command line: `manage.py runserver`, `manage.py run_dispatcher`,
`manage.py test` (run with Debian's /usr/bin/python3, the module built for it on PYTHONPATH)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hiring_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
