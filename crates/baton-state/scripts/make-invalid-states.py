"""Regenerates fixtures/runs/invalid-states.json: each case's state.json (and inputs.json)
and the message the reference's RunState.load gives for it (null when it loads).

Usage: <python with specify_cli importable> make-invalid-states.py
"""
import copy, json, pathlib, tempfile

from specify_cli.workflows.engine import RunState

HERE = pathlib.Path(__file__).resolve().parents[3]
OUT = HERE / "fixtures" / "runs" / "invalid-states.json"

SRC1 = "- id: a\n  type: shell\n  run: echo a\n"
SRC2 = SRC1 + "- id: b\n  type: gate\n  message: m\n"
REC = {"type": "shell", "output": {"exit_code": 0}, "status": "completed", "error": None}
PAUSED = {"type": "gate", "output": {}, "status": "paused", "error": None}


def base(execution=None):
    s = {
        "run_id": "r1", "workflow_id": "wf", "installed_workflow_id": None,
        "installed_registry_root": None, "status": "paused", "current_step_index": 0,
        "current_step_id": "a", "step_results": {}, "workflow_dir": None,
        "created_at": "2025-01-01T00:00:00+00:00", "updated_at": "2025-01-01T00:00:00+00:00",
        "error": None, "inputs": {},
    }
    if execution is not None:
        s["execution"] = execution
    return s


def tree(nodes, source=SRC1, **root):
    t = {"version": 2, "sequence": {"source": source, "nodes": nodes}, "offset": 0, "initial": {}}
    t.update(root)
    return t


def drop(d, *keys):
    d = copy.deepcopy(d)
    for k in keys:
        d.pop(k)
    return d


def with_(d, **kv):
    d = copy.deepcopy(d)
    d.update(kv)
    return d


WHILE = "- id: lp\n  type: while\n  condition: x\n  steps:\n  - id: s\n    type: shell\n    run: x\n"
FAN = "- id: fo\n  type: fan-out\n  items: x\n  step:\n    id: t\n    type: shell\n    run: x\n"
CALL = "- id: c\n  type: workflow\n  workflow: sub\n"
DEF = "workflow:\n  id: sub\nsteps:\n- id: x\n  type: shell\n  run: x\n"
DONE = {"phase": "done", "active": False, "result": REC, "outcome": "completed", "error": None}
LP_REC = {"type": "while", "output": {}, "status": "completed", "error": None}
FO_REC = {"type": "fan-out", "output": {"items": [1]}, "status": "completed", "error": None}

