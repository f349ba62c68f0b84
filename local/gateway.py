"""The local API Gateway: a Flask app that turns each HTTP request into an HTTP API v2.0 event,
verifies the bearer token as the production JWT authoriser would, calls the same handler Lambda
calls, and returns its response."""

from __future__ import annotations

import base64
import time

import requests
from flask import Flask, Response, request, send_file, send_from_directory
from werkzeug.routing import PathConverter

from sheqi import auth, settings
from sheqi.errors import Unauthorized
from sheqi.rules import labels

from . import config, serverless_config
from .demo_data import IDENTITIES, inspector_tasks
from .events import http_event, request_id
from .invoke import invoke

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
SWAGGER_UI = config.ROOT / "node_modules" / "swagger-ui-dist"
DOCS_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>涉企行政检查 API 文档</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", persistAuthorization: true});</script>
</body></html>
"""


class AnyPath(PathConverter):
    """Any path, line breaks and control characters included: API Gateway routes them to the function,
    which refuses them with its own error (Werkzeug's `path` stops at a line break and answers HTML)."""

    regex = "(?s:[^/].*?)"


def create_app(log=None) -> Flask:
    """`log`, if given, is called with one line per request (the local stack prints them)."""
    app = Flask("sheqi-local-gateway")
    app.url_map.converters["anypath"] = AnyPath
    app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024  # API Gateway's own payload limit

    if log is not None:

        @app.before_request
        def _start() -> None:
            request.environ["sheqi.started"] = time.perf_counter()

        @app.after_request
        def _log(response: Response) -> Response:
            took = (time.perf_counter() - request.environ.get("sheqi.started", time.perf_counter())) * 1000
            log(f"{request.method} {request.full_path.rstrip('?')} → {response.status_code}（{took:.0f} 毫秒）")
            return response

    _pages_and_local_routes(app)

    @app.route("/openapi.json")
    def spec() -> Response:
        """The API's OpenAPI document (docs/openapi.json, which `make test` holds equal to the code)."""
        return send_from_directory(config.ROOT / "docs", "openapi.json", mimetype="application/json")

    @app.route("/docs")
    def docs() -> Response:
        return Response(DOCS_PAGE, content_type="text/html; charset=utf-8")

    @app.route("/docs/<path:name>")
    def docs_files(name: str) -> Response:
        """Swagger UI's files from the npm package swagger-ui-dist (package.json; `make run` installs it)."""
        return send_from_directory(SWAGGER_UI, name)

    @app.route("/", defaults={"path": ""}, methods=METHODS)
    @app.route("/<anypath:path>", methods=METHODS)
    def proxy(path: str) -> Response:
        """API Gateway's answer: every one, its own refusals included, carries the request's id in
        `apigw-requestid`; a function's answer also carries it as `X-Request-Id` (sheqi.edge.api)."""
        request.environ["sheqi.request_id"] = request_id()
        response = _forward("/" + path)
        response.headers["apigw-requestid"] = request.environ["sheqi.request_id"]
        return response

    def _forward(raw_path: str) -> Response:
        route, params = serverless_config.resolve(request.method, raw_path)
        if route is None:
            return Response('{"message":"Not Found"}', 404, content_type="application/json")
        claims = None
        if route.authorized:
            claims, challenge = _verified_claims(request.headers.get("Authorization", ""))
            if claims is None:
                # What API Gateway's JWT authoriser answers; the function is never called.
                return Response(
                    '{"message":"Unauthorized"}', 401, content_type="application/json", headers={"www-authenticate": challenge}
                )
        event = http_event(
            method=request.method,
            raw_path=raw_path,
            route_key=route.route_key,
            path_parameters=params,
            raw_query_string=request.query_string.decode(),
            headers=dict(request.headers),
            body=request.get_data(),
            claims=claims,
            source_ip=request.remote_addr or "127.0.0.1",
            domain=request.host,
            request=request.environ["sheqi.request_id"],
        )
        result = invoke(route.handler, route.function, event)
        body = result.get("body") or ""
        payload = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        response = Response(payload, result.get("statusCode", 200))
        for key, value in (result.get("headers") or {}).items():
            response.headers[key] = value
        for cookie in result.get("cookies") or []:
            response.headers.add("Set-Cookie", cookie)
        return response

    return app


def _pages_and_local_routes(app: Flask) -> None:
    """The static pages, and what only the local stack has: demo sign-in and the store's S3 for phones."""

    @app.route("/console/", defaults={"name": "index.html"})
    @app.route("/console/<path:name>")
    def console(name: str) -> Response:
        """The supervision console's static files (in production they are served from object storage)."""
        return send_from_directory(config.ROOT / "console", name)

    @app.route("/phone/", defaults={"name": "index.html"})
    @app.route("/phone/<path:name>")
    def phone(name: str) -> Response:
        """The phone pages (in production, from the console bucket too), with the files they vendor from npm."""
        if f"phone/{name}" in config.VENDORED:
            return send_file(config.ROOT / config.VENDORED[f"phone/{name}"])
        if name in ("labels.js", "config.js"):
            script = labels.script() if name == "labels.js" else 'window.SHEQI_CONFIG = {"local": true};\n'
            return Response(script, content_type="text/javascript; charset=utf-8", headers={"Cache-Control": "no-cache"})
        return send_from_directory(config.ROOT / "phone", name)

    @app.get("/local/identities")
    def identities() -> Response:
        """Local only: the demo identities a phone may sign in as (production signs in at the identity provider),
        with an inspector's demo tasks, until the API lists an inspector's tasks."""
        return {
            "items": [
                {
                    "name": name,
                    "label": label,
                    "role": who.role,
                    "tasks": inspector_tasks(name) if who.role == "inspector" else [],
                }
                for name, (label, who) in IDENTITIES.items()
                if who.role in ("inspector", "enterprise")
            ]
        }

    @app.post("/local/token")
    def token() -> Response:
        """Local only: a signed token for a demo identity, as `make token NAME=...` prints."""
        name = (request.get_json(silent=True) or {}).get("name")
        if name not in IDENTITIES:
            return Response('{"message":"Not Found"}', 404, content_type="application/json")
        return {"token": auth.issue_token(IDENTITIES[name][1], config.jwt_secret())}

    @app.route(f"{config.EVIDENCE_PROXY}/<path:key>", methods=["PUT", "GET", "HEAD"])
    def evidence_store(key: str) -> Response:
        """The store's S3 at the base URL, so a phone on the LAN uploads evidence to the presigned URL it
        was given (S3_UPLOAD_ENDPOINT); in production the URL is S3's own."""
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        answer = requests.request(
            request.method,
            f"{settings.get().s3_endpoint}/{key}",
            params=request.args,
            data=request.get_data(),
            headers=headers,
            timeout=60,
        )
        hop = ("content-length", "content-encoding", "transfer-encoding", "connection")
        return Response(answer.content, answer.status_code, {k: v for k, v in answer.headers.items() if k.lower() not in hop})


# error_description per refusal. "the token has expired" and "the token does not have a valid audience"
# are API Gateway's own words (seen in its responses and its JWT troubleshooting guide); the phone
# refreshes on the first and signs in again on any other.
DESCRIPTIONS = {
    "token_expired": "the token has expired",
    "invalid_audience": "the token does not have a valid audience",
    "invalid_issuer": "the token does not have a valid issuer",
    "invalid_signature": "the token signature is invalid",
    "invalid_time_claims": "the token is missing a numeric exp or iat claim",
    "malformed_token": "the token is malformed",
}


def _verified_claims(header: str) -> tuple[dict | None, str]:
    """The token's claims, or None and the `www-authenticate` challenge API Gateway would send."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, "Bearer"  # no credentials: a bare challenge, no error code (RFC 6750 section 3.1)
    try:
        return auth.verify_token(token.strip(), config.jwt_secret()), ""
    except Unauthorized as error:
        description = DESCRIPTIONS.get(error.code, "the token is not valid")
        # Our routes ask for no authorization scopes, hence scope="".
        return None, f'Bearer scope="" error="invalid_token" error_description="{description}"'
