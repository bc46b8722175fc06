"""Schemathesis hooks: make positive test cases for POST /api/v1/incidents realistic.

Schema-valid bodies get a real, active org unit and a time in the past, so that most of them
are stored (201) and the write path is fuzzed, not only the validation path. Negative cases
are left untouched.
"""
import json
import os
import urllib.request

import schemathesis
from schemathesis import GenerationMode

BASE = os.environ.get("TILLBUD_URL", "http://127.0.0.1:18080")
_units = None


def _unit_ids():
    global _units
    if _units is None:
        with urllib.request.urlopen(f"{BASE}/api/v1/org-units") as resp:
            _units = [u["id"] for u in json.load(resp)["items"]]
    return _units


@schemathesis.hook
def map_case(context, case):
    op = context.operation
    if op is None or op.method.upper() != "POST" or not op.path.endswith("/incidents"):
        return case
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return case
    if isinstance(case.body, dict):
        ids = _unit_ids()
        body = dict(case.body)
        body["org_unit_id"] = ids[len(json.dumps(case.body, sort_keys=True, default=str)) % len(ids)]
        body["occurred_at"] = "2026-01-15T08:30:00Z"
        case.body = body
    return case
