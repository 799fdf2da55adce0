"""The Content-Security-Policy does not break the app: no CSP violations on the main pages in Chromium."""
from __future__ import annotations

from tests.browser.conftest import login, shot


def _watch(page):
    """Collect CSP violations (console messages and securitypolicyviolation events) and page errors."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if "Content Security Policy" in m.text or "Refused to" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.add_init_script("""
        window.__csp = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
    """)
    return problems


def test_home_login_and_companies_work_under_the_csp(page, live_server):
    problems = _watch(page)
    page.goto(live_server.url + "/")
    page.wait_for_selector("#nav-login")
    assert "Red Abierta" in page.inner_text("main")
    page.goto(live_server.url + "/login")
    page.wait_for_selector("#login-submit")
    login(page, live_server.url, "publico")
    page.goto(live_server.url + "/red/distribuidoras")
    page.wait_for_selector("table")
    page.wait_for_timeout(1500)  # let maps and charts finish drawing
    assert page.title().startswith("Distribuidoras")  # the hashed clientside title callback ran
    shot(page, "security_csp_companies")
    violations = page.evaluate("window.__csp")
    assert not violations and not problems, f"CSP violations: {violations} {problems}"
    csp = page.evaluate("fetch('/').then(r => r.headers.get('content-security-policy'))")
    assert "script-src 'self' 'sha256-" in csp


def test_injected_inline_script_is_blocked(page, live_server):
    """The CSP actually bites: an inline script without a listed hash does not run."""
    page.goto(live_server.url + "/login")
    page.wait_for_selector("#login-submit")
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__pwned = true;'; document.body.appendChild(s); }""")
    assert page.evaluate("window.__pwned === true") is False
