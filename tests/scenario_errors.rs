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
use std::path::Path;

use swapsim_suite::fixtures::{files, relative, root, shipped_scenarios, update_golden};

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
    let update = update_golden();
    let mut failures = Vec::new();
    for path in files("tests/fixtures/scenarios/invalid", "toml") {
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
    for path in files("tests/fixtures/scenarios/valid", "toml")
        .iter()
        .chain(&shipped_scenarios())
    {
        let name = relative(path);
        let source = fs::read_to_string(path).expect("scenario is UTF-8");
        if let Some(problems) = rendered(&source, &name) {
            failures.push(problems);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
