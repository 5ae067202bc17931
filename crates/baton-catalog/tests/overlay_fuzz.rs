//! The CI-sized counterpart of the `overlay` cargo-fuzz target (`fuzz/`, issue 20):
//! overlay files and their base workflow from `fixtures/overlays`, mutated (bit flips,
//! cuts, splices, inserted YAML tokens and bad bytes), then loaded and composed in
//! memory (`yaml::parse` → `validate_manifest` → `compose`) and from disk in a project
//! (`overlay::resolve`). Every case ends in an error with a message or a composed
//! workflow (a mapping); a panic fails.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use baton_catalog::overlay::compose::{compose, OverlayInput};
use baton_catalog::overlay::manifest::validate_manifest;
use baton_model::yaml::{self, Node};
use proptest::prelude::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A base workflow and its overlay files, as bytes.
#[derive(Debug, Clone)]
struct Seed {
    base: Vec<u8>,
    overlays: Vec<Vec<u8>>,
}

/// Seeds: the `overlay` CLI fixtures (their base, then lint and audit on it) and every
/// composition case of `fixtures/overlays/compose` (its `base` and `overlays` dumped to
/// files of their own), each overlay made to extend `w`, the workflow the project holds.
fn seeds() -> Vec<Seed> {
    let cli = repo().join("fixtures/overlays/cli");
    let read = |name: &str| std::fs::read(cli.join(name)).unwrap();
    let retarget = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap().replace("extends: ovl", "extends: w").into_bytes();
    let mut seeds = vec![Seed {
        base: read("base.yml"),
        overlays: vec![retarget(read("lint.yml")), retarget(read("audit.yml")), retarget(read("bad.yml"))],
    }];
    let dir = repo().join("fixtures/overlays/compose");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "yml")) {
        let case = yaml::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
        let Some(base) = case.get("base") else { continue };
        let overlays = case.get("overlays").and_then(Node::as_seq).unwrap_or_default();
        seeds.push(Seed {
            base: yaml::dump(base).into_bytes(),
            overlays: overlays.iter().map(|o| yaml::dump(o).replace("extends: ovl", "extends: w").into_bytes()).collect(),
        });
    }
    assert!(seeds.len() > 10, "overlay seeds found: {}", seeds.len());
    seeds
}

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(prop::sample::Index, u8),
    Truncate(prop::sample::Index),
    Insert(prop::sample::Index, Vec<u8>),
    Remove(prop::sample::Index, usize),
    Splice(prop::sample::Index, prop::sample::Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop_oneof![
        prop::collection::vec(any::<u8>(), 1..6),
        prop::sample::select(vec![
            b"{".to_vec(),
            b"}".to_vec(),
            b"[".to_vec(),
            b"]".to_vec(),
            b"\"".to_vec(),
            b":".to_vec(),
            b"\n".to_vec(),
            b"\n  - ".to_vec(),
            b"null".to_vec(),
            b"~".to_vec(),
            b"&a ".to_vec(),
            b"*a".to_vec(),
            b"<<: ".to_vec(),
            b"\t".to_vec(),
            b"\xff".to_vec(),
            b"\xef\xbb\xbf".to_vec(),
            b"insert_after: ".to_vec(),
            b"insert_before: ".to_vec(),
            b"replace: ".to_vec(),
            b"remove: ".to_vec(),
            b"operation: ".to_vec(),
            b"anchor: ".to_vec(),
            b"priority: ".to_vec(),
            b"enabled: ".to_vec(),
            b"step: ".to_vec(),
            b"id: ".to_vec(),
            b"extends: w\n".to_vec(),
            b"edits: ".to_vec(),
            b"steps: ".to_vec(),
            b"-99999999999999999999999".to_vec(),
            b"x:y".to_vec(),
        ]),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (any::<prop::sample::Index>(), token).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Remove(i, n)),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>(), 1usize..200)
            .prop_map(|(a, b, n)| Mutation::Splice(a, b, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    let at = |i: &prop::sample::Index| if len == 0 { 0 } else { i.index(len + 1) };
    match m {
        Mutation::Flip(i, b) => {
            if len > 0 {
                let p = i.index(len);
                bytes[p] ^= b;
            }
        }
        Mutation::Truncate(i) => bytes.truncate(at(i)),
        Mutation::Insert(i, t) => {
            let p = at(i);
            bytes.splice(p..p, t.iter().copied());
        }
        Mutation::Remove(i, n) => {
            let p = at(i);
            let end = (p + n).min(len);
            bytes.drain(p..end);
        }
        Mutation::Splice(a, b, n) => {
            let from = at(a);
            let end = (from + n).min(len);
            let piece = bytes[from..end].to_vec();
            let to = at(b);
            bytes.splice(to..to, piece);
        }
    }
}

/// The in-memory path: whatever parses and validates is composed; a composed
/// definition is a mapping; a refusal has a message.
fn in_memory(seed: &Seed) {
    let Ok(base) = yaml::parse(&String::from_utf8_lossy(&seed.base)) else { return };
    let manifests: Vec<_> = seed
        .overlays
        .iter()
        .filter_map(|bytes| yaml::parse(&String::from_utf8_lossy(bytes)).ok())
        .filter_map(|doc| match validate_manifest(&doc) {
            Ok(overlay) => Some(overlay),
            Err(errors) => {
                assert!(!errors.is_empty() && errors.iter().all(|e| !e.is_empty()), "an invalid overlay names its problems");
                None
            }
        })
        .collect();
    let sources: Vec<String> = manifests.iter().map(|m| format!("project:{}", m.id)).collect();
    let inputs: Vec<OverlayInput<'_>> =
        manifests.iter().zip(&sources).map(|(overlay, source)| OverlayInput { overlay, source }).collect();
    match compose(&base, &inputs) {
        Ok(done) => {
            let _ = baton_model::validate(&done.definition, &baton_model::NoCustomSteps);
            let _ = yaml::dump(&done.definition);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// The disk path, as `run <id>` and `resolve` load overlays.
fn from_disk(root: &Path, seed: &Seed) {
    let workflows = root.join(".specify/workflows");
    let dir = workflows.join("overlays/w");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(workflows.join("w")).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(workflows.join("w/workflow.yml"), &seed.base).unwrap();
    for (i, bytes) in seed.overlays.iter().enumerate() {
        std::fs::write(dir.join(format!("o{i}.yml")), bytes).unwrap();
    }
    match baton_catalog::overlay::resolve(root, "w") {
        Ok(resolved) => {
            assert!(resolved.definition.as_map().is_some(), "a composed workflow is a mapping");
            let _ = baton_model::validate(&resolved.definition, &baton_model::NoCustomSteps);
        }
        Err(e) => assert!(!e.to_string().trim().is_empty(), "an error without a message: {e:?}"),
    }
}

#[test]
fn the_seeds_compose() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds();
    // The unmutated CLI seed (lint + audit + bad) is refused: `bad.yml` is invalid.
    from_disk(tmp.path(), &seeds[0]);
    // Its base with lint alone composes.
    let lint_only = Seed { base: seeds[0].base.clone(), overlays: vec![seeds[0].overlays[0].clone()] };
    from_disk(tmp.path(), &lint_only);
    let resolved = baton_catalog::overlay::resolve(tmp.path(), "w").unwrap();
    let ids: Vec<&str> = resolved.attribution.iter().map(|a| a.step_id.as_str()).collect();
    assert!(ids.contains(&"lint1"), "{ids:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any corruption of an overlay file or its base: an error or a composed workflow.
    #[test]
    fn overlay_loader_never_panics_on_mutated_files(
        seed in any::<prop::sample::Index>(),
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(mutation(), 1..6),
    ) {
        thread_local! {
            static SEEDS: Vec<Seed> = seeds();
            static PROJECT: tempfile::TempDir = tempfile::tempdir().unwrap();
        }
        let mut case = SEEDS.with(|s| seed.get(s).clone());
        let target = which.index(case.overlays.len() + 1);
        let bytes = if target == 0 { &mut case.base } else { &mut case.overlays[target - 1] };
        for m in &edits {
            apply(bytes, m);
        }
        in_memory(&case);
        PROJECT.with(|p| from_disk(p.path(), &case));
    }
}
