//! Scenario diagnostics, checked from case files.
//!
//! - Every `tests/fixtures/scenarios/invalid/NAME.toml` must be rejected, and
//!   its rendered diagnostics, one after another, each ending in a newline,
//!   must equal `NAME.stderr` byte for byte.
//! - Every `tests/fixtures/scenarios/valid/*.toml` and every shipped
//!   `scenarios/*.toml` must be accepted.
//!
//! A scenario's CSV files (`[\[site_table\]]`) sit next to it and are read
//! relative to it, as `scenarios::load` does.
//!
//! Files are named by their path relative to the workspace root, so the
//! golden text is the same on every machine. After a deliberate change to
//! the messages, rewrite the goldens with
//! `UPDATE_GOLDEN=1 cargo test --test integration scenario_errors` and review
//! the diff.

use std::fs;
use std::path::{Path, PathBuf};

/// The workspace root, which every fixture path is relative to.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `*.toml` files of `dir` (relative to the root), sorted by name.
fn toml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<_> = fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.toml files in {dir}");
    files
}

/// `path` relative to the root, with `/` separators on every platform.
fn relative(path: &Path) -> String {
    let relative = path.strip_prefix(root()).expect("fixture under the root");
    let parts: Vec<_> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// Reads a file a scenario names; `path` is relative to the root, like
/// the scenario's name.
fn read_relative(path: &Path) -> std::io::Result<String> {
    fs::read_to_string(root().join(path))
}

/// What `swapsim check` prints for `source`: every diagnostic rendered,
/// joined by newlines, with a final newline; `None` if it is accepted.
fn rendered(source: &str, name: &str) -> Option<String> {
    let problems = scenarios::parse_with(source, name, &read_relative).err()?;
    let mut text = problems
        .iter()
        .map(|p| p.render())
        .collect::<Vec<_>>()
        .join("\n");
    text.push('\n');
    Some(text)
}

#[test]
fn invalid_scenarios_render_their_golden_diagnostics() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for path in toml_files("tests/fixtures/scenarios/invalid") {
        let name = relative(&path);
        let source = fs::read_to_string(&path).expect("fixture is UTF-8");
        let golden_path = path.with_extension("stderr");
        let Some(actual) = rendered(&source, &name) else {
            failures.push(format!("{name}: accepted, expected diagnostics"));
            continue;
        };
        if update {
            fs::write(&golden_path, &actual).expect("golden file is writable");
            continue;
        }
        match fs::read_to_string(&golden_path) {
            Ok(golden) if golden == actual => {}
            Ok(golden) => failures.push(format!(
                "{name}: diagnostics differ from {}\n--- expected\n{golden}+++ actual\n{actual}",
                relative(&golden_path)
            )),
            Err(e) => failures.push(format!("{name}: no golden {}: {e}", relative(&golden_path))),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nrerun with UPDATE_GOLDEN=1 to accept the new text",
        failures.join("\n\n")
    );
}

#[test]
fn every_golden_has_its_scenario() {
    let dir = root().join("tests/fixtures/scenarios/invalid");
    for entry in fs::read_dir(&dir).expect("invalid fixtures exist") {
        let path = entry.expect("readable directory entry").path();
        if path.extension().is_some_and(|ext| ext == "stderr") {
            assert!(
                path.with_extension("toml").exists(),
                "{} has no scenario",
                relative(&path)
            );
        }
    }
}

#[test]
fn valid_and_shipped_scenarios_are_accepted() {
    let mut failures = Vec::new();
    let shipped = toml_files("scenarios")
        .into_iter()
        .filter(|path| !path.ends_with("Cargo.toml"));
    for path in toml_files("tests/fixtures/scenarios/valid")
        .iter()
        .chain(&shipped.collect::<Vec<_>>())
    {
        let name = relative(path);
        let source = fs::read_to_string(path).expect("scenario is UTF-8");
        if let Some(problems) = rendered(&source, &name) {
            failures.push(problems);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
