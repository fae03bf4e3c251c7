"""Django settings for kefu, resolved from the environment by :mod:`kefu.config`."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import dj_database_url

from kefu.config import env_int, load_config, smtp_settings

KEFU = load_config()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = KEFU.data_dir

SECRET_KEY = KEFU.secret_key
DEBUG = KEFU.debug
ALLOWED_HOSTS = KEFU.allowed_hosts
KEFU_FIELD_KEYS = KEFU.field_keys

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "django_htmx",
    "bootstrap",
    "fontawesome",
    "kefu.core",
    "kefu.accounts",
    "kefu.audit",
    "kefu.customers",
    "kefu.tickets",
    "kefu.calendars",
    "kefu.standard",
    "kefu.notify",
    "kefu.sla",
    "kefu.complaints",
    "kefu.channels",
    "kefu.quality",
    "kefu.knowledge",
    "kefu.people",
    "kefu.assist",
]


MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kefu.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kefu.core.middleware.ServiceRefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kefu.urls"
ASGI_APPLICATION = "kefu.asgi.application"
WSGI_APPLICATION = "kefu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kefu.core.context_processors.workspace",
            ],
        },
    },
]

if KEFU.database_url:
    DATABASES = {"default": dj_database_url.parse(KEFU.database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "kefu.core.sqlite_backend",
            "NAME": str(DATA_DIR / "kefu.sqlite3"),
            "OPTIONS": {
                # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = KEFU.language
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = KEFU.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Static files are served from the installed packages by WhiteNoise, so no collectstatic step
# writes outside the data directory and an offline machine needs no CDN.
WHITENOISE_USE_FINDERS = True
# plotly's bundled JavaScript, served from the installed package as /static/plotly/plotly.min.js.
_PLOTLY = importlib.util.find_spec("plotly")
STATICFILES_DIRS = (
    [("plotly", str(Path(_PLOTLY.submodule_search_locations[0]) / "package_data"))]
    if _PLOTLY is not None and _PLOTLY.submodule_search_locations
    else []
)
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "files"
# Uploads larger than the in-memory limit are spooled inside the private data dir, never /tmp.
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
if DATA_DIR.exists():
    (DATA_DIR / "tmp").mkdir(mode=0o700, exist_ok=True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if KEFU.is_production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One cache shared by every process (portal and chat rate limits, QA insights): Redis when
# configured, else files in the data directory.
CACHES: dict[str, dict[str, Any]]
if KEFU.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": KEFU.redis_url,
            "KEY_PREFIX": "kefu",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

if KEFU.redis_url:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "kefu",
        "url": KEFU.redis_url,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "kefu",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"kefu": {"level": "INFO"}},
}

# Outgoing e-mail: KEFU_SMTP_URL = smtp://user:pass@host:587?starttls or smtps://host:465.
# Without it, mail is written as files into the data dir (kefu-data/mail) for an admin to read.
_email = smtp_settings(os.environ.get("KEFU_SMTP_URL", ""), DATA_DIR / "mail")
EMAIL_BACKEND = str(_email["EMAIL_BACKEND"])
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH")
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT", 20)

KEFU_SUPPORT_EMAIL = os.environ.get("KEFU_SUPPORT_EMAIL", "kefu@localhost")
DEFAULT_FROM_EMAIL = KEFU_SUPPORT_EMAIL

# Customer e-mail (TEC-7, SCR-5), see docs/email.md. KEFU_INBOUND_SMTP=host:port makes
# `kefu worker` listen for mail; IMAP mailboxes are configured in admin.
KEFU_INBOUND_SMTP = os.environ.get("KEFU_INBOUND_SMTP", "").strip()
KEFU_INBOUND_MAX_BYTES = env_int("KEFU_INBOUND_MAX_MB", 25) * 1024 * 1024
KEFU_EMAIL_CATEGORY = os.environ.get("KEFU_EMAIL_CATEGORY", "consult").strip()
KEFU_EMAIL_TEAM = os.environ.get("KEFU_EMAIL_TEAM", "").strip()
KEFU_CENTER_PHONE = os.environ.get("KEFU_CENTER_PHONE", "").strip()
KEFU_IMAP_TIMEOUT = env_int("KEFU_IMAP_TIMEOUT", 30)

# Product settings that belong to no service standard rule.
KEFU_TICKET_REOPEN_WINDOW_DAYS = env_int("KEFU_TICKET_REOPEN_WINDOW_DAYS", 7)
KEFU_ATTACHMENT_MAX_BYTES = env_int("KEFU_ATTACHMENT_MAX_MB", 25) * 1024 * 1024
# Knowledge-base article attachments (TEC-5), see docs/knowledge.md: documents and images, video.
KEFU_KNOWLEDGE_FILE_MAX_BYTES = env_int("KEFU_KNOWLEDGE_FILE_MAX_MB", 25) * 1024 * 1024
KEFU_KNOWLEDGE_VIDEO_MAX_BYTES = env_int("KEFU_KNOWLEDGE_VIDEO_MAX_MB", 500) * 1024 * 1024
KEFU_KNOWLEDGE_ATTACHMENTS_PER_ARTICLE = env_int("KEFU_KNOWLEDGE_ATTACHMENTS_PER_ARTICLE", 20)
KEFU_API_MAX_PAGE_SIZE = 200
KEFU_API_EXACT_COUNT_LIMIT = env_int("KEFU_API_EXACT_COUNT_LIMIT", 10_000)

# Customer notices (HND-5…7, CMP-2, CMP-4). SMS goes through an adapter; until a gateway is
# configured the logging adapter writes each SMS (number masked) to kefu-data/sms/ and the log.
KEFU_SMS_BACKEND = os.environ.get("KEFU_SMS_BACKEND", "kefu.notify.sms.LoggingSmsBackend")
KEFU_CENTER_NAME = os.environ.get("KEFU_CENTER_NAME", "客服中心")
# A message a worker took and never reported on for this long is marked "outcome unknown".
KEFU_OUTBOX_CLAIM_LEASE_SECONDS = env_int("KEFU_OUTBOX_CLAIM_LEASE_SECONDS", 600)

# Customer self-service portal (TEC-6), see docs/portal.md. Links in the messages use
# KEFU_PORTAL_BASE_URL (e.g. https://kefu.example.com), else the address the customer used.
KEFU_PORTAL_BASE_URL = os.environ.get("KEFU_PORTAL_BASE_URL", "").strip().rstrip("/")
KEFU_PORTAL_TEAM = os.environ.get("KEFU_PORTAL_TEAM", "").strip()
KEFU_PORTAL_SUBMITS_PER_HOUR = env_int("KEFU_PORTAL_SUBMITS_PER_HOUR", 10)
KEFU_PORTAL_TRACKS_PER_HOUR = env_int("KEFU_PORTAL_TRACKS_PER_HOUR", 10)
KEFU_PORTAL_SEARCHES_PER_HOUR = env_int("KEFU_PORTAL_SEARCHES_PER_HOUR", 120)
KEFU_PORTAL_REPLIES_PER_HOUR = env_int("KEFU_PORTAL_REPLIES_PER_HOUR", 30)
KEFU_PORTAL_CODES_PER_CONTACT_PER_HOUR = env_int("KEFU_PORTAL_CODES_PER_CONTACT_PER_HOUR", 5)
KEFU_PORTAL_CODE_HOURS = env_int("KEFU_PORTAL_CODE_HOURS", 24)
KEFU_PORTAL_CODE_ATTEMPTS = env_int("KEFU_PORTAL_CODE_ATTEMPTS", 5)
KEFU_PORTAL_SESSION_HOURS = env_int("KEFU_PORTAL_SESSION_HOURS", 24)

# Web chat (TEC-7, ACC-4), see docs/chat.md.
KEFU_CHAT_MAX_CONCURRENT = env_int("KEFU_CHAT_MAX_CONCURRENT", 3)
KEFU_CHAT_POLL_MS = env_int("KEFU_CHAT_POLL_MS", 400)
KEFU_CHAT_PRESENCE_TIMEOUT_SECONDS = env_int("KEFU_CHAT_PRESENCE_TIMEOUT_SECONDS", 60)
KEFU_CHAT_VISITOR_TIMEOUT_SECONDS = env_int("KEFU_CHAT_VISITOR_TIMEOUT_SECONDS", 300)
KEFU_CHAT_STARTS_PER_HOUR = env_int("KEFU_CHAT_STARTS_PER_HOUR", 30)
KEFU_CHAT_TICKET_CATEGORY = os.environ.get("KEFU_CHAT_TICKET_CATEGORY", "consult").strip()

# SMS and WeChat (TEC-7), see docs/sms-wechat.md. The HTTP gateway adapter is selected with
# KEFU_SMS_BACKEND=kefu.channels.sms_gateway.HttpGatewaySmsBackend.
KEFU_SMS_GATEWAY_URL = os.environ.get("KEFU_SMS_GATEWAY_URL", "").strip()
KEFU_SMS_GATEWAY_TOKEN = os.environ.get("KEFU_SMS_GATEWAY_TOKEN", "").strip()
KEFU_SMS_GATEWAY_AUTH_HEADER = os.environ.get("KEFU_SMS_GATEWAY_AUTH_HEADER", "Authorization")
KEFU_SMS_GATEWAY_AUTH_SCHEME = os.environ.get("KEFU_SMS_GATEWAY_AUTH_SCHEME", "Bearer").strip()
KEFU_SMS_GATEWAY_FIELDS = os.environ.get("KEFU_SMS_GATEWAY_FIELDS", "")
KEFU_SMS_GATEWAY_SUCCESS = os.environ.get("KEFU_SMS_GATEWAY_SUCCESS", "").strip()
KEFU_SMS_GATEWAY_TIMEOUT = env_int("KEFU_SMS_GATEWAY_TIMEOUT", 10)
KEFU_SMS_SIGN_NAME = os.environ.get("KEFU_SMS_SIGN_NAME", "").strip()
KEFU_SMS_SENDER_ID = os.environ.get("KEFU_SMS_SENDER_ID", "").strip()
KEFU_SMS_INBOUND_SECRET = os.environ.get("KEFU_SMS_INBOUND_SECRET", "")
KEFU_SMS_TICKET_CATEGORY = os.environ.get("KEFU_SMS_TICKET_CATEGORY", "consult").strip()
KEFU_WECHAT_TOKEN = os.environ.get("KEFU_WECHAT_TOKEN", "")
KEFU_WECHAT_APP_ID = os.environ.get("KEFU_WECHAT_APP_ID", "").strip()
KEFU_WECHAT_APP_SECRET = os.environ.get("KEFU_WECHAT_APP_SECRET", "").strip()
KEFU_WECHAT_API_BASE = os.environ.get("KEFU_WECHAT_API_BASE", "https://api.weixin.qq.com")
KEFU_WECHAT_TIMEOUT = env_int("KEFU_WECHAT_TIMEOUT", 10)
KEFU_WECHAT_REPLAY_WINDOW_SECONDS = env_int("KEFU_WECHAT_REPLAY_WINDOW_SECONDS", 300)
# Unset: a translated default acknowledgement; set to an empty value: no passive reply.
KEFU_WECHAT_ACK_TEXT = os.environ.get("KEFU_WECHAT_ACK_TEXT")
KEFU_WECHAT_TICKET_CATEGORY = os.environ.get("KEFU_WECHAT_TICKET_CATEGORY", "consult").strip()
# The teams (by name) whose queues take new SMS and WeChat tickets; empty: unrouted.
KEFU_SMS_TEAM = os.environ.get("KEFU_SMS_TEAM", "").strip()
KEFU_WECHAT_TEAM = os.environ.get("KEFU_WECHAT_TEAM", "").strip()
# A customer's SMS or WeChat message within this many hours of the last one joins the same
# conversation (contact); later, a new conversation starts.
KEFU_CONVERSATION_WINDOW_HOURS = env_int("KEFU_CONVERSATION_WINDOW_HOURS", 24)
