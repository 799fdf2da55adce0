"""The outgoing change feed: the platform's own change log served as deltas in the batch format."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import ChangeLog
from exchange.entities import BY_NAME


def changes_since(session: Session, company_id: int, since: int, limit: int) -> dict:
    """Up to ``limit`` operations after cursor ``since`` and the cursor to ask for next."""
    rows = session.execute(select(ChangeLog).where(ChangeLog.company_id == company_id, ChangeLog.id > since)
                           .order_by(ChangeLog.id).limit(limit + 1)).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    operations = []
    for row in rows:
        ent = BY_NAME.get(row.entity)
        if ent is None:
            continue
        op = {"entity": row.entity, "op": row.op, "key": dict(zip(ent.key, json.loads(row.key)))}
        if row.op != "delete":
            op["data"] = row.data or {}
        operations.append(op)
    return {"since": since, "next_cursor": rows[-1].id if rows else since, "has_more": more,
            "operations": operations}


def forward_batch(page: dict, company_code: str, sequence: int, origin: str = "feed") -> dict:
    """A batch body that replays one page of the feed on another instance."""
    return {"batch_id": f"{origin}-{page['since']}-{page['next_cursor']}", "sequence": sequence,
            "company": company_code, "operations": page["operations"]}
