#!/usr/bin/env python3
"""Reads a Prometheus text exposition file with the Prometheus project's own parser
(prometheus_client.parser, Debian's python3-prometheus-client) and writes what it parsed as
JSON, for tests/outbox/metrics_test.cpp. Values are written as Python's repr, which
round-trips a double exactly and spells infinities and NaN.

Usage: parse_prometheus.py METRICS.txt OUT.json   (exits non-zero if the module is missing
or the text does not parse)
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
families = []
for family in text_string_to_metric_families(text):
    families.append({
        "name": family.name,
        "type": family.type,
        "help": family.documentation,
        "samples": [{"name": s.name, "labels": s.labels, "value": repr(float(s.value))}
                    for s in family.samples],
    })
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(families, f, ensure_ascii=False)
