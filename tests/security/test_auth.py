"""Authentication: argon2id, login throttling and lockout, no enumeration, cookies, sessions, password life cycle."""
from __future__ import annotations

import re
import statistics
import time

import pytest
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD, AuthActions, make_app
from tests.security.conftest import csrf_of


def _strict_app(backend, template_url, **overrides):
    import uuid

    url = backend.copy(template_url, "a" + uuid.uuid4().hex[:8])
    return make_app(url, **{"login_rate_per_ip": "1000 per minute", "login_ip_max_failures": 1000, **overrides})


def _login_page_text(client, location: str) -> str:
    """What the login page shows for a redirect target (rendered by the router callback)."""
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    body = {"output": "..page-content.children...navbar.children...page-meta.data..",
            "outputs": [{"id": "page-content", "property": "children"}, {"id": "navbar", "property": "children"},
                        {"id": "page-meta", "property": "data"}],
            "inputs": [{"id": "url", "property": "pathname", "value": parts.path},
                       {"id": "url", "property": "search", "value": "?" + parts.query}],
            "changedPropIds": ["url.pathname"], "state": []}
    response = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_of(client)})
    return response.get_data(as_text=True)


# -- passwords ----------------------------------------------------------------------------------
def test_passwords_are_argon2id_with_strong_parameters(app, db_session):
    from argon2 import extract_parameters

    from auth.passwords import hash_password, verify_password
    from data.models import User

    stored = db_session.scalar(select(User.password_hash).where(User.username == "cliente"))
    assert stored.startswith("$argon2id$")
    params = extract_parameters(stored)
    # OWASP minimum for argon2id: m >= 19 MiB with t >= 2 (we use the library default 64 MiB, t=3).
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2 and params.parallelism >= 1
    assert DEMO_PASSWORD not in stored
    fresh = hash_password("UnaClaveNueva123")
    assert fresh != hash_password("UnaClaveNueva123")  # salted
    assert verify_password(fresh, "UnaClaveNueva123") and not verify_password(fresh, "UnaClaveNueva124")


# -- no enumeration ------------------------------------------------------------------------------
def test_unknown_user_and_wrong_password_get_identical_answers_and_work(app, monkeypatch):
    import auth.passwords

    calls = []
    real = auth.passwords._hasher

    class Spy:
        def verify(self, stored, password):
            calls.append(stored)
            return real.verify(stored, password)

    monkeypatch.setattr(auth.passwords, "_hasher", Spy())
    answers = []
    for username in ("no-existe-nadie", "cliente"):
        calls.clear()
        actions = AuthActions(app.test_client())
        response = actions.login(username, "ClaveIncorrecta99")
        answers.append((response.status_code, response.headers["Location"], response.get_data()))
        assert len(calls) == 1, "each path must do exactly one argon2 verification"
    assert answers[0] == answers[1]


def test_unknown_user_and_wrong_password_take_comparable_time(app):
    """Both paths are dominated by one argon2 verification (generous bound: robust on a busy machine)."""
    client = AuthActions(app.test_client())
    token = client.csrf()
    timings = {"unknown": [], "wrong": []}
    for i in range(8):
        for kind, username in (("unknown", f"fantasma{i}"), ("wrong", "cliente_eg")):
            start = time.perf_counter()
            client.client.post("/auth/login", data={"username": username, "password": f"Mala{i}clave",
                                                     "csrf_token": token})
            timings[kind].append(time.perf_counter() - start)
        if i == 3:  # stay below the account lockout of cliente_eg
            app.extensions["ra_login_throttle"].unlock("cliente_eg")
    unknown, wrong = statistics.median(timings["unknown"]), statistics.median(timings["wrong"])
    assert 0.5 < unknown / wrong < 2.0, f"median unknown {unknown:.4f}s vs wrong password {wrong:.4f}s"


