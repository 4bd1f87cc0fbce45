#!/usr/bin/env python3
# Weir test service: the token realm for scripts/services/registry.sh (copied from shared/docs/test-services).
"""Minimal Docker-registry token server (the "Bearer realm" of the token auth flow).

Usage: registry-token-server.py PORT KEY.pem CERT.pem ISSUER USER PASS
GET /token?service=S&scope=repository:NAME:pull,push  with HTTP basic auth USER:PASS
-> {"token": JWT, "access_token": JWT, "expires_in": 300}. The JWT is RS256-signed
by `openssl dgst` (stdlib only) and carries the cert in its x5c header; the registry
trusts it through `auth.token.rootcertbundle: CERT.pem`. Anonymous/bad creds -> 401.
Listens on 127.0.0.1 only.
"""
import base64, json, subprocess, sys, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

port, key, cert, issuer, user, pw = sys.argv[1:7]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                     check=True, capture_output=True).stdout
b64u = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(claims):
    head = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
    signing_input = f"{b64u(json.dumps(head).encode())}.{b64u(json.dumps(claims).encode())}"
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                         input=signing_input.encode(), check=True, capture_output=True).stdout
    return f"{signing_input}.{b64u(sig)}"


class H(BaseHTTPRequestHandler):
    def do_GET(self):
        q = parse_qs(urlparse(self.path).query)
        auth = self.headers.get("Authorization", "")
        ok = auth == "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()
        if not ok:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="token"')
            self.end_headers()
            return
        access = []
        for scope in q.get("scope", []):      # repository:NAME:ACTIONS (NAME may contain ':'? no)
            typ, name, actions = scope.split(":", 2) if scope.count(":") >= 2 else (scope, "", "")
            access.append({"type": typ, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        tok = jwt({"iss": issuer, "sub": user, "aud": q.get("service", [""])[0],
                   "iat": now, "nbf": now - 10, "exp": now + 300,
                   "jti": uuid.uuid4().hex, "access": access})
        body = json.dumps({"token": tok, "access_token": tok, "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


ThreadingHTTPServer(("127.0.0.1", int(port)), H).serve_forever()
