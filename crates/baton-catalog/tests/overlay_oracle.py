"""Composes the overlay fixtures with the reference (specify-cli 1.2.3) as an oracle.

Run with the reference's interpreter (BATON_REFERENCE_PYTHON):
    $BATON_REFERENCE_PYTHON overlay_oracle.py FIXTURE_DIR            # print JSON results
    $BATON_REFERENCE_PYTHON overlay_oracle.py FIXTURE_DIR --record   # write expected.json
    $BATON_REFERENCE_PYTHON overlay_oracle.py --stdin < cases.json      # a JSON list of fixtures

Each fixture holds `base` (a workflow document) and `overlays` (manifests). The result
per fixture is {"attribution": ["id: source", ...], "shape": "..."} or {"error": "..."}.
"""
import json
import sys
import tempfile
from pathlib import Path

import yaml
from specify_cli.workflows.overlay.composer import StepListComposer
from specify_cli.workflows.overlay.layer_sources import Layer
from specify_cli.workflows.overlay.schema import Overlay, validate_overlay_yaml

NESTED = ("then", "else", "steps", "default")


def shape(steps):
    return ", ".join(shape_step(s) for s in steps)


def shape_step(step):
    if not isinstance(step, dict):
        return "<item>"
    sid = step.get("id")
    text = sid if isinstance(sid, str) else repr(sid)
    parts = []
    for key in NESTED:
        nested = step.get(key)
        if isinstance(nested, list):
            parts.append(f"{key}: {shape(nested)}")
    cases = step.get("cases")
    if isinstance(cases, dict):
        for k, v in cases.items():
            if isinstance(v, list):
                parts.append(f"cases.{k}: {shape(v)}")
    return text + (f"[{'; '.join(parts)}]" if parts else "")


def run(fixture, tmp):
    return compose(yaml.safe_load(fixture.read_text()), tmp, fixture.stem)


def compose(doc, tmp, stem):
    base = tmp / (stem + ".workflow.yml")
    base.write_text(yaml.safe_dump(doc["base"], sort_keys=False))
    layers = []
    for raw in doc.get("overlays") or []:
        overlay, errors = validate_overlay_yaml(raw)
        assert not errors, (fixture, errors)
        layers.append(Layer(overlay, f"project:{overlay.id}", "project-overlay", overlay.priority, None))
    layers.sort(key=lambda l: (l.priority, l.source))
    layers.append(Layer(Overlay(id="w", extends="w", priority=0, edits=[]), "base", "base", 0, base))
    try:
        definition, attribution = StepListComposer().compose(layers)
    except ValueError as exc:
        return {"error": str(exc)}
    steps = definition.data.get("steps")
    return {
        "attribution": [f"{c.step_id}: {c.source}" for c in attribution],
        "shape": shape(steps) if isinstance(steps, list) else repr(steps),
    }


def main():
    if sys.argv[1] == "--stdin":
        cases = json.load(sys.stdin)
        with tempfile.TemporaryDirectory() as tmp:
            results = [compose(case, Path(tmp), f"case{i}") for i, case in enumerate(cases)]
        sys.stdout.write(json.dumps(results, ensure_ascii=False) + "\n")
        return
    root = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        results = {f.name: run(f, Path(tmp)) for f in sorted(root.glob("*.yml"))}
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    if "--record" in sys.argv[2:]:
        (root / "expected.json").write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
