"""JSON web services under /api/v1: one registry feeds the routes, their policies and the OpenAPI document."""