# -- throttling and lockout ----------------------------------------------------------------------
def test_account_lockout_after_failures_with_spanish_message_even_for_right_password(backend, template_url):
    app = _strict_app(backend, template_url, login_max_failures=3, login_lockout_minutes=15)
    actions = AuthActions(app.test_client())
    for _ in range(3):
        assert actions.login("cliente", "Equivocada123").headers["Location"] == "/login?error=1"
    locked = actions.login("cliente")  # right password, but the account is locked
    assert locked.headers["Location"].startswith("/login?error=bloqueo&min=15")
    text = _login_page_text(actions.client, locked.headers["Location"])
    assert "bloqueado temporalmente" in text and "15 minutos" in text
    # Same treatment for a name that does not exist (no enumeration through the lockout).
    for _ in range(3):
        actions.login("nadie-existe", "Equivocada123")
    assert actions.login("nadie-existe", "Equivocada123").headers["Location"].startswith("/login?error=bloqueo")
    # Another account is not affected.
    assert actions.login("cliente2").headers["Location"] == "/"
    app.extensions["db"].engine.dispose()


def test_lockout_expires_with_the_clock(backend, template_url):
    app = _strict_app(backend, template_url, login_max_failures=2, login_lockout_minutes=10)
    throttle = app.extensions["ra_login_throttle"]
    now = [1_000_000.0]
    throttle.clock = lambda: now[0]
    actions = AuthActions(app.test_client())
    for _ in range(2):
        actions.login("sec", "Equivocada123")
    assert "error=bloqueo" in actions.login("sec").headers["Location"]
    now[0] += 9 * 60
    assert "error=bloqueo&min=1" in actions.login("sec").headers["Location"]
    now[0] += 61
    assert actions.login("sec").headers["Location"] == "/"
    app.extensions["db"].engine.dispose()


def test_lockout_per_address(backend, template_url):
    app = _strict_app(backend, template_url, login_max_failures=100, login_ip_max_failures=4)
    actions = AuthActions(app.test_client())
    for i in range(4):
        actions.login(f"usuario{i}", "Equivocada123")
    assert "error=bloqueo" in actions.login("publico").headers["Location"]
    other = AuthActions(app.test_client())
    other.client.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert other.login("publico").headers["Location"] == "/"
    app.extensions["db"].engine.dispose()


def test_login_request_rate_per_address(backend, template_url):
    app = _strict_app(backend, template_url, login_rate_per_ip="5 per minute")
    actions = AuthActions(app.test_client())
    token = actions.csrf()
    answers = [actions.client.post("/auth/login", data={"username": "x", "password": "y", "csrf_token": token})
               .headers["Location"] for _ in range(7)]
    assert answers[:5] == ["/login?error=1"] * 5
    assert answers[5:] == ["/login?error=limite"] * 2
    assert "Demasiadas solicitudes" in _login_page_text(actions.client, answers[-1])
    app.extensions["db"].engine.dispose()


def test_throttle_uses_redis_when_configured_and_survives_redis_failure(backend, template_url):
    import uuid

    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001
        pytest.skip("Redis no disponible en 127.0.0.1:6379")
    app = _strict_app(backend, template_url, redis_url="redis://127.0.0.1:6379/15", login_max_failures=2)
    throttle = app.extensions["ra_login_throttle"]
    assert type(throttle.store).__name__ == "RedisStore"
    name = "redis-" + uuid.uuid4().hex[:8]
    actions = AuthActions(app.test_client())
    for _ in range(2):
        actions.login(name, "Equivocada123")
    # A second app instance (another worker) sees the same lockout through Redis.
    other_app = _strict_app(backend, template_url, redis_url="redis://127.0.0.1:6379/15", login_max_failures=2)
    assert "error=bloqueo" in AuthActions(other_app.test_client()).login(name, "x").headers["Location"]
    throttle.unlock(name)
    # Redis breaks at run time: logins keep working and failures are still counted in memory.
    throttle.store._redis = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    assert actions.login("publico").headers["Location"] == "/"
    for _ in range(2):
        actions.login(name, "Equivocada123")
    assert "error=bloqueo" in actions.login(name, "x").headers["Location"]
    for a in (app, other_app):
        a.extensions["db"].engine.dispose()


