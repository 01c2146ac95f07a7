#!/usr/bin/python3
"""manage.py: the Django project of test/clients/orm_django.py (settings in vrsite/settings.py)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vrsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
