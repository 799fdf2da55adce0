"""Self-registration of public-profile users (Anexo 1 §2.2): validation, captcha, uniqueness, creation.

The registration only serves to track access (the spec forbids commercial use), so it stores
the four fields of fig. 3 and nothing else. Format checks run first, then the captcha, and only
then the uniqueness checks: a bot cannot probe which usernames, e-mails or RUTs exist.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.captcha import CaptchaError, verify_and_consume
from auth.passwords import PasswordPolicyError, check_policy
from data.models import User
from services.rut import RutError, normalize_rut
from services.users import create_user

USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,31}")
EMAIL_RE = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+")
FIELDS = ("username", "email", "rut", "password", "password2", "captcha")


@dataclass
class RegistrationForm:
    """What the person typed (the password fields are never echoed back)."""

    username: str = ""
    email: str = ""
    rut: str = ""
    password: str = ""
    password2: str = ""
    captcha: str = ""

    @classmethod
    def from_mapping(cls, data) -> "RegistrationForm":
        """Read and trim a submitted form (bounded lengths)."""
        get = lambda k, n: (data.get(k) or "")[:n]  # noqa: E731
        return cls(get("username", 64).strip(), get("email", 200).strip(), get("rut", 20).strip(),
                   get("password", 200), get("password2", 200), get("altcha", 4000))

    def echo(self) -> dict:
        """The values safe to show again in the form (no passwords, no captcha)."""
        return {"username": self.username, "email": self.email, "rut": self.rut}


class RegistrationError(ValueError):
    """Invalid registration: ``errors`` maps a form field to a Spanish message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _format_errors(form: RegistrationForm) -> tuple[dict[str, str], str | None]:
    errors: dict[str, str] = {}
    if not USERNAME_RE.fullmatch(form.username):
        errors["username"] = ("El nombre de usuario debe tener entre 3 y 32 caracteres: letras, números, "
                              "punto, guion o guion bajo, y comenzar con letra o número.")
    if len(form.email) > 200 or not EMAIL_RE.fullmatch(form.email):
        errors["email"] = "Ingrese un correo electrónico válido (ejemplo: nombre@dominio.cl)."
    rut = None
    if not form.rut:
        errors["rut"] = "Ingrese su RUT (ejemplo: 12.345.678-5)."
    else:
        try:
            rut = normalize_rut(form.rut)
        except RutError as exc:
            errors["rut"] = str(exc)
    try:
        check_policy(form.password, form.username)
    except PasswordPolicyError as exc:
        errors["password"] = str(exc)
    if "password" not in errors and form.password != form.password2:
        errors["password2"] = "Las claves no coinciden."
    return errors, rut


def _duplicate_errors(session: Session, form: RegistrationForm, rut: str) -> dict[str, str]:
    errors = {}
    if session.scalar(select(User.id).where(func.lower(User.username) == form.username.lower())):
        errors["username"] = "El nombre de usuario ya está registrado: elija otro o ingrese con su cuenta."
    if session.scalar(select(User.id).where(func.lower(User.email) == form.email.lower())):
        errors["email"] = "El correo ya está registrado: ingrese con su cuenta."
    if session.scalar(select(User.id).where(User.rut == rut)):
        errors["rut"] = "El RUT ya está registrado: ingrese con su cuenta."
    return errors


def register_public_user(session: Session, settings, form: RegistrationForm) -> User:
    """Create a public-profile user from a submitted form, or raise ``RegistrationError``."""
    errors, rut = _format_errors(form)
    try:
        verify_and_consume(session, settings, form.captcha)
    except CaptchaError as exc:
        errors["captcha"] = str(exc)
    if errors:
        raise RegistrationError(errors)
    errors = _duplicate_errors(session, form, rut)
    if errors:
        raise RegistrationError(errors)
    return create_user(session, form.username, form.password, "public", form.email.lower(), rut=rut)
