"""Real-time supervision module (OSINERGMIN Res. 248-2016-OS/CD): the regulator's side (CSO).

Layers: ``naming``/``quality``/``states`` are pure codecs; ``registry`` holds companies,
installations, signals, connection forms and maintenance schedules; ``ingest`` applies the
data semantics (dedupe, quality, state mapping, negative flows, deadband, latency, LOG);
``status`` flags "Incierto"; ``availability`` computes the index and the Appendix C tests;
``retention`` rolls up and purges; ``mqtt`` and ``api/realtime.py`` are the two ingest doors;
``simulator`` plays control rooms. See docs/realtime.md.
"""
from __future__ import annotations


def init_app(app) -> None:
    """Register the ``flask realtime`` commands (the MQTT ingest is started by ``autostart``)."""
    from realtime import cli

    cli.init_app(app)


def autostart(app) -> None:
    """Start the MQTT ingest when ``settings.mqtt_url`` is set, in one process per host.

    Called for the served app only (``app:server``), never for CLI commands. gunicorn runs several
    workers; a persistent MQTT session needs exactly one subscriber with a fixed client id, so the
    worker that holds ``instance/mqtt-ingest.lock`` runs it and the others retry every few seconds
    (taking over if that worker dies).
    """
    settings = app.extensions["ra_settings"]
    if not settings.mqtt_url:
        return
    import fcntl
    import threading
    from pathlib import Path

    from realtime.mqtt import MqttIngest

    lock_path = Path(app.instance_path) / "mqtt-ingest.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)

    def _try_forever():
        handle = open(lock_path, "w")  # noqa: SIM115 - held for the life of the process
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                threading.Event().wait(5)
        ingest = MqttIngest(app.extensions["db"], settings.mqtt_url)
        app.extensions["ra_mqtt_ingest_lock"] = handle  # closing the file would release the lock
        app.extensions["ra_mqtt_ingest"] = ingest
        ingest.start()

    threading.Thread(target=_try_forever, daemon=True, name="rt-mqtt-autostart").start()
