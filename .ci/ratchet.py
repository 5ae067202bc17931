#!/usr/bin/env python3
"""Conformance ratchet: run every public case against baton and compare the outcome with
tests/conformance/expected-failures.txt.

Fails when a case that is not listed fails (a regression), and when a listed case passes
(delete its line: the list only shrinks). Each line of the list is `<case-name> #<issue>`;
blank lines and lines starting with `#` are ignored.

usage: ratchet.py BATON_BINARY CASES_DIR [--jobs N]
"""
import concurrent.futures, os, re, subprocess, sys
from pathlib import Path

def load_expected(path):
    expected = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"(\S+)\s+#(\d+)", line)
        if not m:
            sys.exit(f"{path}:{n}: expected `<case-name> #<issue>`, got {line!r}")
        expected[m.group(1)] = int(m.group(2))
    return expected

def run_chunk(runner, cli, cases):
    p = subprocess.run([sys.executable, runner, "--cli", cli, "-v", *map(str, cases)],
                       capture_output=True, text=True)
    return p.stdout

def main():
    args = sys.argv[1:]
    jobs = 2
    if "--jobs" in args:
        i = args.index("--jobs"); jobs = int(args[i + 1]); del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    cli, cases_dir = os.path.abspath(args[0]), Path(args[1])
    root = Path(__file__).resolve().parent.parent
    runner = cases_dir.parent / "run.py"
    expected = load_expected(root / "tests" / "conformance" / "expected-failures.txt")
    cases = sorted(p.parent for p in cases_dir.rglob("case.json"))
    chunks = [cases[i::jobs] for i in range(jobs)]
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        outputs = list(pool.map(lambda c: run_chunk(str(runner), cli, c), chunks))
    passed, failed, detail = set(), set(), {}
    current = None
    for out in outputs:
        for line in out.splitlines():
            if line.startswith("ok   "):
                passed.add(Path(line[5:].strip()).name); current = None
            elif line.startswith("FAIL "):
                current = Path(line[5:].strip()).name
                failed.add(current); detail[current] = []
            elif current and line.startswith("    "):
                detail[current].append(line)
    names = {c.name for c in cases}
    missing = names - passed - failed
    regressions = sorted(failed - expected.keys())
    fixed = sorted(passed & expected.keys())
    stale = sorted(expected.keys() - names)
    print(f"conformance: {len(passed)} passed, {len(failed)} failed "
          f"({len(failed & expected.keys())} expected), {len(cases)} cases")
    ok = True
    for name in regressions:
        ok = False
        print(f"REGRESSION {name}")
        for line in detail.get(name, [])[:12]:
            print(line)
    for name in fixed:
        ok = False
        print(f"NOW PASSING {name} (#{expected[name]}): delete its line from expected-failures.txt")
    for name in sorted(missing):
        ok = False
        print(f"NO RESULT {name}")
    for name in stale:
        print(f"note: expected-failures.txt lists {name}, which is not a public case (hidden or removed)")
    sys.exit(0 if ok else 1)

if __name__ == "__main__":
    main()