cases = [
    ("not-an-object", "[]", None),
    ("missing-all", "{}", None),
    ("missing-status", drop(base(), "status"), None),
    ("run-id-mismatch", with_(base(), run_id="other"), None),
    ("run-id-not-string", with_(base(), run_id=5), None),
    ("workflow-id-bad", with_(base(), workflow_id="Bad_ID"), None),
    ("workflow-id-not-string", with_(base(), workflow_id=3), None),
    ("installed-one-field", drop(base(), "installed_registry_root"), None),
    ("installed-id-int", with_(base(), installed_workflow_id=5), None),
    ("installed-id-bad", with_(base(), installed_workflow_id="Bad!"), None),
    ("installed-root-relative", with_(base(), installed_workflow_id="wf", installed_registry_root="rel/x"), None),
    ("installed-root-empty", with_(base(), installed_workflow_id="wf", installed_registry_root=""), None),
    ("installed-root-without-id", with_(base(), installed_registry_root="/abs"), None),
    ("installed-root-int", with_(base(), installed_workflow_id="wf", installed_registry_root=7), None),
    ("installed-ok", with_(base(), installed_workflow_id="wf", installed_registry_root="/abs"), None),
    ("legacy-untracked", drop(base(), "installed_workflow_id", "installed_registry_root"), None),
    ("step-results-list", with_(base(), step_results=[]), None),
    ("step-results-record-int", with_(base(), step_results={"a": 1}), None),
    ("status-bogus", with_(base(), status="bogus"), None),
    ("status-int", with_(base(), status=3), None),
    ("status-null", with_(base(), status=None), None),
    ("index-negative", with_(base(), current_step_index=-1), None),
    ("index-bool", with_(base(), current_step_index=True), None),
    ("index-float", with_(base(), current_step_index=1.5), None),
    ("index-string", with_(base(), current_step_index="2"), None),
    ("index-null", with_(base(), current_step_index=None), None),
    ("index-missing", drop(base(), "current_step_index"), None),
    ("inputs-list", with_(base(), inputs=[]), None),
    ("inputs-json-fallback", drop(base(), "inputs"), '{"inputs": {"x": 1}}'),
    ("inputs-json-list", drop(base(), "inputs"), "[]"),
    ("inputs-json-inputs-int", drop(base(), "inputs"), '{"inputs": 3}'),
    ("inputs-json-no-key", drop(base(), "inputs"), '{"other": 3}'),
    ("execution-null", base(None) | {"execution": None}, None),
    ("execution-version-1", base({"version": 1}), None),
    ("execution-version-float", base(tree([{"phase": "ready"}], version=2.0)), None),
    ("execution-offset-negative", base(tree([{"phase": "ready"}], offset=-1)), None),
    ("execution-offset-bool", base(tree([{"phase": "ready"}], offset=True)), None),
    ("execution-initial-list", base(tree([{"phase": "ready"}], initial=[])), None),
    ("execution-no-offset-initial", base(drop(tree([{"phase": "ready"}]), "offset", "initial")), None),
    ("execution-no-sequence", base({"version": 2}), None),
    ("execution-sequence-list", base({"version": 2, "sequence": []}), None),
    ("execution-no-source", base({"version": 2, "sequence": {"nodes": []}}), None),
    ("execution-length", base(tree([])), None),
    ("execution-source-not-list", base(tree([], source="a: 1\n")), None),
    ("execution-steps-not-dicts", base(tree([{"phase": "ready"}], source="- 1\n")), None),
    ("execution-nodes-missing", base({"version": 2, "sequence": {"source": SRC1}}), None),
    ("node-not-dict", base(tree([3])), None),
    ("node-phase-bogus", base(tree([{"phase": "bogus"}])), None),
    ("node-phase-list", base(tree([{"phase": []}])), None),
    ("node-result-list", base(tree([{"phase": "blocked", "result": []}])), None),
    ("node-result-status-bogus", base(tree([{"phase": "done", "result": with_(REC, status="x")}])), None),
    ("node-result-status-list", base(tree([{"phase": "done", "result": with_(REC, status=[])}])), None),
    ("node-result-no-output", base(tree([{"phase": "done", "result": drop(REC, "output")}])), None),
    ("node-done-no-result", base(tree([{"phase": "done"}])), None),
    ("node-done-null-result", base(tree([{"phase": "done", "result": None}])), None),
    ("node-active-string", base(tree([{"phase": "ready", "active": "yes"}])), None),
    ("node-done-active", base(tree([with_(DONE, active=True)])), None),
    ("node-outcome-bogus", base(tree([with_(DONE, outcome="meh")])), None),
    ("node-outcome-null", base(tree([with_(DONE, outcome=None)])), None),
    ("node-done-failed", base(tree([with_(DONE, outcome="failed")])), None),
    ("node-blocked-no-result", base(tree([{"phase": "blocked", "outcome": "paused"}])), None),
    ("node-blocked-completed-result", base(tree([{"phase": "blocked", "result": REC, "outcome": "paused"}])), None),
    ("node-blocked-no-outcome", base(tree([{"phase": "blocked", "result": PAUSED}])), None),
    ("node-blocked-ok", base(tree([{"phase": "blocked", "active": False, "result": PAUSED, "outcome": "paused", "error": None}])), None),
    ("node-crash-active", base(tree([{"phase": "ready", "active": True}])), None),
    ("node-children-dict", base(tree([{"phase": "ready", "children": {}}])), None),
    ("node-fan-results-non-fanout", base(tree([with_(DONE, fan_results=[])])), None),
    ("node-template-non-fanout", base(tree([with_(DONE, template="x")])), None),
    ("node-binding-non-workflow", base(tree([with_(DONE, binding={})])), None),
    ("node-binding-list", base(tree([{"phase": "ready", "binding": []}], source=CALL)), None),
    ("node-binding-null-ok", base(tree([{"phase": "ready", "binding": None}], source=CALL)), None),
    ("node-binding-no-definition", base(tree([{"phase": "children", "binding": {"workflow": "sub"}, "children": [{"nodes": [{"phase": "ready"}]}]}], source=CALL)), None),
    ("node-binding-id-mismatch", base(tree([{"phase": "children", "binding": {"workflow": "other", "definition": DEF, "inputs": {}, "workflow_dir": None}, "children": [{"nodes": [{"phase": "ready"}]}]}], source=CALL)), None),
    ("node-binding-no-workflow-dir", base(tree([{"phase": "children", "binding": {"workflow": "sub", "definition": DEF, "inputs": {}}, "children": [{"nodes": [{"phase": "ready"}]}]}], source=CALL)), None),
    ("node-binding-ok", base(tree([{"phase": "children", "active": True, "binding": {"workflow": "sub", "definition": DEF, "inputs": {}, "workflow_dir": None}, "children": [{"nodes": [{"phase": "ready"}]}]}], source=CALL)), None),
    ("node-binding-shared-with-source", base(tree([{"phase": "children", "binding": {"workflow": "sub", "definition": DEF, "inputs": {}, "workflow_dir": None}, "children": [{"source": "- id: x\n", "nodes": [{"phase": "ready"}]}]}], source=CALL)), None),
    ("node-binding-child-length", base(tree([{"phase": "children", "binding": {"workflow": "sub", "definition": DEF, "inputs": {}, "workflow_dir": None}, "children": [{"nodes": []}]}], source=CALL)), None),
    ("node-workflow-children-no-binding", base(tree([{"phase": "children", "result": REC, "children": [{"nodes": [{"phase": "ready"}]}]}], source=CALL)), None),
    ("node-outputs-no-binding", base(tree([{"phase": "outputs"}])), None),
    ("node-children-empty", base(tree([{"phase": "children", "result": REC, "children": []}])), None),
    ("node-children-no-result", base(tree([{"phase": "children", "children": [{"source": SRC1, "nodes": [{"phase": "ready"}]}]}], source=WHILE)), None),
    ("node-ready-with-result", base(tree([{"phase": "ready", "result": REC}])), None),
    ("node-ready-with-children", base(tree([{"phase": "ready", "children": [{"source": SRC1, "nodes": [{"phase": "ready"}]}]}], source=WHILE)), None),
    ("loop-ok", base(tree([{"phase": "children", "result": LP_REC, "children": [{"source": "- id: s\n  type: shell\n  run: x\n", "nodes": [DONE]}, {"nodes": [{"phase": "ready"}]}]}], source=WHILE)), None),
    ("loop-iteration-with-source", base(tree([{"phase": "children", "result": LP_REC, "children": [{"source": "- id: s\n  type: shell\n  run: x\n", "nodes": [DONE]}, {"source": "- id: s\n", "nodes": [{"phase": "ready"}]}]}], source=WHILE)), None),
    ("loop-iteration-length", base(tree([{"phase": "children", "result": LP_REC, "children": [{"source": "- id: s\n  type: shell\n  run: x\n", "nodes": [DONE]}, {"nodes": []}]}], source=WHILE)), None),
    ("loop-child-not-dict", base(tree([{"phase": "children", "result": LP_REC, "children": [5]}], source=WHILE)), None),
    ("loop-done-unfinished", base(tree([{"phase": "done", "result": LP_REC, "children": [{"source": "- id: s\n  type: shell\n  run: x\n", "nodes": [{"phase": "ready"}]}]}], source=WHILE)), None),
    ("loop-done-nested-no-phase", base(tree([{"phase": "done", "result": LP_REC, "children": [{"source": "- id: s\n  type: shell\n  run: x\n", "nodes": [{}]}]}], source=WHILE)), None),
    ("loop-done-nested-list", base(tree([{"phase": "done", "result": LP_REC, "children": [{"source": "- id: s\n  type: shell\n  run: x\n", "nodes": [[]]}]}], source=WHILE)), None),
    ("loop-nested-invalid", base(tree([{"phase": "children", "result": LP_REC, "children": [{"source": "- id: s\n  type: shell\n  run: x\n", "nodes": [{"phase": "zzz"}]}]}], source=WHILE)), None),
    ("fanout-ok", base(tree([{"phase": "children", "result": FO_REC, "children": [{"nodes": [{"phase": "ready"}]}], "template": "id: t\ntype: shell\nrun: x\n"}], source=FAN)), None),
    ("fanout-no-template", base(tree([{"phase": "children", "result": FO_REC, "children": [{"nodes": [{"phase": "ready"}]}]}], source=FAN)), None),
    ("fanout-template-int", base(tree([{"phase": "children", "result": FO_REC, "children": [{"nodes": [{"phase": "ready"}]}], "template": 3}], source=FAN)), None),
    ("fanout-template-not-mapping", base(tree([{"phase": "children", "result": FO_REC, "children": [{"nodes": [{"phase": "ready"}]}], "template": "- a\n"}], source=FAN)), None),
    ("fanout-items-mismatch", base(tree([{"phase": "children", "result": with_(FO_REC, output={"items": [1, 2]}), "children": [{"nodes": [{"phase": "ready"}]}], "template": "id: t\ntype: shell\nrun: x\n"}], source=FAN)), None),
    ("fanout-fan-results-int", base(tree([{"phase": "children", "result": FO_REC, "children": [{"nodes": [{"phase": "ready"}]}], "template": "id: t\ntype: shell\nrun: x\n", "fan_results": 1}], source=FAN)), None),
    ("type-unhashable", base(tree([{"phase": "children", "result": REC, "children": [{"source": SRC1, "nodes": [{"phase": "ready"}]}]}], source="- id: a\n  type: [x]\n")), None),
]

out = []
with tempfile.TemporaryDirectory() as tmp:
    root = pathlib.Path(tmp)
    run = root / ".specify" / "workflows" / "runs" / "r1"
    run.mkdir(parents=True)
    for name, state, inputs in cases:
        text = state if isinstance(state, str) else json.dumps(state, indent=2)
        (run / "state.json").write_text(text)
        if inputs is None:
            (run / "inputs.json").unlink(missing_ok=True)
        else:
            (run / "inputs.json").write_text(inputs)
        try:
            RunState.load("r1", root)
            err = None
        except Exception as exc:  # noqa: BLE001 - recording the reference's message
            err = str(exc)
        out.append({"name": name, "state": text, "inputs": inputs, "error": err})

OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
print(f"{len(out)} cases -> {OUT}")
