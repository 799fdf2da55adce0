"""Fixtures of the network-profile tests: a read-only session on the shared seeded database."""
from __future__ import annotations

import pytest

from auth.scope import Actor

PUBLIC = Actor(user_id=None, username="publico", role="public")


@pytest.fixture
def ro_session(shared_app):
    """A session on the shared, read-only tiny database."""
    session = shared_app.extensions["db"].sessionmaker()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def actor():
    return PUBLIC
