"""PyYAML as the oracle for baton's YAML module (run with the reference's python).

  oracle.py            stdin: JSON lines {"yaml": text}; stdout: one JSON line each with
                       what yaml.safe_load makes of it ("repr", or "yaml_error" /
                       "python_error") and, when it loads, the text of
                       yaml.safe_dump(data, sort_keys=False, allow_unicode=True) ("dump")
                       and yaml.safe_dump(data, sort_keys=False) ("dump_ascii").
  oracle.py spans      stdin: JSON lines {"yaml": text}; stdout: {"spans": [...]}: the
                       "line:col" start mark of every node of yaml.compose, in pre-order
                       (a mapping, then each key and its value).
  oracle.py regenerate FILE.jsonl...
                       rewrites the PyYAML fields of each table row in place, keeping
                       the rows' own fields (name, baton_*, note, skip_roundtrip).

Run it with PYTHONHASHSEED=0 so that sets print in a stable order.
"""
import json
import sys

import yaml

PYYAML_FIELDS = ("spans", "repr", "yaml_error", "python_error", "error", "dump", "dump_ascii",
                 "dump_error", "dump_ascii_error")


def answer(text):
    out = {}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        out["yaml_error"] = str(exc)
        return out
    except RecursionError:
        out["python_error"] = "RecursionError: maximum recursion depth exceeded"
        return out
    except Exception as exc:  # noqa: BLE001 - the oracle reports every failure
        out["python_error"] = f"{type(exc).__name__}: {exc}"
        return out
    out["repr"] = repr(data)
    for key, kwargs in (("dump", {"sort_keys": False, "allow_unicode": True}),
                        ("dump_ascii", {"sort_keys": False})):
        try:
            out[key] = yaml.safe_dump(data, **kwargs)
        except Exception as exc:  # noqa: BLE001
            out[key + "_error"] = f"{type(exc).__name__}: {exc}"
    return out


def spans(text):
    out = []

    def walk(node):
        out.append(f"{node.start_mark.line + 1}:{node.start_mark.column + 1}")
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(key)
                walk(value)

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root)
    return {"spans": out}


def regenerate(path):
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            if "spans" in row:
                f.write(json.dumps({"yaml": row["yaml"], "spans": spans(row["yaml"])["spans"]},
                                   ensure_ascii=False) + "\n")
                continue
            kept = {k: v for k, v in row.items() if k not in PYYAML_FIELDS}
            new = answer(row["yaml"])
            if "name" not in row:  # the scalar table keeps no dumps
                new.pop("dump", None)
                new.pop("dump_ascii", None)
            elif "yaml_error" in new or "python_error" in new:
                new = {"error": new.get("yaml_error") or new.get("python_error")}
            merged = {"name": kept.pop("name")} if "name" in kept else {}
            merged["yaml"] = kept.pop("yaml")
            merged.update(new)
            merged.update(kept)
            f.write(json.dumps(merged, ensure_ascii=False) + "\n")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "regenerate":
        for path in sys.argv[2:]:
            regenerate(path)
        return
    if len(sys.argv) > 1 and sys.argv[1] == "spans":
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(spans(json.loads(line)["yaml"])), flush=True)
        return
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(answer(json.loads(line)["yaml"]), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
