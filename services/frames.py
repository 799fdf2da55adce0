"""Query results as pandas frames, built column-wise (several times faster than from a list of Rows)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session


def query_frame(session: Session, stmt) -> pd.DataFrame:
    """The rows of ``stmt`` as a DataFrame with the statement's column labels (empty frame keeps them)."""
    result = session.execute(stmt)
    keys = list(result.keys())
    rows = result.fetchall()
    if not rows:
        return pd.DataFrame(columns=keys)
    return pd.DataFrame(dict(zip(keys, zip(*rows))))