# -- cookies and sessions ------------------------------------------------------------------------
def _session_cookie_header(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("ra_session="))


def test_session_cookie_flags_and_secure_behind_tls(backend, template_url):
    plain = _strict_app(backend, template_url)
    header = _session_cookie_header(AuthActions(plain.test_client()).login("publico"))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    tls = _strict_app(backend, template_url, behind_tls=True)
    client = tls.test_client()
    actions = AuthActions(client)
    client.get("/login", base_url="https://localhost")
    with client.session_transaction(base_url="https://localhost") as sess:
        token = sess["csrf"]
    response = client.post("/auth/login", base_url="https://localhost",
                           data={"username": "publico", "password": DEMO_PASSWORD, "csrf_token": token})
    header = _session_cookie_header(response)
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    csrf_cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("_csrf_token=")) \
        if any(h.startswith("_csrf_token=") for h in response.headers.getlist("Set-Cookie")) else None
    if csrf_cookie:
        assert "Secure" in csrf_cookie
    assert actions  # the TLS app answered through the same guard
    for a in (plain, tls):
        a.extensions["db"].engine.dispose()


def test_new_session_identifier_at_login(shared_app):
    client = shared_app.test_client()
    actions = AuthActions(client)
    client.get("/login")
    before = client.get_cookie("ra_session").value
    with client.session_transaction() as sess:
        planted_csrf = sess["csrf"]
        sess["planted"] = "attacker"
    actions.login("publico")
    after = client.get_cookie("ra_session").value
    assert before != after
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess["csrf"] != planted_csrf


def test_idle_and_absolute_timeouts_with_a_controllable_clock(app, monkeypatch):
    import datetime as dt

    import auth.session

    start = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.timezone.utc)
    now = [start]
    monkeypatch.setattr(auth.session, "utcnow", lambda: now[0])
    actions = AuthActions(app.test_client())
    actions.login("sec")
    settings = app.extensions["ra_settings"]
    # Activity every (idle - 1) minutes keeps the session alive ...
    for _ in range(3):
        now[0] += dt.timedelta(minutes=settings.session_idle_minutes - 1)
        assert actions.client.get("/cuenta").status_code == 200
    # ... but more than the idle timeout without activity ends it, with the "expirada" notice.
    now[0] += dt.timedelta(minutes=settings.session_idle_minutes + 1)
    expired = actions.client.get("/cuenta")
    assert expired.status_code == 302 and "expirada=1" in expired.headers["Location"]
    # Absolute timeout: even with steady activity the session ends after session_absolute_hours.
    actions.login("sec")
    login_time = now[0]
    while now[0] - login_time < dt.timedelta(hours=settings.session_absolute_hours) - dt.timedelta(minutes=20):
        now[0] += dt.timedelta(minutes=20)
        assert actions.client.get("/cuenta").status_code == 200
    now[0] += dt.timedelta(minutes=25)
    assert actions.client.get("/cuenta").status_code == 302


