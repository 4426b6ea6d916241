"""`azwa serve`: the engine as an HTTP service for case-management systems in any language
(docs/http.md). `create_app(settings)` in workflow/http/app.py builds it."""
