"""Settings from the environment: production refuses to start without a secret, and the
documented production environment passes Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _run(env_overrides, *args):
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests allow async-unsafe ORM calls; a deployment never would.
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def no_dotenv(tmp_path):
    """Hide a developer's .env so the subprocess sees only the environment we give it."""
    dotenv = ROOT / ".env"
    hidden = tmp_path / "dotenv"
    if dotenv.exists():
        dotenv.rename(hidden)
    yield
    if hidden.exists():
        hidden.rename(dotenv)


def test_production_refuses_to_start_without_secret_key(no_dotenv):
    result = _run({"DEBUG": "false"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_checklist_is_clean_with_production_settings(no_dotenv):
    result = _run(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x7" * 30 + "-production-like-secret",
            "ALLOWED_HOSTS": "wardwork.example.gov.vn",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_safe_defaults():
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is True
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.AUTH_USER_MODEL == "wardwork.User"


@pytest.mark.django_db
def test_responses_carry_the_security_headers(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
