#!/usr/bin/env python3
"""Signs requests with botocore's own SigV4 signers, the independent reference the Swift signer
is tested against (Tests/InbetweenS3Tests/SigV4Tests.swift). Reads a JSON list of requests on
stdin, writes a JSON list of results on stdout.

Each request: {"method", "scheme", "host", "path" (decoded: quoted here as botocore's S3
serializer quotes keys, or "raw_path" taken as it is), "query": [[name, value], ...] (decoded),
"headers": [[name, value], ...], "body_hex", "unsigned" (S3 only: UNSIGNED-PAYLOAD),
"access_key", "secret_key", "token", "region", "service", "timestamp" (YYYYMMDDTHHMMSSZ),
"expires" (set: presign with S3SigV4QueryAuth instead)}.
Each result: {"authorization", "headers": {lower-cased name: value}} or {"url"}.
"""
import datetime
import json
import sys
from urllib.parse import quote

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials


def sign(case):
    stamp = datetime.datetime.strptime(case["timestamp"], "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda: stamp
    credentials = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    path = case["raw_path"] if "raw_path" in case else quote(case["path"], safe="/~")
    url = f"{case['scheme']}://{case['host']}{path}"
    body = bytes.fromhex(case.get("body_hex", ""))
    request = AWSRequest(method=case["method"], url=url, headers=dict(case.get("headers", [])), data=body)
    request.params = [tuple(pair) for pair in case.get("query", [])]
    if "expires" in case:
        request.params = dict(request.params)
        auth = botocore.auth.S3SigV4QueryAuth(credentials, case["service"], case["region"], expires=case["expires"])
        auth.add_auth(request)
        return {"url": request.url}
    if case["service"] == "s3":
        auth = botocore.auth.S3SigV4Auth(credentials, case["service"], case["region"])
        if case.get("unsigned"):
            request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    else:
        auth = botocore.auth.SigV4Auth(credentials, case["service"], case["region"])
    auth.add_auth(request)
    return {"authorization": request.headers["Authorization"], "headers": {k.lower(): v for k, v in request.headers.items()}}


json.dump([sign(case) for case in json.load(sys.stdin)], sys.stdout)
