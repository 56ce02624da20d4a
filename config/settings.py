"""MerchantOps settings: one module, every deployment difference comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The default key only serves the embedded demo; `check --deploy` flags it (security.W009).
SECRET_KEY = env("SECRET_KEY", default="django-insecure-merchantops-embedded-demo-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Behind TLS termination: one switch turns on every HTTPS protection.
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "axes",
    "core",
    "merchants",
    "onboarding",
    "profiles",
    "credit",
    "training",
    "marketing",
    "orders",
    "logistics",
    "complaints",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.ApiErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.staff_roles",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    # In tests the replica is the primary itself, so replica reads see test data.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
# Apps whose models are read from the replica when one is configured.
REPLICA_READ_APPS = ("analytics",)
USES_REAL_SERVICES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# Covering indexes (credit scoring, PostgreSQL) are plain indexes on the embedded SQLite: nothing to warn about.
SILENCED_SYSTEM_CHECKS = [] if USES_REAL_SERVICES else ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery ------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Embedded mode: no broker, tasks run in-process when they are enqueued.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "review", "scoring", "reports")]
CELERY_TASK_ROUTES = {
    "onboarding.tasks.*": {"queue": "review"},
    "credit.tasks.*": {"queue": "scoring"},
    "analytics.tasks.*": {"queue": "reports"},
}
# Every task is idempotent (STYLE rule 5), so a task is acknowledged only once it has run.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task must finish well inside the broker's visibility timeout, or Redis would hand it out twice.
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=1800)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = {
    "purge-idempotency-keys": {
        "task": "core.tasks.idempotency_keys_purge",
        "schedule": timedelta(hours=1),
    },
    "retry-webhook-deliveries": {
        "task": "core.tasks.webhook_deliveries_retry_due",
        "schedule": timedelta(seconds=30),
    },
    "flag-review-sla-breaches": {
        "task": "onboarding.tasks.review_sla_breaches_flag",
        "schedule": timedelta(minutes=15),
    },
    "complaint-sla-clocks": {
        "task": "complaints.tasks.complaints_check_deadlines",
        "schedule": timedelta(minutes=5),
    },
    "complaint-rate-alerts": {
        "task": "complaints.tasks.complaint_rate_alerts_send",
        "schedule": timedelta(days=1),
    },
    "flag-change-request-sla-breaches": {
        "task": "profiles.tasks.change_request_sla_breaches_flag",
        "schedule": timedelta(minutes=15),
    },
    "document-expiry-daily": {
        "task": "profiles.tasks.document_expiry_daily",
        "schedule": crontab(hour=6, minute=0),
    },
    "detect-shipment-exceptions": {
        "task": "logistics.tasks.shipment_exceptions_detect",
        "schedule": timedelta(minutes=env.int("LOGISTICS_EXCEPTION_SWEEP_MINUTES", default=30)),
    },
    "score-merchants-nightly": {
        "task": "credit.tasks.merchants_score_all",
        "schedule": crontab(hour=2, minute=0),
    },
    "measure-carrier-quality": {
        "task": "logistics.tasks.carrier_quality_refresh",
        "schedule": timedelta(hours=24),
    },
    "detect-fake-orders-nightly": {
        "task": "credit.tasks.suspicion_flags_detect",
        "schedule": crontab(hour=3, minute=30),
    },
}
# A shipment with no tracking event for this long is flagged as stalled.
LOGISTICS_STALL_HOURS = env.int("LOGISTICS_STALL_HOURS", default=48)
# Credit: an order delivered, a complaint upheld or a violation decided rescores the merchant once per burst,
# this many seconds after the first event (a task on the `scoring` queue); off, the nightly run catches up.
CREDIT_RESCORE_ON_EVENTS = env.bool("CREDIT_RESCORE_ON_EVENTS", default=True)
CREDIT_RESCORE_DEBOUNCE_SECONDS = env.int("CREDIT_RESCORE_DEBOUNCE_SECONDS", default=300)
# The nightly run scores at least this many merchants per task (each task passes over the tables once).
CREDIT_SCORING_RANGE_SIZE = env.int("CREDIT_SCORING_RANGE_SIZE", default=50_000)
# Fake-order detection (credit.services.detection): when a pattern is unusual enough to flag for review.
CREDIT_DETECTION = {
    # One buyer's orders at one merchant on one day: at least this many, and this multiple of the usual rate.
    "repeat_buyer_min_orders": env.int("DETECTION_REPEAT_BUYER_MIN_ORDERS", default=5),
    "repeat_buyer_min_multiple": env.float("DETECTION_REPEAT_BUYER_MIN_MULTIPLE", default=3.0),
    # Deliveries on one day with a shipment but no tracking event, or delivered this soon after shipping.
    "untracked_min_orders": env.int("DETECTION_UNTRACKED_MIN_ORDERS", default=3),
    "fast_delivery_hours": env.float("DETECTION_FAST_DELIVERY_HOURS", default=2.0),
    # Five-star reviews of one merchant on one day: at least this many, and this multiple of the usual rate.
    "review_burst_min_reviews": env.int("DETECTION_REVIEW_BURST_MIN_REVIEWS", default=5),
    "review_burst_min_multiple": env.float("DETECTION_REVIEW_BURST_MIN_MULTIPLE", default=3.0),
    # Reviews of at least this score written before their order was delivered, on one day.
    "review_before_delivery_min_reviews": env.int("DETECTION_REVIEW_BEFORE_DELIVERY_MIN_REVIEWS", default=3),
    "review_before_delivery_min_score": env.int("DETECTION_REVIEW_BEFORE_DELIVERY_MIN_SCORE", default=4),
    # The usual rates are measured over this many days before the day examined.
    "baseline_days": env.int("DETECTION_BASELINE_DAYS", default=30),
}
# Peer comparison (staff credit insights): below this many scored peers in its category, a merchant is
# compared with all merchants.
CREDIT_PEER_GROUP_MIN = env.int("CREDIT_PEER_GROUP_MIN", default=5)

# --- Authentication, lockout, passwords ------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = "CNY"

# --- Static files, e-mail, logging -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded documents live under MEDIA_ROOT, or in S3-compatible object storage once a bucket is named
# (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the instance role). They are never served
# publicly: the portal streams each file to the people allowed to see it.
S3_BUCKET = env.str("S3_BUCKET", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "location": env.str("S3_LOCATION", default="media"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MerchantOps <noreply@merchantops.local>")
# Links in e-mails point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": env.str("AXES_LOG_LEVEL", default="ERROR")}},
}

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "core.errors.ExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "core.errors.ExceptionFormatter",
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "409", "415", "422", "429", "500"],
    "ERROR_SCHEMAS": {
        "401": "core.errors.ErrorResponse401",
        "403": "core.errors.ErrorResponse403",
        "404": "core.errors.ErrorResponse404",
        "405": "core.errors.ErrorResponse405",
        "409": "core.errors.ErrorResponse409",
        "415": "core.errors.ErrorResponse415",
        "422": "core.errors.ErrorResponse422",
        "429": "core.errors.ErrorResponse429",
        "500": "core.errors.ErrorResponse500",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MerchantOps API",
    "DESCRIPTION": "The marketplace operator's merchant lifecycle API: onboarding, merchant information, "
    "credit, orders, logistics and complaints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served from the drf-spectacular-sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ParseErrorCodeEnum": "drf_standardized_errors.openapi_serializers.ParseErrorCodeEnum.choices",
        "OrderStatusEnum": "orders.choices.OrderStatus",
        "ReturnStatusEnum": "orders.choices.ReturnStatus",
        "ReturnTypeEnum": "orders.choices.ReturnType",
        "WebhookDeliveryStatusEnum": "core.models.DeliveryStatus",
        "RejectionReasonEnum": "onboarding.choices.RejectionReason",
        "DocumentTypeEnum": "onboarding.choices.DocumentType",
        "ComplaintStatusEnum": "complaints.choices.ComplaintStatus",
        "ComplaintOutcomeEnum": "complaints.choices.Outcome",
        "DisputeOutcomeEnum": "complaints.choices.DisputeOutcome",
        "ProposalAnswerEnum": "complaints.choices.Answer",
        "ShipmentStatusEnum": "logistics.choices.ShipmentStatus",
        "TrackingEventCodeEnum": "logistics.choices.EventCode",
        "ShipmentExceptionKindEnum": "logistics.choices.ExceptionKind",
        "ShipmentExceptionStatusEnum": "logistics.choices.ExceptionStatus",
        "CostKindEnum": "logistics.choices.CostKind",
        "CostSourceEnum": "logistics.choices.CostSource",
        "ExternalRecordSourceEnum": "credit.choices.RecordSource",
        "ExternalRecordKindEnum": "credit.choices.RecordKind",
        "CreditConsequenceKindEnum": "credit.choices.ConsequenceKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
    ],
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "ApiKeyAuth": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "Partner key: `Api-Key <key>`",
            }
        }
    },
}

# --- Sensitive fields ------------------------------------------------------------------------
# Fernet keys, newest first; make one with
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
# Without them the embedded demo derives one from SECRET_KEY; `check --deploy` warns about that.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default="")
if not FIELD_ENCRYPTION_KEYS:
    from core.crypto import derive_key

    FIELD_ENCRYPTION_KEYS = [derive_key(SECRET_KEY, "fields").decode()]
    FIELD_ENCRYPTION_KEYS_DERIVED = True
else:
    FIELD_ENCRYPTION_KEYS_DERIVED = False
BLIND_INDEX_KEY = BLIND_INDEX_KEY or derive_key(SECRET_KEY, "blind-index").decode()

# --- Idempotency -----------------------------------------------------------------------------
IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=48))

# --- Outbound webhooks (see core/webhooks.py): 13 attempts over about 26 hours by default --------
# Off in production: partner URLs may not point into private networks (see core/outbound.py).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=5)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=60)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=13)

# --- Buyer order lookup: unauthenticated, so rate limited per client address -----------------
ORDER_LOOKUP_RATE = env.str("ORDER_LOOKUP_RATE", default="20/min")

# core refers to the merchant model by this name only, so core depends on no app.
MERCHANT_MODEL = "merchants.Merchant"

# The trained complaint classifier (`python manage.py complaint_classifier train`); rules alone without it.
COMPLAINT_CLASSIFIER_PATH = env.path(
    "COMPLAINT_CLASSIFIER_PATH", default=BASE_DIR / "var" / "complaint_classifier.joblib"
)
# --- Onboarding and review -------------------------------------------------------------------
# First decision due this many working days (Monday to Friday, in TIME_ZONE) after a submission.
REVIEW_SLA_WORKING_DAYS = env.int("REVIEW_SLA_WORKING_DAYS", default=2)
# Merchant information change requests are decided within this many working days.
PROFILE_CHANGE_SLA_WORKING_DAYS = env.int("PROFILE_CHANGE_SLA_WORKING_DAYS", default=2)
# Uploaded documents: PDF, JPEG or PNG by content, at most this many bytes; images at most this many pixels.
ONBOARDING_UPLOAD_MAX_BYTES = env.int("ONBOARDING_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_IMAGE_MAX_PIXELS = env.int("UPLOAD_IMAGE_MAX_PIXELS", default=40_000_000)
# A document expiring within this many days is flagged by the automatic checks.
ONBOARDING_EXPIRY_WARNING_DAYS = env.int("ONBOARDING_EXPIRY_WARNING_DAYS", default=30)

# Complaint evidence and dispute documents: PDF, JPEG or PNG by content, at most this size.
COMPLAINT_UPLOAD_MAX_BYTES = env.int("COMPLAINT_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)

# --- Violations ------------------------------------------------------------------------------
# The points ladder: points over a rolling 12 months that escalate the measure automatically, as
# "points:measure[:days]" steps, comma-separated (measure: trading_restriction, suspension or termination;
# a termination has no days). Default: 12 → restriction 7 days, 24 → suspension 14 days, 36 → suspension
# 21 days, 48 → termination.
VIOLATION_POINT_LADDER = env.str(
    "VIOLATION_POINT_LADDER", default="12:trading_restriction:7,24:suspension:14,36:suspension:21,48:termination"
)
# The merchant may appeal a decided violation for this many days.
VIOLATION_APPEAL_DAYS = env.int("VIOLATION_APPEAL_DAYS", default=7)
CELERY_BEAT_SCHEDULE["violations-sweep"] = {
    # Lifts expired violation measures and closes decided violations whose appeal window passed unused.
    "task": "credit.tasks.violations_sweep",
    "schedule": timedelta(minutes=env.int("VIOLATION_SWEEP_MINUTES", default=15)),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        # Complaints keep their enum's name now that violations have a `category` too.
        "CategoryEnum": "complaints.choices.Category",
        "ViolationCategoryEnum": "credit.choices.ViolationCategory",
        "ViolationStatusEnum": "credit.choices.ViolationStatus",
        "ViolationMeasureEnum": "credit.choices.Measure",
        "ViolationSeverityEnum": "credit.choices.Severity",
        "ExternalRecordSeverityEnum": "credit.choices.RecordSeverity",
    }
)
