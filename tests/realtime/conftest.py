"""Fixtures for the real-time module: two test companies with opposite state encodings, brokers."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from tests.realtime.helpers import SYSTEM_BROKER, OwnBroker, broker_up, build_companies


@pytest.fixture
def companies(db_session):
    """The two test companies, registered in the per-test database."""
    return build_companies(db_session)


@pytest.fixture
def system_broker():
    """The machine's Mosquitto at 127.0.0.1:1883 (skipped with a reason when absent)."""
    if not broker_up(*SYSTEM_BROKER):
        pytest.skip("Mosquitto no está disponible en 127.0.0.1:1883")
    return "mqtt://%s:%d" % SYSTEM_BROKER


@pytest.fixture
def topic_root():
    """A topic root of our own so parallel runs on the shared broker never mix."""
    return "cso-t" + uuid.uuid4().hex[:8]


@pytest.fixture
def own_broker(tmp_path):
    """A private broker on a free port (killed at the end)."""
    if not (shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists()):
        pytest.skip("mosquitto no está instalado")
    broker = OwnBroker(tmp_path)
    broker.start()
    yield broker
    broker.stop()
