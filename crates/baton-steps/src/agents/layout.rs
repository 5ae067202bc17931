//! Reading the project to choose between an integration's two layouts (bob, copilot).

use std::path::Path;

/// Which of its two layouts an integration uses in a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Agent skills (`speckit-<name>/SKILL.md`): the default.
    Skills,
    /// The older per-command files (bob: `.bob/commands/speckit.*.md`; copilot:
    /// `.github/agents/speckit.*.agent.md` or `.github/prompts/speckit.*.prompt.md`).
    Legacy,
}

/// The commands whose copilot files decide the layout on disk.
const COPILOT_CORE_COMMANDS: [&str; 10] = [
    "analyze",
    "checklist",
    "clarify",
    "constitution",
    "converge",
    "implement",
    "plan",
    "specify",
    "tasks",
    "taskstoissues",
];

/// Whether `dir` has an entry (file or folder) whose name passes `matches`.
fn any_entry(dir: &Path, matches: impl Fn(&str) -> bool) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| e.file_name().to_str().is_some_and(&matches))
}

/// bob: legacy when `.bob/commands/speckit.*.md` exists and no `.bob/skills/speckit-*`.
pub fn bob_layout(root: &Path) -> Layout {
    let bob = root.join(".bob");
    let skills = any_entry(&bob.join("skills"), |n| n.starts_with("speckit-"));
    let commands = any_entry(&bob.join("commands"), |n| {
        n.len() >= "speckit..md".len() && n.starts_with("speckit.") && n.ends_with(".md")
    });
    if commands && !skills {
        Layout::Legacy
    } else {
        Layout::Skills
    }
}

/// copilot: the integration manifest decides first (a managed skill → skills, else a
/// managed agent file → legacy); then the files on disk (core-command agent or prompt
/// files and no core-command skill → legacy). An unreadable or malformed manifest is
/// ignored.
pub fn copilot_layout(root: &Path) -> Layout {
    let manifest = root.join(".specify").join("integrations").join("copilot.manifest.json");
    if manifest.is_file() {
        if let Some(files) = manifest_files(&manifest) {
            if files.iter().any(|p| p.starts_with(".github/skills/speckit-") && p.ends_with("/SKILL.md")) {
                return Layout::Skills;
            }
            if files.iter().any(|p| p.starts_with(".github/agents/speckit.") && p.ends_with(".agent.md")) {
                return Layout::Legacy;
            }
        }
    }
    let github = root.join(".github");
    let skills = COPILOT_CORE_COMMANDS
        .iter()
        .any(|c| github.join("skills").join(format!("speckit-{c}")).join("SKILL.md").is_file());
    let legacy = COPILOT_CORE_COMMANDS.iter().any(|c| {
        github.join("agents").join(format!("speckit.{c}.agent.md")).is_file()
            || github.join("prompts").join(format!("speckit.{c}.prompt.md")).is_file()
    });
    if legacy && !skills {
        Layout::Legacy
    } else {
        Layout::Skills
    }
}

/// The `files` keys of a copilot manifest the reference would load, or `None` where it
/// would refuse the manifest.
fn manifest_files(path: &Path) -> Option<Vec<String>> {
    use serde_json::Value;
    let text = std::fs::read_to_string(path).ok()?;
    let Value::Object(data) = serde_json::from_str::<Value>(&text).ok()? else {
        return None;
    };
    let files = match data.get("files") {
        None => serde_json::Map::new(),
        Some(Value::Object(files)) if files.values().all(Value::is_string) => files.clone(),
        Some(_) => return None,
    };
    match data.get("ownership_modes") {
        None => {}
        Some(Value::Object(modes))
            if modes.iter().all(|(k, v)| {
                files.contains_key(k) && matches!(v.as_str(), Some("whole" | "partial" | "shared"))
            }) => {}
        Some(_) => return None,
    }
    match data.get("recovered_files") {
        None => {}
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {}
        Some(_) => return None,
    }
    match data.get("integration") {
        None | Some(Value::Null | Value::Bool(false)) => {}
        Some(Value::String(s)) if s.is_empty() || s == "copilot" => {}
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => {}
        Some(Value::Array(a)) if a.is_empty() => {}
        Some(Value::Object(o)) if o.is_empty() => {}
        Some(_) => return None,
    }
    Some(files.keys().cloned().collect())
}
