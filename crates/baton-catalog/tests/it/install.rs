//! Installs: crash safety (a failure injected at each point leaves the previous
//! install and registry intact), and hostile archives never write outside staging.

use std::cell::Cell;
use std::io::Write;
use std::path::Path;

use baton_catalog::install::{self, AddOptions, Env, FaultPoint, Faults};
use baton_catalog::net::{Client, NetConfig};
use proptest::prelude::*;

const V1: &str = "schema_version: \"1.0\"\nworkflow:\n  id: hello\n  name: Hello\n  version: \"1.0.0\"\nsteps:\n  - id: a\n    type: shell\n    run: echo 1\n";
const V2: &str = "schema_version: \"1.0\"\nworkflow:\n  id: hello\n  name: Hello\n  version: \"2.0.0\"\nsteps:\n  - id: a\n    type: shell\n    run: echo 2\n";

struct FailAt(FaultPoint, Cell<bool>);

impl Faults for FailAt {
    fn check(&self, point: FaultPoint) -> std::io::Result<()> {
        if point == self.0 {
            self.1.set(true);
            return Err(std::io::Error::other("injected"));
        }
        Ok(())
    }
}

fn add(root: &Path, source: &str, faults: &dyn Faults) -> Result<install::Installed, install::Failure> {
    let client = Client::new(NetConfig::default());
    let env = Env {
        project_root: root,
        cwd: root,
        home: None,
        catalog_env: None,
        client: &client,
        temp_dir: root,
        now: jiff::Timestamp::UNIX_EPOCH,
        custom_steps: &baton_model::NoCustomSteps,
        faults,
    };
    let opts = AddOptions { source, ..AddOptions::default() };
    let plan = install::plan_add(&env, &opts)?;
    install::run_add(&env, &opts, &plan, &mut Vec::new())
}

fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    let dir = root.join(".specify/workflows");
    let mut out: Vec<_> = baton_catalog::archive::list_tree(&dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| dir.join(p).is_file())
        .map(|p| (p.display().to_string(), std::fs::read(dir.join(&p)).unwrap()))
        .collect();
    out.sort();
    out
}

fn project() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".specify")).unwrap();
    d
}

#[test]
fn single_file_reinstall_failing_at_each_point_keeps_the_previous_install() {
    for point in [FaultPoint::Staged, FaultPoint::Locked, FaultPoint::BackedUp, FaultPoint::Committed, FaultPoint::RegistryWrite] {
        let p = project();
        std::fs::write(p.path().join("v1.yml"), V1).unwrap();
        std::fs::write(p.path().join("v2.yml"), V2).unwrap();
        add(p.path(), "v1.yml", &install::NoFaults).unwrap();
        let before = snapshot(p.path());
        let faults = FailAt(point, Cell::new(false));
        let err = add(p.path(), "v2.yml", &faults).unwrap_err();
        assert!(faults.1.get(), "{point:?} not reached");
        assert_eq!(err.code, 1);
        assert_eq!(snapshot(p.path()), before, "{point:?}: {err:?}");
    }
}

#[test]
fn fresh_install_failing_leaves_no_directory() {
    for point in [FaultPoint::Staged, FaultPoint::Locked, FaultPoint::Committed, FaultPoint::RegistryWrite] {
        let p = project();
        std::fs::write(p.path().join("v1.yml"), V1).unwrap();
        let faults = FailAt(point, Cell::new(false));
        add(p.path(), "v1.yml", &faults).unwrap_err();
        assert!(!p.path().join(".specify/workflows/hello").exists(), "{point:?}");
        assert!(!p.path().join(".specify/workflows/workflow-registry.json").exists(), "{point:?}");
    }
}

#[test]
fn package_reinstall_failing_at_each_point_keeps_the_previous_package() {
    for point in [FaultPoint::Staged, FaultPoint::Locked, FaultPoint::BackedUp, FaultPoint::Committed, FaultPoint::RegistryWrite] {
        let p = project();
        for (dir, text, extra) in [("pkg1", V1, "old.txt"), ("pkg2", V2, "new.txt")] {
            std::fs::create_dir(p.path().join(dir)).unwrap();
            std::fs::write(p.path().join(dir).join("workflow.yml"), text).unwrap();
            std::fs::write(p.path().join(dir).join(extra), "x").unwrap();
        }
        add(p.path(), "pkg1", &install::NoFaults).unwrap();
        let before = snapshot(p.path());
        let faults = FailAt(point, Cell::new(false));
        add(p.path(), "pkg2", &faults).unwrap_err();
        assert!(faults.1.get(), "{point:?} not reached");
        assert_eq!(snapshot(p.path()), before, "{point:?}");
        let leftovers: Vec<_> = std::fs::read_dir(p.path().join(".specify/workflows"))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.') && n != ".workflow-install.lock")
            .collect();
        assert!(leftovers.is_empty(), "{point:?}: {leftovers:?}");
    }
}

// ---- hostile archives ---------------------------------------------------------

