"""Text normalisation for case- and accent-insensitive search."""
from __future__ import annotations

import unicodedata


def fold_text(text: str) -> str:
    """Lower-case, strip accents and collapse spaces: ``Ñuñoa  Pérez`` -> ``nunoa perez``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
