//! The `Prompter` hook: asked only for a required input with neither value nor default.

use baton_expr::{Map, Value};
use baton_inputs::{coerce, parse_declarations, resolve, resolve_resume, InputDecl, Prompter};

struct Scripted {
    answers: Vec<Option<String>>,
    asked: Vec<String>,
}

impl Prompter for Scripted {
    fn prompt(&mut self, decl: &InputDecl) -> std::io::Result<Option<String>> {
        self.asked.push(decl.name.clone());
        if self.answers.is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "ctrl-c"));
        }
        Ok(self.answers.remove(0))
    }
}

fn block(yamlish: &[(&str, &[(&str, Value)])]) -> Value {
    let mut m = Map::new();
    for (name, fields) in yamlish {
        let def: Map = fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        m.insert((*name).to_owned(), Value::Map(def));
    }
    Value::Map(m)
}

fn decls() -> Vec<InputDecl> {
    parse_declarations(&block(&[
        ("opt", &[("type", "string".into())]),
        ("count", &[("type", "number".into()), ("required", true.into())]),
        ("defaulted", &[("required", true.into()), ("default", "d".into())]),
        (
            "integration",
            &[("required", true.into()), ("enum", Value::List(vec!["x".into()]))],
        ),
    ]))
}

#[test]
fn asks_only_for_required_inputs_without_value_or_default() {
    let mut p = Scripted { answers: vec![Some("3.0".into()), Some("auto".into())], asked: vec![] };
    let got = resolve(&decls(), &Map::new(), Some(r#"{"integration": "x"}"#), Some(&mut p))
        .expect("answers are valid");
    assert_eq!(p.asked, ["count", "integration"]);
    let pairs: Vec<(&str, &Value)> = got.iter().map(|(k, v)| (k.as_str(), v)).collect();
    assert_eq!(
        pairs,
        [
            ("count", &Value::from(3)),
            ("defaulted", &Value::from("d")),
            ("integration", &Value::from("x")),
        ]
    );
}

#[test]
fn provided_values_are_never_prompted() {
    let mut p = Scripted { answers: vec![], asked: vec![] };
    let provided: Map =
        [("count".to_owned(), "1".into()), ("integration".to_owned(), "x".into())].into_iter().collect();
    resolve(&decls(), &provided, None, Some(&mut p)).expect("all provided");
    assert!(p.asked.is_empty());
}

#[test]
fn declining_gives_the_reference_error() {
    let mut p = Scripted { answers: vec![None], asked: vec![] };
    let err = resolve(&decls(), &Map::new(), None, Some(&mut p)).expect_err("declined");
    assert_eq!(err.to_string(), "Required input 'count' not provided.");
    assert_eq!(err.input_name(), Some("count"));
}

#[test]
fn a_bad_answer_fails_like_a_bad_cli_value() {
    let mut p = Scripted { answers: vec![Some("lots".into())], asked: vec![] };
    let err = resolve(&decls(), &Map::new(), None, Some(&mut p)).expect_err("not a number");
    assert_eq!(err.to_string(), "Input 'count' expected a number, got 'lots'.");
    // A prompter can check an answer itself before returning it.
    let count = &decls()[1];
    assert!(coerce(count, &Value::from("lots")).is_err());
    assert_eq!(coerce(count, &Value::from("12")).ok(), Some(Value::from(12)));
}

#[test]
fn a_failing_prompter_is_reported_with_the_input_name() {
    let mut p = Scripted { answers: vec![], asked: vec![] };
    let err = resolve(&decls(), &Map::new(), None, Some(&mut p)).expect_err("io error");
    assert_eq!(err.to_string(), "could not prompt for input `count`: ctrl-c");
}

#[test]
fn resume_prompts_for_what_persisted_and_supplied_lack() {
    let mut p = Scripted { answers: vec![Some("x".into())], asked: vec![] };
    let persisted: Map = [("count".to_owned(), Value::from(2))].into_iter().collect();
    let supplied: Map = [("opt".to_owned(), Value::from("o"))].into_iter().collect();
    let got = resolve_resume(&decls(), &persisted, &supplied, None, Some(&mut p)).expect("ok");
    assert_eq!(p.asked, ["integration"]);
    assert_eq!(got.get("opt"), Some(&Value::from("o")));
    assert_eq!(got.get("integration"), Some(&Value::from("x")));
}