fn zip_bytes(entries: &[(String, Vec<u8>, u32)]) -> Vec<u8> {
    // STORED entries, written by hand: local headers, central directory, EOCD.
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data, mode) in entries {
        let crc = crc32fast::hash(data);
        let offset = out.len() as u32;
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&(0x0300u16 | 20).to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&[0, 0, 0, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&(mode << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn tar_gz_bytes(entries: &[(String, Vec<u8>, u8)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(gz);
    for (name, data, kind) in entries {
        let mut header = tar::Header::new_ustar();
        let bytes = name.as_bytes();
        let n = bytes.len().min(99);
        header.as_old_mut().name[..n].copy_from_slice(&bytes[..n]);
        header.set_size(data.len() as u64);
        header.set_entry_type(tar::EntryType::new(*kind));
        if *kind == b'2' || *kind == b'1' {
            header.set_link_name("../../etc/passwd").ok();
        }
        header.set_mode(0o644);
        header.set_cksum();
        builder.append(&header, data.as_slice()).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

fn hostile_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("../evil.txt".to_owned()),
        Just("/abs.txt".to_owned()),
        Just("a/../../evil.txt".to_owned()),
        Just("./x".to_owned()),
        Just("C:evil".to_owned()),
        Just("con.txt".to_owned()),
        Just("a\\..\\..\\evil".to_owned()),
        Just("A.txt".to_owned()),
        Just("a.txt".to_owned()),
        Just("a.txt/b".to_owned()),
        "[a-zA-Z0-9._/\\\\ -]{1,12}",
    ]
}

fn check_confined(archive: &[u8], suffix: &str) {
    let outer = tempfile::tempdir().unwrap();
    let staging = outer.path().join("staging");
    std::fs::create_dir(&staging).unwrap();
    let path = outer.path().join(format!("a{suffix}"));
    std::fs::File::create(&path).unwrap().write_all(archive).unwrap();
    let before: Vec<_> = baton_catalog::archive::list_tree(outer.path()).unwrap();
    let result = baton_catalog::archive::extract(&path, &staging, &format!("a{suffix}"), None, &Default::default());
    let after: Vec<_> = baton_catalog::archive::list_tree(outer.path()).unwrap();
    for p in &after {
        assert!(before.contains(p) || p.starts_with("staging"), "{p:?} written outside staging ({result:?})");
    }
    for p in baton_catalog::archive::list_tree(&staging).unwrap() {
        let meta = std::fs::symlink_metadata(staging.join(&p)).unwrap();
        assert!(!meta.file_type().is_symlink(), "symlink extracted: {p:?}");
    }
    let _ = result;
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn hostile_zip_never_escapes(entries in proptest::collection::vec((hostile_name(), proptest::collection::vec(any::<u8>(), 0..16), prop_oneof![Just(0o100644u32), Just(0o120777u32), Just(0o040755u32)]), 0..6)) {
        check_confined(&zip_bytes(&entries), ".zip");
    }

    #[test]
    fn hostile_tar_never_escapes(entries in proptest::collection::vec((hostile_name(), proptest::collection::vec(any::<u8>(), 0..16), prop_oneof![Just(b'0'), Just(b'2'), Just(b'1'), Just(b'5'), Just(b'6')]), 0..6)) {
        check_confined(&tar_gz_bytes(&entries), ".tar.gz");
    }

    #[test]
    fn random_bytes_are_refused_or_confined(bytes in proptest::collection::vec(any::<u8>(), 0..400), zip in any::<bool>()) {
        let mut data = bytes;
        if zip { data.splice(0..0, b"PK\x03\x04".iter().copied()); } else { data.splice(0..0, [0x1f, 0x8b]); }
        check_confined(&data, if zip { ".zip" } else { ".tgz" });
    }
}

#[test]
fn refusals_write_nothing() {
    let many: Vec<_> = (0..513).map(|i| (format!("f{i}"), Vec::new(), 0o100644)).collect();
    let outer = tempfile::tempdir().unwrap();
    let staging = outer.path().join("s");
    std::fs::create_dir(&staging).unwrap();
    for (bytes, want) in [
        (zip_bytes(&many), "ZIP archive contains too many entries (513 > 512)"),
        (zip_bytes(&[("ok.txt".into(), b"x".to_vec(), 0o100644), ("../evil.txt".into(), b"x".to_vec(), 0o100644)]), "Unsafe path in ZIP archive: '../evil.txt' (potential path traversal)"),
        (zip_bytes(&[("ok.txt".into(), b"x".to_vec(), 0o100644), ("link".into(), b"/etc".to_vec(), 0o120777)]), "Unsafe symlink in ZIP archive: link"),
        (zip_bytes(&[("a.txt".into(), b"x".to_vec(), 0o100644), ("A.txt".into(), b"x".to_vec(), 0o100644)]), "Conflicting path in ZIP archive: A.txt conflicts with a.txt"),
    ] {
        let path = outer.path().join("x.zip");
        std::fs::write(&path, &bytes).unwrap();
        let e = baton_catalog::archive::extract(&path, &staging, "x.zip", None, &Default::default()).unwrap_err();
        assert_eq!(e.0, want);
        assert!(std::fs::read_dir(&staging).unwrap().next().is_none(), "{want}: something was written");
    }
}
