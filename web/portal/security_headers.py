"""The headers every response carries: what a browser may run, frame, guess and remember.

The Content-Security-Policy lets the browser run only the portal's own script files: an injected
`<script>` or `onclick=` (a name typed into a form and echoed back unescaped somewhere) stays
inert. Styles may be inline because bpmn-js, form-js and htmx set them; a style cannot run code.
"""
from __future__ import annotations

from flask import Flask, request

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    # bpmn-js and Bootstrap's icons draw some images and fonts from data: URLs.
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# A page is never framed by another site (a forged click on "Hoàn thành"), nor guessed into
# another type, nor does it tell other sites which task a link came from.
PROTECTIVE_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Frame-Options": "DENY",
                      "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
# Sent only over HTTPS (browsers ignore it over HTTP): once seen, the browser refuses plain HTTP
# to this host for a year, so a network in the middle cannot strip TLS on the next visit.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def protective_headers(response):
    # setdefault: a response that set its own (a downloaded file's sandbox policy) keeps it.
    for name, value in PROTECTIVE_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def init_app(app: Flask) -> None:
    app.after_request(protective_headers)
