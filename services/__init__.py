"""Domain services: the decisions and queries every page, API, CSV and PDF share."""
