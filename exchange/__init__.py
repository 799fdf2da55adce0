"""Data exchange with SEC (Anexo 1 §6): interchange format, initial load, daily deltas and change feed.

See docs/interchange.md. Modules: ``entities`` (what is exchanged and its natural keys), ``schemas``
(JSON Schemas), ``codec`` (rows <-> records), ``canonical`` (company data hash), ``snapshot``
(export / read ZIP files), ``apply`` (the bulk insert/update/delete engine), ``load`` (§6.1),
``batches`` (§6.2), ``changes`` (the outgoing change feed) and ``cli``.
"""