# -- password life cycle -------------------------------------------------------------------------
def test_operator_reset_forces_change_and_blocks_everything_else(app):
    from data.models import User

    runner = app.test_cli_runner()
    victim = AuthActions(app.test_client())
    victim.login("cliente")
    assert victim.client.get("/cuenta").status_code == 200
    result = runner.invoke(args=["user", "reset-password", "cliente"])
    assert result.exit_code == 0, result.output
    temporary = re.search(r"Nueva clave temporal de cliente: (\S+)", result.output).group(1)
    # Existing sessions end (session version bumped).
    assert victim.client.get("/cuenta").status_code == 302
    assert victim.login("cliente").headers["Location"] == "/login?error=1"  # old password gone
    first = victim.login("cliente", temporary)
    assert first.headers["Location"] == "/cuenta?msg=forzada"
    client = victim.client
    # Only the account page, the password form, logout and static assets are reachable.
    assert client.get("/cuenta").status_code == 200
    assert client.get("/assets/10_app.css").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    for path in ("/", "/red/distribuidoras"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"] == "/cuenta?msg=forzada"
    api = client.get("/api/v1/vistas/distribuidoras")
    assert api.status_code == 403 and "cambiar la clave" in api.get_json()["error"]
    assert client.get("/reportes/distribuidoras.csv?tabla=empresas").status_code == 403
    router = victim.callback("..page-content.children...navbar.children...page-meta.data..",
                             [{"id": "url", "property": "pathname", "value": "/red/distribuidoras"},
                              {"id": "url", "property": "search", "value": ""}])
    assert router.status_code == 403
    account = victim.callback("..page-content.children...navbar.children...page-meta.data..",
                              [{"id": "url", "property": "pathname", "value": "/cuenta"},
                               {"id": "url", "property": "search", "value": "?msg=forzada"}])
    assert account.status_code == 200 and "Debe cambiar la clave" in account.get_data(as_text=True)
    # Changing the password lifts the block.
    changed = client.post("/auth/password", data={"csrf_token": csrf_of(client), "current": temporary,
                                                  "new": "MiClaveNueva2027", "new2": "MiClaveNueva2027"})
    assert changed.headers["Location"] == "/cuenta?msg=ok"
    assert client.get("/red/distribuidoras").status_code == 200
    with app.extensions["db"].session() as s:
        assert s.scalar(select(User.must_change_password).where(User.username == "cliente")) is False


def test_user_create_command_issues_credentials_that_must_be_changed(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "create", "nuevo_sec", "--role", "sec", "--email", "nuevo@sec.cl"])
    assert result.exit_code == 0, result.output
    initial = re.search(r"Clave inicial: (\S+)", result.output).group(1)
    assert AuthActions(app.test_client()).login("nuevo_sec", initial).headers["Location"] == "/cuenta?msg=forzada"
    unknown = runner.invoke(args=["user", "reset-password", "no-existe"])
    assert unknown.exit_code != 0 and "no encontrado" in unknown.output


def test_reset_password_command_lifts_a_lockout(backend, template_url):
    app = _strict_app(backend, template_url, login_max_failures=2)
    actions = AuthActions(app.test_client())
    for _ in range(2):
        actions.login("operador_dea", "Equivocada123")
    result = app.test_cli_runner().invoke(args=["user", "reset-password", "operador_dea"])
    temporary = re.search(r"Nueva clave temporal de operador_dea: (\S+)", result.output).group(1)
    assert actions.login("operador_dea", temporary).headers["Location"] == "/cuenta?msg=forzada"
    app.extensions["db"].engine.dispose()


def test_user_changes_own_password_and_other_sessions_end(app):
    first, second = AuthActions(app.test_client()), AuthActions(app.test_client())
    first.login("publico")
    second.login("publico")
    client = first.client
    wrong = client.post("/auth/password", data={"csrf_token": csrf_of(client), "current": "NoEsLaClave1",
                                                "new": "OtraClave2027x", "new2": "OtraClave2027x"})
    assert wrong.headers["Location"] == "/cuenta?msg=actual"
    no_csrf = client.post("/auth/password", data={"current": DEMO_PASSWORD, "new": "OtraClave2027x",
                                                  "new2": "OtraClave2027x"})
    assert no_csrf.headers["Location"] == "/cuenta?msg=csrf"
    ok = client.post("/auth/password", data={"csrf_token": csrf_of(client), "current": DEMO_PASSWORD,
                                             "new": "OtraClave2027x", "new2": "OtraClave2027x"})
    assert ok.headers["Location"] == "/cuenta?msg=ok"
    assert client.get("/cuenta").status_code == 200  # this session continues
    assert second.client.get("/cuenta").status_code == 302  # the other one ended


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example", "https://evil.example/", "/\t/evil.example",
                                    "javascript:alert(1)"])
def test_login_never_redirects_off_site(shared_app, target):
    actions = AuthActions(shared_app.test_client())
    token = actions.csrf()
    response = actions.client.post("/auth/login", data={"username": "publico", "password": DEMO_PASSWORD,
                                                        "csrf_token": token, "next": target})
    assert response.headers["Location"] == "/"
