#!/usr/bin/env python3
"""Checks OTLP/JSON trace files (meshsim's trace export) against a JSON Schema.

    check_otlp_schema.py SCHEMA FILE...     validate each FILE; exit 1 if any is invalid
    check_otlp_schema.py --self-test SCHEMA show that SCHEMA accepts a valid document and
                                            rejects broken ones (numeric times, base64 ids, ...)

Besides the schema, each file is checked for what JSON Schema cannot say: a span ends no earlier
than it starts, span ids are unique within their trace, and every parentSpanId names a span of
the same trace in the file. Needs the jsonschema module (Debian: python3-jsonschema).
"""

import copy
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("check_otlp_schema.py: the Python module jsonschema is missing "
             "(Debian: apt-get install python3-jsonschema; elsewhere: pip install jsonschema)")

MAX_REPORTED = 10


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def make_validator(schema):
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def where(path):
    return "/".join(str(p) for p in path) or "(document)"


def schema_errors(validator, document):
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    return ["%s: %s" % (where(e.path), e.message) for e in errors]


def semantic_errors(document):
    """What the schema cannot check. Assumes a document the schema accepted."""
    problems = []
    spans_by_trace = {}
    for r, resource_spans in enumerate(document["resourceSpans"]):
        for s, scope_spans in enumerate(resource_spans["scopeSpans"]):
            for k, span in enumerate(scope_spans["spans"]):
                at = "resourceSpans/%d/scopeSpans/%d/spans/%d" % (r, s, k)
                if int(span["endTimeUnixNano"]) < int(span["startTimeUnixNano"]):
                    problems.append("%s: ends (%s) before it starts (%s)"
                                    % (at, span["endTimeUnixNano"], span["startTimeUnixNano"]))
                spans_by_trace.setdefault(span["traceId"], []).append((at, span))
    for trace_id, spans in sorted(spans_by_trace.items()):
        ids = {}
        for at, span in spans:
            if span["spanId"] in ids:
                problems.append("%s: spanId %s already used by %s in trace %s"
                                % (at, span["spanId"], ids[span["spanId"]], trace_id))
            ids.setdefault(span["spanId"], at)
        for at, span in spans:
            parent = span.get("parentSpanId")
            if parent is not None and parent not in ids:
                problems.append("%s: parentSpanId %s is no span of trace %s"
                                % (at, parent, trace_id))
    return problems


def check(validator, document):
    problems = schema_errors(validator, document)
    return problems if problems else semantic_errors(document)


def report(name, problems):
    print("%s: not valid OTLP/JSON (%d problem%s):"
          % (name, len(problems), "" if len(problems) == 1 else "s"), file=sys.stderr)
    for p in problems[:MAX_REPORTED]:
        print("  " + p, file=sys.stderr)
    if len(problems) > MAX_REPORTED:
        print("  ... and %d more" % (len(problems) - MAX_REPORTED), file=sys.stderr)


def valid_document():
    def attribute(key, value):
        return {"key": key, "value": value}

    trace = "5b8efff798038103d269b633813fc60c"
    return {"resourceSpans": [{
        "resource": {"attributes": [attribute("service.name", {"stringValue": "client"}),
                                    attribute("meshsim.seed", {"intValue": "42"})]},
        "scopeSpans": [{
            "scope": {"name": "meshsim", "version": "1.0"},
            "spans": [
                {"traceId": trace, "spanId": "eee19b7ec3c1b173", "name": "/books", "kind": 3,
                 "startTimeUnixNano": "1767225612500000000",
                 "endTimeUnixNano": "1767225612571690000",
                 "attributes": [attribute("http.route", {"stringValue": "/books"})]},
                {"traceId": trace, "spanId": "eee19b7ec3c1b174",
                 "parentSpanId": "eee19b7ec3c1b173", "name": "call gateway", "kind": 3,
                 "startTimeUnixNano": "1767225612500250000",
                 "endTimeUnixNano": "1767225613500250001",
                 "attributes": [attribute("meshsim.incomplete", {"boolValue": True}),
                                attribute("meshsim.ratio", {"doubleValue": 1.5})],
                 "status": {"message": "timeout", "code": 2}},
            ]}]}]}


def broken_documents():
    """(what is wrong, a function that breaks a copy of the valid document)"""
    def span(d, k=0):
        return d["resourceSpans"][0]["scopeSpans"][0]["spans"][k]

    def attributes(d, k=0):
        return span(d, k)["attributes"]

    return [
        ("numeric startTimeUnixNano",
         lambda d: span(d).update(startTimeUnixNano=1767225612500000000)),
        ("base64 traceId", lambda d: span(d).update(traceId="W47/95gDgQPSabYzgT/GDA==")),
        ("base64 spanId", lambda d: span(d).update(spanId="7uGbfsPBsXM=")),
        ("traceId of 15 bytes", lambda d: span(d).update(traceId="5b8efff798038103d269b633813fc6")),
        ("all-zero spanId", lambda d: span(d).update(spanId="0000000000000000")),
        ("uppercase hex", lambda d: span(d).update(spanId="EEE19B7EC3C1B173")),
        ("kind as an enum name", lambda d: span(d).update(kind="SPAN_KIND_CLIENT")),
        ("kind out of range", lambda d: span(d).update(kind=7)),
        ("status code as an enum name",
         lambda d: span(d, 1)["status"].update(code="STATUS_CODE_ERROR")),
        ("snake_case key", lambda d: span(d).update(start_time_unix_nano="1")),
        ("span without name", lambda d: span(d).pop("name")),
        ("intValue as a number",
         lambda d: d["resourceSpans"][0]["resource"]["attributes"][1]["value"].update(intValue=42)),
        ("AnyValue with two values", lambda d: attributes(d)[0]["value"].update(boolValue=True)),
        ("resource without service.name",
         lambda d: d["resourceSpans"][0]["resource"]["attributes"].pop(0)),
        ("ends before it starts",
         lambda d: span(d).update(endTimeUnixNano="1767225612400000000")),
        ("duplicate spanId", lambda d: span(d, 1).update(spanId="eee19b7ec3c1b173")),
        ("unknown parentSpanId", lambda d: span(d, 1).update(parentSpanId="0123456789abcdef")),
    ]


def self_test(validator):
    failures = []
    problems = check(validator, valid_document())
    if problems:
        failures.append("the valid document was rejected: " + "; ".join(problems))
    for what, breaks in broken_documents():
        document = copy.deepcopy(valid_document())
        breaks(document)
        problems = check(validator, document)
        if problems:
            print("rejected as it should: %s (%s)" % (what, problems[0]))
        else:
            failures.append("accepted a document with " + what)
    for f in failures:
        print("self-test FAILED: " + f, file=sys.stderr)
    return 1 if failures else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--self-test":
        return self_test(make_validator(load_json(argv[2])))
    if len(argv) < 3 or argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    validator = make_validator(load_json(argv[1]))
    status = 0
    for name in argv[2:]:
        try:
            document = load_json(name)
        except (OSError, ValueError) as e:
            print("%s: cannot read: %s" % (name, e), file=sys.stderr)
            status = 1
            continue
        problems = check(validator, document)
        if problems:
            report(name, problems)
            status = 1
        else:
            spans = sum(len(s["spans"]) for r in document["resourceSpans"]
                        for s in r["scopeSpans"])
            print("%s: valid OTLP/JSON, %d resources, %d spans"
                  % (name, len(document["resourceSpans"]), spans))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
