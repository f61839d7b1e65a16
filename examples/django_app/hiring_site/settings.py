"""Settings of the hiring example: Django keeps its own tables (the interviews this app
made) in SQLite; interviewkit keeps interviews, their outbox and the action log in a SQLite
file of its own. Both live in HIRING_DATA_DIR (default: ./data). SMTP comes from the
environment so the same settings serve a local relay and the tests' loopback server."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("HIRING_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates files, not directories

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "hiring-example-not-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = ["hiring"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "hiring_site.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {},
}]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "django.sqlite3"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

# interviewkit: where the interviews live and how invitations are sent.
INTERVIEWKIT_DB = DATA_DIR / "interviews.db"
INTERVIEWKIT_CHANNEL = "email"
INTERVIEWKIT_SMTP_URL = os.environ.get("HIRING_SMTP_URL", "smtp://127.0.0.1:25")
INTERVIEWKIT_SMTP_STARTTLS = os.environ.get("HIRING_SMTP_STARTTLS", "if_offered")
INTERVIEWKIT_FROM = os.environ.get("HIRING_FROM", "interviews@example.com")
# The right-hand side of Message-IDs and invite UIDs: a domain the site controls.
INTERVIEWKIT_MESSAGE_ID_DOMAIN = os.environ.get("HIRING_MESSAGE_ID_DOMAIN", "mail.example.com")
INTERVIEWKIT_MEETING_BASE_URL = "https://meet.example.com/"
