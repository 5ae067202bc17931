//! The public API beyond the tables: templates, paths, diagnostics' spans and hints,
//! and the nesting limit.

use baton_expr::{
    condition_diagnostics, evaluate, render, ConditionFault, ExprError, MapNamespace, Template, Value,
};

#[test]
fn paths_carry_spans_in_the_template() {
    let text = "x {{ (inputs.a  or\n  steps.b-1.output) | default(item[0]) }} y";
    let got: Vec<(String, &str)> =
        Template::parse(text).paths().into_iter().map(|p| (p.path, &text[p.span])).collect();
    assert_eq!(
        got,
        [
            ("inputs.a".to_owned(), "inputs.a"),
            ("steps.b-1.output".to_owned(), "steps.b-1.output"),
            ("item[0]".to_owned(), "item[0]"),
        ]
    );
}

#[test]
fn typed_and_plain_templates() {
    assert!(Template::parse(" {{ a }} ").is_typed());
    assert!(!Template::parse("{{ a }}{{ b }}").is_typed());
    assert!(Template::parse("no blocks").is_plain_text());
    assert!(Template::parse("{{ unclosed").is_plain_text());
}

#[test]
fn diagnostics_point_at_the_fault() {
    let cond = "  {{ true }} and {{ inputs.ready";
    let d = &condition_diagnostics(cond)[0];
    assert_eq!(d.fault, ConditionFault::NeverEvaluated);
    assert_eq!(&cond[d.span.clone()], "{{ inputs.ready");
    assert_eq!(d.replacement.as_deref(), Some("{{ true and inputs.ready }}"));

    let cond = "{{ inputs.missing | default('oops }} tail";
    let d = &condition_diagnostics(cond)[0];
    assert_eq!(d.fault, ConditionFault::MalformedBlock);
    assert_eq!(&cond[d.span.clone()], "{{ inputs.missing | default('oops }}");
    assert_eq!(d.replacement, None);

    let cond = " {{ a }} and {{ b }} ";
    let d = &condition_diagnostics(cond)[0];
    assert_eq!(d.fault, ConditionFault::InterpolatedToText);
    assert_eq!(&cond[d.span.clone()], "{{ a }} and {{ b }}");
    assert!(!d.hint.is_empty());

    let d = &condition_diagnostics("inputs.name ==")[0];
    assert_eq!(d.replacement, None);
    assert!(d.message.starts_with("'condition' 'inputs.name ==' is not a single complete '{{ }}' block"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let ns = MapNamespace::new();
    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    assert_eq!(evaluate(&deep, &ns), Err(ExprError::TooDeep(1000)));
    let fine = format!("{}1{}", "(".repeat(990), ")".repeat(990));
    assert_eq!(evaluate(&fine, &ns), Ok(Value::from(1)));
    assert_eq!(render(&format!("{{{{ {deep} }}}}"), &ns), Err(ExprError::TooDeep(1000)));
}
