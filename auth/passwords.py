"""Argon2id password hashing and the password policy."""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# A real hash to verify against when the user does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


class PasswordPolicyError(ValueError):
    """A password that does not meet the policy."""


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; always does the same work whether or not ``stored_hash`` exists."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_policy(password: str, username: str = "") -> None:
    """At least 10 characters with letters and digits, not containing the username."""
    if len(password or "") < 10:
        raise PasswordPolicyError("La clave debe tener al menos 10 caracteres.")
    if len(password) > 128:
        raise PasswordPolicyError("La clave no puede superar 128 caracteres.")
    if not re.search(r"[A-Za-zÁÉÍÓÚáéíóúÑñ]", password) or not re.search(r"\d", password):
        raise PasswordPolicyError("La clave debe combinar letras y números.")
    if username and username.lower() in password.lower():
        raise PasswordPolicyError("La clave no puede contener el nombre de usuario.")
