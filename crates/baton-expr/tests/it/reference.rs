//! Re-checks the tables against the reference evaluator, and compares baton with it on
//! generated expressions, when `BATON_REFERENCE_PYTHON` names a python that can
//! `import specify_cli` (skipped otherwise; a failure under `CI=true`).

use std::io::Write;
use std::process::{Command, Stdio};

use baton_expr::json::{self, DumpOptions};
use baton_expr::{Map, Value};

use crate::fixtures::{self, Row};

/// The reference python, or `None` after printing why the test is skipped.
fn reference_python() -> Option<String> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let skip = |why: String| {
        assert!(!ci, "CI=true but the reference cannot be used: {why}");
        eprintln!("skipped: {why}");
        None
    };
    let Ok(python) = std::env::var("BATON_REFERENCE_PYTHON") else {
        return skip("BATON_REFERENCE_PYTHON is not set".to_owned());
    };
    let ok = Command::new(&python)
        .args(["-c", "import specify_cli.workflows.expressions"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return skip(format!("`{python}` cannot import specify_cli"));
    }
    Some(python)
}

fn request(mode: &str, input: &Value, ns: &Map, opts: &Map) -> String {
    let mut req = Map::new();
    req.insert("mode".into(), mode.into());
    req.insert("input".into(), input.clone());
    req.insert("ns".into(), Value::Map(ns.clone()));
    req.insert("opts".into(), Value::Map(opts.clone()));
    json::dumps(&Value::Map(req), &DumpOptions::default()).unwrap()
}

/// Asks the oracle harness for the answer to each request line.
fn ask(python: &str, requests: &[String]) -> Vec<String> {
    let harness = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/oracle.py");
    let scratch = std::env::temp_dir();
    let mut child = Command::new(python)
        .arg(harness)
        .arg(fixtures::default_namespace_text())
        .current_dir(scratch)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = requests.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "the oracle harness failed");
    let answers: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| match json::loads(l).unwrap() {
            Value::Map(m) => m["out"].as_str().unwrap().to_owned(),
            _ => panic!("bad oracle line {l}"),
        })
        .collect();
    assert_eq!(answers.len(), requests.len());
    answers
}

#[test]
fn tables_agree_with_the_reference() {
    let Some(python) = reference_python() else { return };
    let rows: Vec<Row> = fixtures::rows();
    let reqs: Vec<String> = rows.iter().map(|r| request(&r.mode, &r.input, &r.ns, &r.opts)).collect();
    let answers = ask(&python, &reqs);
    let bad: Vec<String> = rows
        .iter()
        .zip(&answers)
        .filter(|(r, a)| &r.expect != *a)
        .map(|(r, a)| format!("{} {}: {}\n  table     {}\n  reference {a}", r.file, r.id, r.raw, r.expect))
        .collect();
    assert!(bad.is_empty(), "{} rows differ from the reference:\n{}", bad.len(), bad.join("\n"));
}

