"""Size profiles of the generator: tiny (tests), demo (``make run``) and large (benchmarks)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class CompanySpec:
    """A demo distribution company and the comunas (by official name and region CUT) it serves."""

    code: str
    name: str
    rut: str
    address: str
    phone: str
    website: str
    region_code: str
    comunas: tuple[str, ...]


COMPANIES = (
    CompanySpec("DEA", "Distribuidora Eléctrica del Aconcagua S.A.", "96512340-6",
                "Av. Valparaíso 1020, Quillota", "+56 33 231 4000", "www.dea.cl", "05",
                ("Quillota", "Calera", "La Cruz", "Hijuelas", "Nogales", "Limache", "Olmué", "Villa Alemana")),
    CompanySpec("CEM", "Compañía Eléctrica del Maule S.A.", "96876540-K",
                "1 Sur 850, Talca", "+56 71 220 5000", "www.cem.cl", "07",
                ("Talca", "Maule", "San Clemente", "Pelarco", "Constitución", "Empedrado", "San Rafael", "Pencahue")),
)


@dataclass(frozen=True)
class Profile:
    """Counts that size a generated network (ranges are inclusive min/max per parent)."""

    name: str
    comunas_per_company: int
    substations_per_comuna: tuple[int, int]
    feeders_per_substation: tuple[int, int]
    transformers_per_feeder: tuple[int, int]
    clients_per_transformer: tuple[int, int]
    mv_poles_per_transformer: tuple[int, int] = (2, 5)
    lv_poles_per_transformer: tuple[int, int] = (2, 5)
    eg_share: float = 0.035
    history_months: int = 36
    eg_history_months: int = 60
    companies: tuple[CompanySpec, ...] = field(default=COMPANIES)
    big_feeder_transformers: int = 0  # >0: the first feeder gets this many transformers


PROFILES = {
    "tiny": Profile("tiny", 2, (1, 1), (2, 2), (5, 7), (3, 6), eg_share=0.12),
    "demo": Profile("demo", 6, (1, 2), (2, 4), (14, 30), (5, 14)),
    # ~1,500 feeders, ~60,000 transformers, >=1,000,000 clients, ~500,000 poles and spans.
    "large": Profile("large", 8, (5, 7), (14, 18), (36, 44), (22, 28), mv_poles_per_transformer=(4, 7),
                     lv_poles_per_transformer=(4, 6), eg_share=0.03, big_feeder_transformers=240),
}


def get_profile(name: str, **overrides) -> Profile:
    """A named profile, optionally with explicit counts overridden."""
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ValueError(f"Perfil desconocido: {name} (use {', '.join(PROFILES)})") from None
    return replace(profile, **overrides) if overrides else profile
