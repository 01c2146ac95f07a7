"""Settings of the Django project used by test/clients/orm_django.py: one PostgreSQL
database on the test cluster, named by VR_DJANGO_DB, over TLS with verify-full."""
import os

SECRET_KEY = "vecrbac-client-tests-only"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["django.contrib.postgres", "items"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["VR_DJANGO_DB"],
        "USER": "postgres",
        "HOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PORT": os.environ["PGPORT"],
        "OPTIONS": {"sslmode": "verify-full", "sslrootcert": os.environ["PGSSLROOTCERT"]},
    }
}
