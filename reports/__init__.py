"""Print, PDF, CSV and JSON of every view, from one ``Report`` built by the view's service.

A view is a function ``build(session, actor, **params) -> Report`` registered with
``reports.views.view``. The same Report renders the Dash page (``components.report_view``),
the PDF (``reports.pdf``), each table's CSV (``reports.csvexport``) and the JSON twin
(``/api/v1/vistas/<name>``): one truth per view.
"""
