"""Oracle harness: answers baton-expr fixture rows with the reference evaluator.

Reads JSON lines on stdin, one request per line:
  {"mode": "expr" | "cond" | "body" | "diag" | "loads" | "dumps",
   "input": <template, condition, body or JSON text>,
   "ns": {<namespace overrides>}, "opts": {<dumps options>}}
and writes one JSON line per request: {"out": "<formatted result>"}.

The formatted result is the same text the fixture tables hold: `null`,
`<python type> <repr>`, `ERROR <message>`, or for `diag` one of
`ok`, `malformed-block`, `interpolated-to-text`, `never-evaluated: <remediation>`.
Run with a python that can `import specify_cli` (the reference, 1.2.3).
"""

import json
import sys
import types

from specify_cli.workflows import expressions as ex

DEFAULT_NS = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}


def namespace(overrides):
    ns = dict(DEFAULT_NS)
    ns.update(overrides or {})
    return types.SimpleNamespace(
        inputs=ns.get("inputs"),
        steps=ns.get("steps"),
        item=ns.get("item"),
        fan_in=ns.get("fan_in"),
        run_id=ns.get("run_id"),
        workflow_dir=ns.get("workflow_dir"),
    )


def show(value):
    if value is None:
        return "null"
    return f"{type(value).__name__} {value!r}"


def answer(req):
    mode = req["mode"]
    text = req.get("input")
    try:
        if mode == "expr":
            return show(ex.evaluate_expression(text, namespace(req.get("ns"))))
        if mode == "cond":
            return show(ex.evaluate_condition(text, namespace(req.get("ns"))))
        if mode == "body":
            built = ex._build_namespace(namespace(req.get("ns")))
            return show(ex._evaluate_simple_expression(text, built))
        if mode == "diag":
            if ex.condition_is_never_evaluated(text):
                return "never-evaluated: " + ex.format_condition_remediation(text)
            if ex.condition_has_malformed_expression_block(text):
                return "malformed-block"
            if ex.condition_is_interpolated_to_text(text):
                return "interpolated-to-text"
            return "ok"
        if mode == "loads":
            return show(json.loads(text))
        if mode == "dumps":
            opts = req.get("opts") or {}
            return show(json.dumps(json.loads(text), **opts))
        return f"CRASH unknown mode {mode!r}"
    except ValueError as exc:  # JSONDecodeError is a ValueError too
        return f"ERROR {exc}"
    except Exception as exc:  # noqa: BLE001 - a crash of the reference
        return f"CRASH {type(exc).__name__}: {exc}"


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        out = answer(json.loads(line))
        sys.stdout.write(json.dumps({"out": out}) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
