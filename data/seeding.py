"""Seed a database with the generated demo network and the demo accounts."""
from __future__ import annotations

import datetime as dt
import time
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.db import Database
from data.models import DistributionCompany
from data.seed.generator import generate
from data.seed.profiles import get_profile
from data.seed.writer import write_frames


def is_empty(db: Database) -> bool:
    """True when no company has been loaded yet."""
    with db.session() as session:
        return (session.scalar(select(func.count()).select_from(DistributionCompany)) or 0) == 0


def seed(db: Database, profile_name: str = "demo", seed_value: int = 42, as_of: dt.date | None = None,
         progress: Callable[[str], None] | None = None, demo_accounts: bool = True,
         bar: bool = False) -> dict[str, int]:
    """Generate and load the dataset in one transaction; returns row counts per table.

    ``progress`` receives phase messages; ``bar`` also draws a progress bar of rows loaded (stderr).
    """
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    frames = generate(get_profile(profile_name), seed_value, as_of, progress=lambda m: say(f"generando {m}"))
    say(f"generado en {time.perf_counter() - started:.1f} s; cargando")
    # One transaction for everything (network, clients and accounts): a load killed halfway
    # leaves the database exactly as it was.
    with db.engine.begin() as conn, _LoadProgress(sum(map(len, frames.values())), say, bar) as loading:
        counts = write_frames(conn, frames, progress=loading)
        if demo_accounts:
            from services.users import create_demo_accounts

            with Session(bind=conn) as session:
                created = create_demo_accounts(session)
                session.flush()
            counts["users"] = len(created)
    with db.session() as session:
        from realtime.seed import seed_realtime  # OSINERGMIN real-time demo companies (issue 6)

        # Real-time history ends "now" for the live demo; an explicit as_of anchors it (deterministic seeds).
        anchor = None if as_of is None else dt.datetime.combine(as_of, dt.time(12), dt.timezone.utc)
        counts.update(seed_realtime(session, anchor))
    say(f"listo en {time.perf_counter() - started:.1f} s")
    return counts


class _LoadProgress:
    """Rows-loaded progress: a tqdm bar when asked, else one message per table and phase."""

    def __init__(self, total: int, say: Callable[[str], None], bar: bool):
        self.say, self.label, self.bar = say, None, None
        if bar:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=" filas", unit_scale=True, desc="cargando", dynamic_ncols=True)

    def __enter__(self):
        return self

    def __call__(self, label: str, rows: int) -> None:
        if self.bar is not None:
            self.bar.update(rows)
            self.bar.set_description_str(label[:40])
        elif label != self.label:
            self.say(f"cargando {label}")
        self.label = label

    def __exit__(self, *_exc) -> None:
        if self.bar is not None:
            self.bar.close()


def demo_session_factory(db: Database) -> Callable[[], Session]:
    """Session factory (for commands)."""
    return db.sessionmaker
