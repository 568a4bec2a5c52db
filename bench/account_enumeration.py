"""Time sign-up and password reset for a registered and an unregistered e-mail: the two must not
be told apart by how long the answer takes (issue 15, item 9).

    DEBUG=1 VAR_DIR=/tmp/kp-bench-var python bench/account_enumeration.py --runs 40
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kp_bench python bench/account_enumeration.py

Uses the production password hasher (PBKDF2) and the real views through Django's test client,
with e-mail sent to memory and tasks run in-process. Prints median and p90 in milliseconds.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("VAR_DIR", "/tmp/kp-bench-var")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("LOGIN_IP_FAILURE_LIMIT", "1000000")
os.environ.setdefault("ACCOUNT_EMAIL_IP_LIMIT", "1000000")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    from django.core import mail
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import Membership, Organisation, User

    setup_test_environment()
    User.objects.filter(email__endswith="@bench.example").delete()
    organisation, _ = Organisation.objects.get_or_create(
        credit_code="91320583MA1N00000X",
        defaults={"name": "基准测试社工机构", "district": "玉山镇", "status": Organisation.Status.APPROVED},
    )
    owner = User.objects.create_user(email="owner@bench.example", password="Kunshan2026abc", name="张敏")
    Membership.objects.create(user=owner, organisation=organisation)
    client = Client()

    def signup(email):
        return client.post(
            "/accounts/signup/",
            {
                "email": email,
                "name": "赵新",
                "phone": "13912345678",
                "password1": "Kunshan2026abc",
                "password2": "Kunshan2026abc",
                "organisation": organisation.pk,
            },
        )

    def reset(email):
        return client.post("/accounts/password/reset/", {"email": email})

    timings = {key: [] for key in ("signup registered", "signup new", "reset registered", "reset unknown")}
    shuffle = random.Random(15)
    for i in range(args.runs):
        calls = [
            ("signup registered", lambda: signup("owner@bench.example")),
            ("signup new", lambda i=i: signup(f"new{i}@bench.example")),
            ("reset registered", lambda: reset("owner@bench.example")),
            ("reset unknown", lambda i=i: reset(f"nobody{i}@bench.example")),
        ]
        shuffle.shuffle(calls)  # no order effect (a warm cache, the previous request's garbage)
        for key, call in calls:
            started = time.perf_counter()
            response = call()
            timings[key].append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 302), (key, response.status_code)
        mail.outbox.clear()
    for key, values in timings.items():
        values.sort()
        p90 = values[int(len(values) * 0.9) - 1]
        print(f"{key:18} median {statistics.median(values):7.1f} ms   p90 {p90:7.1f} ms   (n={len(values)})")


if __name__ == "__main__":
    main()