/// A small deterministic generator (xorshift) of expression text.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn operand(&mut self, depth: u32) -> String {
        const ATOMS: &[&str] = &[
            "inputs.name", "inputs.count", "inputs.scount", "inputs.flag", "inputs.tags", "inputs.empty",
            "inputs.none", "inputs.blob", "inputs.mode", "inputs.nested", "inputs.nested.k", "inputs.items",
            "inputs.dash-key", "inputs.f", "inputs.z", "inputs.txt", "inputs.missing", "inputs.tags[0]",
            "inputs.tags[-1]", "inputs.tags[5]", "inputs.items[0].r.s", "steps.plan.output.stdout",
            "steps.plan.output.task_count", "steps.sh-1.output.stdout", "steps.plan.status", "context",
            "context.run_id", "item", "item.id", "item.name", "fan_in", "'a'", "'b'", "\"it's\"", "'read and write'",
            "'10'", "'9'", "'1.5'", "' 7 '", "'abc'", "''", "'a|b'", "'x or y'", "0", "1", "-3", "5", "1.0", "2.5",
            ".5", "1_000", "1e3", "1.5e3", "true", "False", "null", "None", "[]", "[1, 2]", "['a', 'b']",
            "[1, 'a', inputs.count]", "[1, 2,]", "[[1], 2]", "'[1, 2]'", "'{\"a\": 1}'", "'Hello'", "'ell'",
            "'k'", "'z'", "'٣'", "٣", "'é'", "inputs.count+1", "not(inputs.flag)", "'it''s'", "{'a': 1}",
            "inputs.nested['k']", "inputs . name",
        ];
        let mut s = if depth > 0 && self.chance(15) {
            format!("({})", self.expr(depth - 1))
        } else {
            self.pick(ATOMS).to_owned()
        };
        if self.chance(25) {
            s = format!("{s} | {}", self.filter(depth));
            if self.chance(30) {
                s = format!("{s} | {}", self.filter(depth));
            }
            if self.chance(50) && depth > 0 {
                s = format!("({s})");
            }
        }
        s
    }

    fn filter(&mut self, depth: u32) -> String {
        const FILTERS: &[&str] = &[
            "default", "default('d')", "default([1])", "default(0)", "join(', ')", "join('-')", "join(5)",
            "join", "map('n')", "map('r.s')", "map(5)", "contains('a')", "contains('ell')", "contains(5)",
            "contains(1)", "split(',')", "split('')", "split(' ')", "split(5)", "from_json", "from_json()",
            "upper", "lower", "length", "to_json", "bogus", "Join(',')", "default(1, 2)", "length > 2",
            "upper x", "default('}}')", "",
        ];
        if depth > 0 && self.chance(10) {
            return format!("default({})", self.operand(depth - 1));
        }
        self.pick(FILTERS).to_owned()
    }

    fn expr(&mut self, depth: u32) -> String {
        const OPS: &[&str] = &[
            " == ", " != ", " > ", " < ", " >= ", " <= ", " in ", " not in ", " and ", " or ", "==", ">", " === ",
        ];
        let mut s = self.operand(depth);
        if self.chance(55) {
            let op = self.pick(OPS);
            s = format!("{s}{op}{}", self.operand(depth));
            if self.chance(25) {
                let op = self.pick(OPS);
                s = format!("{s}{op}{}", self.operand(depth));
            }
        }
        if self.chance(12) {
            s = format!("not {s}");
        }
        s
    }

    fn template(&mut self) -> String {
        let body = self.expr(2);
        let ws = self.pick(&[" ", "", "  ", "\n  ", "\t"]);
        match self.next() % 16 {
            0 => format!("x {{{{{ws}{body}{ws}}}}} y {{{{ {} }}}}", self.expr(1)),
            1 => format!("{{{{ {body}"),
            2 => body,
            3 => format!("{{{{ {body} }}}}!"),
            4 => format!("{{{{ {body} == 'x }}}} tail"),
            5 => format!("{{{{ {body} }}}} and {{{{ inputs.x | default(\"y }}}}"),
            6 => format!("prefix {{{{ {body}"),
            7 => {
                // Character soup from the language's own alphabet.
                const SOUP: &[&str] = &[
                    "{", "}", "{{", "}}", "'", "\"", "(", ")", "[", "]", "|", ".", ",", "=", "<", ">", "!", " ", " ",
                    "\n", "a", "x", "1", "-", "_", "not ", " or ", " and ", " in ", "inputs", "item", "true", "٣", "é",
                ];
                let n = self.next() % 30;
                let soup: String = (0..n).map(|_| self.pick(SOUP)).collect();
                if self.chance(50) { format!("{{{{ {soup} }}}}") } else { soup }
            }
            _ => format!("{ws}{{{{{ws}{body}{ws}}}}}{ws}"),
        }
    }
}

#[test]
fn generated_expressions_agree_with_the_reference() {
    let Some(python) = reference_python() else { return };
    // `BATON_EXPR_FUZZ=<cases>[,<seed>]` runs a longer or different campaign.
    let (count, seed) = match std::env::var("BATON_EXPR_FUZZ") {
        Ok(v) => {
            let mut it = v.split(',').map(|n| n.trim().parse::<u64>().unwrap());
            (it.next().unwrap_or(3000), it.next().unwrap_or(1))
        }
        Err(_) => (3000, 1),
    };
    let mut g = Gen(0x9e37_79b9_7f4a_7c15 ^ seed.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let empty = Map::new();
    let mut cases = Vec::new();
    for n in 0..count {
        let t = g.template();
        let mode = match n % 5 {
            0 => "cond",
            1 => "diag",
            _ => "expr",
        };
        cases.push((mode, t));
    }
    let reqs: Vec<String> = cases.iter().map(|(m, t)| request(m, &Value::from(t.as_str()), &empty, &empty)).collect();
    let answers = ask(&python, &reqs);
    let mut bad = Vec::new();
    for ((mode, t), want) in cases.iter().zip(&answers) {
        let row = Row {
            file: "generated".into(),
            id: String::new(),
            raw: String::new(),
            mode: (*mode).to_owned(),
            input: Value::from(t.as_str()),
            expect: want.clone(),
            baton: None,
            ns: Map::new(),
            opts: Map::new(),
        };
        let got = fixtures::actual(&row);
        if &got != want && !want.starts_with("CRASH") {
            bad.push(format!("{mode} {}\n  reference {want}\n  baton     {got}", json::dumps(&Value::from(t.as_str()), &DumpOptions::default()).unwrap()));
        }
    }
    // The generator must reach the interesting outcomes, or the comparison says little.
    for kind in ["ERROR ", "bool ", "str ", "list ", "null", "never-evaluated", "malformed-block", "interpolated-to-text", "ok"] {
        let n = answers.iter().filter(|a| a.starts_with(kind)).count();
        eprintln!("{kind:>22}: {n}");
        assert!(n >= 10, "only {n} generated cases give {kind}");
    }
    assert!(bad.is_empty(), "{} of {} generated cases differ:\n{}", bad.len(), cases.len(), bad.iter().take(40).cloned().collect::<Vec<_>>().join("\n"));
}
