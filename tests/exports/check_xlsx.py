#!/usr/bin/env python3
"""The finance desk's XLSX export read with openpyxl, as a spreadsheet user's tools read it:
every number is compared with the JSON answer to the same question, and the sheet must have
its header frozen, filters on and money in a kronor format.

Usage: TILLBUD_URL=http://127.0.0.1:18481 python3 tests/exports/check_xlsx.py
(a server in demo mode: it logs in as the demo finance user)."""

import io
import json
import os
import sys
import urllib.request

from openpyxl import load_workbook

BASE = os.environ["TILLBUD_URL"].rstrip("/")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def login():
    body = json.dumps({"email": "lars.nystrom@example.se"}).encode()
    req = urllib.request.Request(
        BASE + "/api/v1/auth/demo-login",
        data=body,
        method="POST",
        headers={"content-type": "application/json", "Sec-Fetch-Site": "same-origin"},
    )
    with urllib.request.urlopen(req) as r:
        return r.headers["Set-Cookie"].split(";")[0]


def get(cookie, path):
    req = urllib.request.Request(BASE + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(req) as r:
        return r.read(), r.headers.get("content-type", "")


def expected_rows(trend):
    labels = {g["key"]: g["label"] for g in trend["groups"]}
    rows = []
    for p in trend["points"]:
        def row(group, v):
            return (p["period"], group, v["cost_ore"], v["recovery_ore"], v["net_ore"], v["cases"],
                    v["previous_year"]["net_ore"])
        rows.append(row("Totalt", p))
        rows.extend(row(labels[g["key"]], g) for g in p["groups"])
    return rows


def ore(kronor):
    return round((kronor or 0) * 100)


def main():
    cookie = login()
    failures = []
    for question in ["period=year&group_by=category", "period=quarter&group_by=unit&basis=both"]:
        path = "/api/v1/costs/trends?" + question
        trend = json.loads(get(cookie, path)[0])
        data, content_type = get(cookie, path + "&format=xlsx")
        if content_type != XLSX:
            failures.append(f"{question}: content type {content_type}")
            continue
        sheet = load_workbook(io.BytesIO(data)).active
        if sheet.freeze_panes != "A2":
            failures.append(f"{question}: header not frozen ({sheet.freeze_panes})")
        if not (sheet.auto_filter.ref or "").startswith("A1:K"):
            failures.append(f"{question}: no filter ({sheet.auto_filter.ref})")
        header = [c.value for c in sheet[1]]
        if header[6] != "Netto (kr)":
            failures.append(f"{question}: header {header}")
        got = []
        for cells in sheet.iter_rows(min_row=2):
            v = [c.value for c in cells]
            for money in (cells[4], cells[5], cells[6], cells[8]):
                if not isinstance(money.value, (int, float)) or "kr" not in money.number_format:
                    failures.append(f"{question}: {money.coordinate} {money.value!r} {money.number_format}")
            got.append((v[0], v[3], ore(v[4]), ore(v[5]), ore(v[6]), int(v[7]), ore(v[8])))
        want = expected_rows(trend)
        if got != want:
            failures.append(f"{question}: rows differ\n xlsx: {got}\n json: {want}")
        else:
            print(f"openpyxl: {question}: {len(got)} rows, every number equal to the JSON")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
