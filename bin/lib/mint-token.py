#!/usr/bin/env python3
"""Mints an HS256 bearer token for Orderflow's API from the HMAC secret in ORDERFLOW_AUTH_HMAC_SECRET.

    bin/lib/mint-token.py SUBJECT [--operator] [--hours H] [--audience A] [--issuer I]

Used by the load tools (bin/benchmark, bin/loadtest, bin/container-smoke) that start the service in production
mode with a secret of their own; a shop's tokens come from its identity provider (bin/lib/list-benchmark.py mints
thousands at once through token()). Standard library only, so the tools need nothing installed. The secret is
read from the environment, never from the command line (ps shows that).
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(secret: str, subject: str, operator: bool = False, hours: float = 12, audience: str = "orderflow",
          issuer: str = None) -> str:
    """An HS256 token for subject, signed with secret (which the caller has checked)."""
    now = int(time.time())
    claims = {"sub": subject, "aud": audience, "iat": now, "exp": now + int(hours * 3600)}
    if issuer:
        claims["iss"] = issuer
    if operator:
        claims["roles"] = ["operator"]
    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


def default_audience() -> str:
    return os.environ.get("ORDERFLOW_AUTH_AUDIENCE", "orderflow").split(",")[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("subject")
    parser.add_argument("--operator", action="store_true", help="add the operator role")
    parser.add_argument("--hours", type=float, default=12)
    parser.add_argument("--audience", default=default_audience())
    parser.add_argument("--issuer", default=os.environ.get("ORDERFLOW_AUTH_ISSUER"))
    args = parser.parse_args()
    secret = os.environ.get("ORDERFLOW_AUTH_HMAC_SECRET", "")
    if len(secret) < 32:
        print("error: set ORDERFLOW_AUTH_HMAC_SECRET (at least 32 characters)", file=sys.stderr)
        return 2
    print(token(secret, args.subject, args.operator, args.hours, args.audience, args.issuer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
