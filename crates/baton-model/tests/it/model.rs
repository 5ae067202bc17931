//! The typed model: every valid document converts.

use baton_model::model::{Step, WorkflowDocument};
use baton_model::BUILTIN_STEP_TYPES;

use crate::common::{fixtures, read, short};

fn collect_types<'a>(steps: &'a [Step], out: &mut Vec<&'a str>) {
    for step in steps {
        out.push(step.type_key());
        match step {
            Step::If(s) => {
                collect_types(&s.then, out);
                collect_types(s.otherwise.as_deref().unwrap_or(&[]), out);
            }
            Step::Switch(s) => {
                for case in s.cases.values() {
                    collect_types(case, out);
                }
                collect_types(s.default.as_deref().unwrap_or(&[]), out);
            }
            Step::While(s) | Step::DoWhile(s) => collect_types(&s.steps, out),
            Step::FanOut(s) => collect_types(std::slice::from_ref(&*s.step), out),
            _ => {}
        }
    }
}

#[test]
fn valid_fixtures_convert_and_cover_every_step_type() {
    let mut types = Vec::new();
    let mut docs = Vec::new();
    for path in fixtures("valid") {
        let node = baton_model::load(&read(&path)).unwrap();
        let doc = WorkflowDocument::from_node(&node).unwrap_or_else(|e| panic!("{}: {e}", short(&path)));
        docs.push(doc);
    }
    for doc in &docs {
        collect_types(&doc.steps, &mut types);
    }
    for ty in BUILTIN_STEP_TYPES {
        assert!(types.contains(&ty), "no valid fixture has a {ty} step");
    }
}

#[test]
fn typed_values_are_as_written() {
    let node = baton_model::load(&read(&crate::common::repo_root().join("fixtures/workflows/valid/hello.yml"))).unwrap();
    let doc = WorkflowDocument::from_node(&node).unwrap();
    assert_eq!(doc.workflow.id, "hello");
    assert_eq!(doc.steps.len(), 3);
    assert_eq!(doc.steps[0].id(), "greet");
    let Step::Shell(shell) = &doc.steps[0] else { panic!("greet is a shell step") };
    assert_eq!(shell.run, "echo \"Hello, {{ inputs.name }}!\"");
    let inputs = doc.inputs.unwrap();
    assert!(inputs.contains_key("name"));

    let node = baton_model::load(
        "schema_version: 1.0\nworkflow: {id: w, name: W}\nsteps:\n  - id: s\n    type: switch\n    expression: x\n    cases: {true: [], 3: [], 1.5: [], null: []}\n  - id: c\n    type: my-custom\n    value: 1\n  - id: d\n    command: plan\n    capture: true\n    capture_max_bytes: 100000000000000000000000\n",
    )
    .unwrap();
    let doc = WorkflowDocument::from_node(&node).unwrap();
    assert_eq!(doc.schema_version.unwrap().0, "1.0");
    let Step::Switch(switch) = &doc.steps[0] else { panic!() };
    assert_eq!(switch.cases.keys().collect::<Vec<_>>(), ["True", "3", "1.5", "None"]);
    assert_eq!(doc.steps[1].type_key(), "my-custom");
    let Step::Command(command) = &doc.steps[2] else { panic!() };
    assert!(command.capture_max_bytes.is_some());
}
