"""Chilean RUT parsing and formatting (check digit 0-9 or K)."""
from __future__ import annotations

import re

from stdnum.cl import rut as stdnum_rut
from stdnum.exceptions import ValidationError


class RutError(ValueError):
    """A RUT that is malformed or whose check digit does not match."""


def normalize_rut(text: str) -> str:
    """Validate a RUT given with or without dots/dash and return ``12345678-5``."""
    if not isinstance(text, str) or not re.fullmatch(r"\s*[0-9.\s]{1,12}-?\s*[0-9kK]\s*", text or ""):
        raise RutError("El RUT no tiene un formato válido (ejemplo: 12.345.678-5).")
    try:
        compact = stdnum_rut.validate(text)
    except (ValidationError, ValueError):
        raise RutError("El RUT no es válido: revise el dígito verificador.") from None
    if int(compact[:-1]) == 0:
        raise RutError("El RUT no es válido.")
    return f"{int(compact[:-1])}-{compact[-1].upper()}"


def format_rut(normalized: str) -> str:
    """``12345678-5`` -> ``12.345.678-5`` (``RutError`` for anything not normalised)."""
    if not isinstance(normalized, str) or not re.fullmatch(r"[0-9]{1,9}-[0-9K]", normalized):
        raise RutError("El RUT no está normalizado (ejemplo: 12345678-5).")
    body, dv = normalized.split("-")
    return f"{int(body):,}".replace(",", ".") + f"-{dv}"


def check_digit(body: int) -> str:
    """The check digit of a RUT body (modulo 11)."""
    if isinstance(body, bool) or not isinstance(body, int) or not 0 < body < 10**9:
        raise RutError("El cuerpo del RUT debe ser un entero positivo.")
    return stdnum_rut.calc_check_digit(str(body))


def rut_search_key(text: str) -> str:
    """Strip dots, dashes and spaces for partial RUT search (``12.345`` -> ``12345``)."""
    return re.sub(r"[^0-9kK]", "", text or "").upper()
