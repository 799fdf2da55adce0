"""Authentication (sessions, passwords, captcha) and the single authorization mechanism."""
