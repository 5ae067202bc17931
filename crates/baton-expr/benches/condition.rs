//! How long a realistic 200-character condition takes: parsed and evaluated from text
//! each time (what `evaluate_condition` does), and rendered from a parsed [`Template`].

#![allow(missing_docs, clippy::unwrap_used)]

use baton_expr::{evaluate_condition, json, MapNamespace, Template};
use criterion::{criterion_group, criterion_main, Criterion};

const CONDITION: &str = "{{ (steps.plan.output.task_count > 2 and inputs.mode == 'read and write') \
    or (inputs.tags | join(',') | contains('b')) and not inputs.flag == false \
    and 'x.md' in steps.plan.output.files and inputs.z <= 0 }}";

fn namespace() -> MapNamespace {
    let inputs = json::loads(
        r#"{"mode": "read and write", "tags": ["a", "b", "c"], "flag": true, "z": 0}"#,
    )
    .unwrap();
    let steps = json::loads(
        r#"{"plan": {"status": "completed", "output": {"task_count": 3, "files": ["x.md", "y.md"]}}}"#,
    )
    .unwrap();
    MapNamespace::new().with("inputs", inputs).with("steps", steps)
}

fn bench(c: &mut Criterion) {
    assert!(CONDITION.len() >= 195 && CONDITION.len() <= 215, "{}", CONDITION.len());
    let ns = namespace();
    assert!(evaluate_condition(CONDITION, &ns).unwrap());
    c.bench_function("evaluate_condition (parse + evaluate, 200 chars)", |b| {
        b.iter(|| evaluate_condition(std::hint::black_box(CONDITION), &ns).unwrap())
    });
    let template = Template::parse(CONDITION);
    c.bench_function("Template::render (pre-parsed, 200 chars)", |b| {
        b.iter(|| template.render(std::hint::black_box(&ns)).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
