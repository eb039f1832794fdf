"""Schemathesis hooks for the API contract run (scripts/schemathesis.sh).

Signs every generated request in as one dedicated administrator, the way the site does: with the
session cookie that `POST /api/auth/login` sets (the CSRF header it needs, `X-Requested-With`, is a
documented parameter, so schemathesis sends it itself). scripts/schemathesis.sh makes the account
with `taskboard create-user` and names it by SCHEMATHESIS_EMAIL and SCHEMATHESIS_PASSWORD; the
stack is at SCHEMATHESIS_URL.

The operations that could end the run's own identity stay in the run:
- sign-out and sign-out everywhere end the session: the next request answers 401, and
  schemathesis' reactive re-authentication (`retry_on=[401]`) signs in again and replays it;
- a password change is sent with the real current password (a made-up one is a 422), and when it
  answers 204 the new password is the one the next sign-in uses (the session itself stays);
- deactivating oneself, or withdrawing one's own administration, is refused by the API (409 `self`).

Two things the generator cannot know are supplied for valid (positive) requests only, so that a
valid request is accepted, as the contract says; invalid ones are left as generated:
- the 10,000 most common passwords are refused (422), a rule no schema keyword can state: a valid
  request that happens to carry one is not sent;
- a task's assignee must be a member of its project (else 422 on `assignee_id`): a valid request
  assigns the run's own account, a member of every project it creates.
"""

import os
import pathlib
import threading

import requests
import schemathesis
from schemathesis import GenerationMode

BASE_URL = os.environ["SCHEMATHESIS_URL"].rstrip("/")
EMAIL = os.environ["SCHEMATHESIS_EMAIL"]
# The cookie's name over plain HTTP (over HTTPS it is `__Host-taskboard_session`).
COOKIE = "taskboard_session"
ROOT = pathlib.Path(__file__).resolve().parents[2]
COMMON_PASSWORDS = {
    line
    for line in (ROOT / "functions/login/src/common-passwords.txt").read_text().splitlines()
    if line and not line.startswith("#")
}
# The request fields that hold a new password (NewPassword in docs/openapi.json).
NEW_PASSWORD_FIELDS = {
    "signup": "password",
    "resetPassword": "password",
    "changePassword": "new_password",
    "acceptInvitation": "password",
}


class Account:
    """The run's account: its password (changed by a successful password change) and its id."""

    lock = threading.Lock()
    password = os.environ["SCHEMATHESIS_PASSWORD"]
    user_id = None


def sign_in() -> str:
    """A new session of the run's account; raises when sign-in fails."""
    with Account.lock:
        password = Account.password
    response = requests.post(
        f"{BASE_URL}/api/auth/login",
        json={"email": EMAIL, "password": password},
        # Sign-in is a state-changing request: the CSRF guard wants this header (csrf.rs).
        headers={"X-Requested-With": "schemathesis"},
        timeout=30,
    )
    if response.status_code != 200:
        raise RuntimeError(f"sign-in answered {response.status_code}: {response.text[:300]}")
    token = response.cookies.get(COOKIE)
    if not token:
        raise RuntimeError(f"sign-in set no {COOKIE} cookie")
    Account.user_id = response.json()["id"]
    return token


@schemathesis.auth(retry_on=[401])
class Session:
    """The session cookie of the run's account; a 401 signs in again and replays the request."""

    def get(self, case, context):
        return sign_in()

    def set(self, case, data, context):
        case.cookies = dict(case.cookies or {})
        case.cookies[COOKIE] = data


def positive_body(case) -> bool:
    meta = case.meta
    return (
        meta is not None
        and isinstance(case.body, dict)
        and not any(component.mode == GenerationMode.NEGATIVE for component in meta.components.values())
    )


@schemathesis.hook
def filter_case(context, case):
    """Leave out valid requests carrying a common password: the API refuses them (422)."""
    field = NEW_PASSWORD_FIELDS.get(case.operation.definition.raw.get("operationId"))
    if field is None or not positive_body(case):
        return True
    password = case.body.get(field)
    return not (isinstance(password, str) and password.lower() in COMMON_PASSWORDS)


@schemathesis.hook
def before_call(context, case, kwargs):
    operation = case.operation.definition.raw.get("operationId")
    body = case.body
    if not isinstance(body, dict):
        return
    if operation in ("createTask", "updateTask") and positive_body(case):
        if isinstance(body.get("assignee_id"), str) and Account.user_id is not None:
            body["assignee_id"] = Account.user_id
    if operation == "changePassword":
        current = body.get("current_password")
        # Only a well-formed current password is replaced, so an invalid one is still tested.
        if isinstance(current, str) and 1 <= len(current) <= 1024:
            with Account.lock:
                body["current_password"] = Account.password


@schemathesis.hook
def after_call(context, case, response):
    if (
        case.operation.definition.raw.get("operationId") == "changePassword"
        and response.status_code == 204
        and isinstance(case.body, dict)
    ):
        with Account.lock:
            Account.password = case.body["new_password"]
