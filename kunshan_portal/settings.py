"""Settings for Kunshan Portal, read from the environment.

Defaults make `make run` work on a laptop: SQLite under var/, tasks run in-process,
e-mail written to var/mail. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS and the EMAIL_* variables (see .env.example).
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_choice, env_int, env_list, env_required, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# bench/pages.py only: adds /__bench/floor/, a bare view through the whole middleware stack (never in production).
BENCH_FLOOR = env_bool("BENCH_FLOOR", False)

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DEBUG 关闭时必须设置环境变量 SECRET_KEY。")
    SECRET_KEY = "django-insecure-local-development-only-kunshan-portal"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "accounts",
    "events",
    "cases",
    "similarity",
    "reviews",
    "notifications",
    "awards",
    "evaluations",
    "insights",
    "workspace",  # 评选活动工作台: the top of the import graph, after the domain apps it reads and writes
    "kunshan_portal",  # the deployment's own parts: health checks, backup and restore commands
]

MIDDLEWARE = [
    "kunshan_portal.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kunshan_portal.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kunshan_portal.middleware.PrivateCacheControlMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kunshan_portal.urls"

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
                "accounts.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "kunshan_portal.wsgi.application"

# --- Database ---------------------------------------------------------------
_database_url = env_url("DATABASE_URL", ("sqlite", "postgres", "postgresql", "pgsql"))
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    # DB_POOL=1: psycopg's connection pool inside each process (Django 5.1+) instead of one persistent
    # connection per thread; each process holds DB_POOL_MIN..DB_POOL_MAX connections (mind PostgreSQL's
    # max_connections across all gunicorn and Celery processes). Django requires CONN_MAX_AGE=0 with it.
    if env_bool("DB_POOL", False):
        if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("DB_POOL=1 只适用于 PostgreSQL。")
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DB_POOL_MIN", 2),
            "max_size": env_int("DB_POOL_MAX", 10),
            "timeout": env_int("DB_POOL_TIMEOUT", 10),
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ------------------------------------------------
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
# A hung Redis must not hang every page (nor /readyz): connecting and each command give up after seconds.
REDIS_SOCKET_TIMEOUT = env_int("REDIS_SOCKET_TIMEOUT", 2)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_SOCKET_TIMEOUT, "socket_timeout": REDIS_SOCKET_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker the portal runs every task in-process, as the laptop default.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a request when Redis is down: fail fast, let the caller decide.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    # An unacknowledged task (worker killed mid-task) is handed out again after this many seconds.
    # Longer than the longest retry countdown (600 s), so a waiting retry is not delivered twice.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
}
# Publishing is tried once: with Redis hung (not refusing), a request waits at most socket_timeout (2 s).
# The outbox makes a retry here unnecessary: the beat flush queues the e-mail again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Short intervals for the integration tests (seconds); production uses the schedule below.
_BEAT_SECONDS = env_int("NOTIFICATIONS_BEAT_SECONDS", 0)
# /readyz (kunshan_portal/health.py): a worker heartbeat every HEALTH_HEARTBEAT_SECONDS, stale after
# HEALTH_WORKER_MAX_AGE_SECONDS; each network check gives up after HEALTH_TIMEOUT_SECONDS.
HEALTH_HEARTBEAT_SECONDS = env_int("HEALTH_HEARTBEAT_SECONDS", 60)
HEALTH_WORKER_MAX_AGE_SECONDS = env_int("HEALTH_WORKER_MAX_AGE_SECONDS", 5 * 60)
HEALTH_TIMEOUT_SECONDS = env_int("HEALTH_TIMEOUT_SECONDS", 1)
if HEALTH_WORKER_MAX_AGE_SECONDS < 2 * HEALTH_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("HEALTH_WORKER_MAX_AGE_SECONDS 必须至少是 HEALTH_HEARTBEAT_SECONDS 的两倍。")
# The one place the periodic jobs are declared; later issues add their entries here.
CELERY_BEAT_SCHEDULE: dict = {
    # Due deadline reminders, every 15 minutes (notifications/services.py: reminders_send_due).
    "notifications-send-due-reminders": {
        "task": "notifications.send_due_reminders",
        "schedule": _BEAT_SECONDS or crontab(minute="*/15"),
    },
    # E-mails whose queuing failed (Redis down) or whose worker died are queued again, every minute.
    "notifications-flush-outbox": {"task": "notifications.flush_outbox", "schedule": _BEAT_SECONDS or 60.0},
    # Background jobs (exports) that never started are queued again; those whose worker stopped beating are
    # resumed or failed, every minute (notifications/jobs.py: jobs_sweep).
    "notifications-sweep-jobs": {"task": "notifications.sweep_jobs", "schedule": _BEAT_SECONDS or 60.0},
    # Evaluation stages that opened get a record per winning project, every 15 minutes (evaluations/services.py).
    "evaluations-open-due-stages": {
        "task": "evaluations.open_due_stages",
        "schedule": _BEAT_SECONDS or crontab(minute="*/15"),
    },
    # Proves to /readyz that beat and at least one worker run (kunshan_portal/health.py). A beat older than a
    # minute is dropped, not run late.
    "health-worker-heartbeat": {
        "task": "kunshan_portal.worker_heartbeat",
        "schedule": float(HEALTH_HEARTBEAT_SECONDS),
        "options": {"expires": HEALTH_HEARTBEAT_SECONDS},
    },
}
# A running background job writes a heartbeat this often; one silent for JOBS_STALE_SECONDS is presumed dead
# (its worker was killed) and resumed, at most JOBS_MAX_ATTEMPTS runs in all, then failed with the reason.
# Public pages (home, campaign, 公示, results, festival, calendar, certificate check) are served to anonymous
# visitors from the cache for this long at most (kunshan_portal.public_cache); 0 turns the cache off.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 60)
JOBS_HEARTBEAT_SECONDS = env_int("JOBS_HEARTBEAT_SECONDS", 20)
JOBS_STALE_SECONDS = env_int("JOBS_STALE_SECONDS", 180)
JOBS_MAX_ATTEMPTS = env_int("JOBS_MAX_ATTEMPTS", 3)
if JOBS_STALE_SECONDS < 2 * JOBS_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("JOBS_STALE_SECONDS 必须至少是 JOBS_HEARTBEAT_SECONDS 的两倍。")

# --- Auth and accounts --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.ChineseMinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.LettersAndDigitsValidator"},
]

# Idle timeout: every request renews the cookie, so 30 minutes without one logs out.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
# Where sessions live: "db" (the default), "cached_db" (read from the Redis cache, written through to the
# database: survives a Redis restart; the production choice) or "cache" (Redis only: a Redis restart logs
# everyone out).
_SESSION_STORES = {
    "db": "django.contrib.sessions.backends.db",
    "cached_db": "django.contrib.sessions.backends.cached_db",
    "cache": "django.contrib.sessions.backends.cache",
}
_session_store = env_str("SESSION_STORE", "db")
if _session_store not in _SESSION_STORES:
    raise ImproperlyConfigured(f"环境变量 SESSION_STORE={_session_store!r} 应为 db、cached_db 或 cache。")
if _session_store != "db" and not REDIS_URL:
    raise ImproperlyConfigured("SESSION_STORE 为 cached_db 或 cache 时必须设置 REDIS_URL。")
SESSION_ENGINE = _SESSION_STORES[_session_store]

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
# Lock the account, not the address: a whole organisation often shares one office IP,
# and five typos by one social worker must not lock out colleagues. Hence W006 is silenced.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
# The client's address behind nginx (django-ipware, which axes uses when installed; the audit log
# and the per-address limits below read the same one). PROXY_COUNT proxies sit in front; each
# appends the address it received from to PROXY_CLIENT_IP_HEADER, so the client is the entry
# PROXY_COUNT from the right. A header with more or fewer entries than that (a spoofed one, an
# unexpected hop) is not trusted: the address is then the proxy's own (REMOTE_ADDR).
PROXY_COUNT = env_int("PROXY_COUNT", 0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured("环境变量 PROXY_COUNT 不能为负数。")
PROXY_CLIENT_IP_HEADER = env_str("PROXY_CLIENT_IP_HEADER", "X-Forwarded-For")
if PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_" + PROXY_CLIENT_IP_HEADER.upper().replace("-", "_"), "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1  # ipware counts the proxies listed in the header
    AXES_IPWARE_PROXY_ORDER = "left-most"
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    AXES_IPWARE_PROXY_COUNT = None
IPWARE_STRICT = True
# A password spray (a few tries at many accounts from one address) is stopped per address:
# generous enough for a whole office behind one IP, well under a 20-account spray.
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 15)
LOGIN_IP_WINDOW_MINUTES = env_int("LOGIN_IP_WINDOW_MINUTES", 15)
# Sign-ups and password-reset requests (each sends an e-mail) per address per hour.
ACCOUNT_EMAIL_IP_LIMIT = env_int("ACCOUNT_EMAIL_IP_LIMIT", 30)

# --- Language, time -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Every file the portal keeps (uploads, blind copies, thumbnails, exports, certificates) goes through the
# default storage, chosen here: the local file system under MEDIA_ROOT (the laptop default), or an
# S3-compatible object store (Aliyun OSS, Tencent COS, Huawei OBS, MinIO …) that every web process and worker
# on every machine shares. Files are private either way: downloads are streamed through the portal's views
# after their permission checks, never linked to the store.
STORAGE_BACKEND = env_choice("STORAGE_BACKEND", "local", ("local", "s3"))
if STORAGE_BACKEND == "s3":
    _s3_needs = "STORAGE_BACKEND=s3"
    _s3_options = {
        "bucket_name": env_required("S3_BUCKET", _s3_needs),
        "endpoint_url": env_url("S3_ENDPOINT_URL", ("http", "https")),  # unset: AWS itself
        "region_name": env_str("S3_REGION", "") or None,
        "access_key": env_required("S3_ACCESS_KEY_ID", _s3_needs),
        "secret_key": env_required("S3_SECRET_ACCESS_KEY", _s3_needs),
        "location": env_str("S3_PREFIX", ""),  # a folder inside the bucket, when the bucket is shared
        "addressing_style": env_choice("S3_ADDRESSING_STYLE", "path", ("path", "virtual")),  # OSS/COS: virtual
        "default_acl": None,  # the bucket's own (private) policy
        "querystring_auth": True,
        # Like the file system: a second upload under a taken name gets a new name instead of replacing it.
        "file_overwrite": False,
    }
    from botocore.config import Config as _BotoConfig

    # An unreachable store answers within seconds (a page, a worker and /readyz fail fast instead of hanging
    # for botocore's 60-second default); standard retries ride over a brief hiccup.
    _s3_options["client_config"] = _BotoConfig(
        connect_timeout=env_int("S3_CONNECT_TIMEOUT", 3),
        read_timeout=env_int("S3_READ_TIMEOUT", 30),
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": _s3_options["addressing_style"]},
    )
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Limits on what users type and upload (issue 15) --------------------------------
# A hard maximum per body section (正文章节), well above the 10,000 characters the notice advises for the
# whole body; the privacy check and the Word export stay fast below it.
CASE_SECTION_MAX_CHARS = env_int("CASE_SECTION_MAX_CHARS", 30_000)
# Any other free text (opinions, reasons, replies, notes).
LONG_TEXT_MAX_CHARS = env_int("LONG_TEXT_MAX_CHARS", 10_000)
# The body of a request without its files: six full sections, percent-encoded (a Chinese character is
# 9 bytes as %E4%B8%AD), and the rest of the form. Files are not counted here (see UPLOAD_MAX_REQUEST_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", max(2_621_440, 6 * CASE_SECTION_MAX_CHARS * 9 + 512 * 1024)
)
# The whole request, files included: five photos and an attachment of 20 MB each, and the form.
UPLOAD_MAX_REQUEST_BYTES = env_int("UPLOAD_MAX_REQUEST_BYTES", 130 * 1024 * 1024)
# An image with more pixels than this is refused from its header, before it is decoded.
UPLOAD_MAX_IMAGE_PIXELS = env_int("UPLOAD_MAX_IMAGE_PIXELS", 25_000_000)
# A DOCX (a ZIP) may unpack to at most this many bytes, and no entry may be compressed more than this ratio.
UPLOAD_MAX_UNPACKED_BYTES = env_int("UPLOAD_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
UPLOAD_MAX_COMPRESSION_RATIO = env_int("UPLOAD_MAX_COMPRESSION_RATIO", 100)
# Anonymous uploads (objection evidence): at most this many files per client IP per hour.
ANONYMOUS_UPLOADS_PER_HOUR = env_int("ANONYMOUS_UPLOADS_PER_HOUR", 20)
FILE_UPLOAD_PERMISSIONS = 0o640

# --- E-mail -----------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS 与 EMAIL_USE_SSL 不能同时开启。")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "昆山社工案例评选门户 <noreply@kunshan-portal.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production values come with DEBUG off) -------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer probes the web processes over plain http on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): no script but the portal's own files, none inline and no
# eval, so an injected <script> or on* attribute does nothing. Styles keep 'unsafe-inline' because
# templates (progress bars, table widths, the e-mail preview) and the admin use style attributes.
# No frame-ancestors: X-Frame-Options keeps pages out of frames, except the e-mail preview that
# the portal frames itself (xframe_options_sameorigin).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
SESSION_COOKIE_HTTPONLY = True

# --- Portal ---------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The portal's identity is a site setting staff edit on a page (kunshan_portal.models.SiteSettings); these four
# are its initial values, read until the page is first saved. PORTAL_BASE_URL is deployment: it stays here.
PORTAL_NAME = env_str("PORTAL_NAME", "昆山社工案例评选门户")
PORTAL_ORGANISER = env_str("PORTAL_ORGANISER", "昆山市民政局")
PORTAL_ORGANISER_CONTACT = env_str("PORTAL_ORGANISER_CONTACT", "联系电话：0512-57503000")
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# 区镇: the districts an organisation may belong to; a comma-separated list overrides them.
PORTAL_DISTRICTS = env_list(
    "PORTAL_DISTRICTS",
    [
        "玉山镇",
        "巴城镇",
        "周市镇",
        "陆家镇",
        "花桥经济开发区",
        "张浦镇",
        "周庄镇",
        "千灯镇",
        "锦溪镇",
        "淀山湖镇",
        "昆山开发区",
        "昆山高新区",
        "市属",
    ],
)

# Reminders: nothing is sent between these times (Asia/Shanghai); "" switches quiet hours off.
NOTIFICATIONS_QUIET_HOURS = env_str("NOTIFICATIONS_QUIET_HOURS", "21:00-08:00")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "kunshan_portal.views.csrf_failure"
