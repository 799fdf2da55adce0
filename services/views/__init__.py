"""View builders: one function per view returns the ``Report`` shared by page, PDF, CSV and JSON."""
