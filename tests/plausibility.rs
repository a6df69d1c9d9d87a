//! Plausibility warnings: values that are valid but outside what an e-bike
//! swap network has (issue 10: `capacity_wh = 1.1`, kWh typed as Wh).
//!
//! - Every `tests/fixtures/scenarios/implausible/NAME.toml` must be
//!   accepted, and its rendered warnings, one after another, each ending in
//!   a newline, must equal `NAME.stderr` byte for byte.
//! - No shipped scenario warns, nor a scenario that `import-survey` makes
//!   from a shipped or fixture sheet.
//!
//! What `--deny-warnings` does to the exit code is in the CLI cases
//! (`tests/fixtures/cli/*implausible*.case`). After a deliberate change to
//! the messages or the ranges, rewrite the goldens with
//! `UPDATE_GOLDEN=1 cargo test --test integration plausibility` and review
//! the diff.

use std::fs;
use std::path::Path;

use swapsim_suite::fixtures::{files, relative, root, shipped_scenarios, update_golden};

/// The rendered warnings of the scenario at `path` (accepted, or the test
/// fails), each followed by a newline.
fn warnings(path: &Path) -> String {
    let name = relative(path);
    let source = fs::read_to_string(path).expect("scenario is UTF-8");
    let read = |file: &Path| fs::read_to_string(root().join(file));
    warnings_of(&source, &name, &read)
}

fn warnings_of(
    source: &str,
    name: &str,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
) -> String {
    let (_, warnings) = scenarios::parse_with_warnings(source, name, read).unwrap_or_else(|e| {
        let rendered: Vec<_> = e.iter().map(|d| d.render()).collect();
        panic!("{name} rejected:\n{}", rendered.join("\n"))
    });
    warnings
        .iter()
        .map(|w| format!("{}\n", w.render()))
        .collect()
}

#[test]
fn implausible_scenarios_render_their_golden_warnings() {
    let mut failures = Vec::new();
    for path in files("tests/fixtures/scenarios/implausible", "toml") {
        let name = relative(&path);
        let actual = warnings(&path);
        let golden_path = path.with_extension("stderr");
        if actual.is_empty() {
            failures.push(format!("{name}: no warning"));
        }
        if update_golden() {
            fs::write(&golden_path, &actual).expect("golden file is writable");
            continue;
        }
        match fs::read_to_string(&golden_path) {
            Ok(golden) if golden == actual => {}
            Ok(golden) => failures.push(format!(
                "{name}: warnings differ from {}\n--- expected\n{golden}+++ actual\n{actual}",
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

/// The issue's three unit slips, each at its value with the intended one.
#[test]
fn the_three_unit_slips_of_the_issue_warn_at_their_values() {
    let path = root().join("tests/fixtures/scenarios/implausible/unit-slips.toml");
    let text = warnings(&path);
    let heads: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    let file = "tests/fixtures/scenarios/implausible/unit-slips.toml";
    let expected = [
        (9, 15, "battery.capacity_wh: 1.1 Wh", "did you mean 1100 Wh"),
        (
            13,
            13,
            "home_charging.charger_w: 0.25 W",
            "did you mean 250 W",
        ),
        (
            23,
            30,
            "site[0].transformer.rating_kva: site '美吉鑫小区': 0.8 kVA",
            "did you mean 800 kVA",
        ),
    ];
    assert_eq!(heads.len(), expected.len(), "{text}");
    for (head, (line, column, start, hint)) in heads.iter().zip(expected) {
        let prefix = format!("warning: {file}:{line}:{column}: {start} is outside");
        assert!(head.starts_with(&prefix), "{head}\nexpected {prefix}");
        assert!(head.contains(hint), "{head}\nexpected {hint}");
    }
}

#[test]
fn shipped_scenarios_warn_of_nothing() {
    let mut failures = Vec::new();
    for path in shipped_scenarios() {
        let text = warnings(&path);
        if !text.is_empty() {
            failures.push(text);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A sheet imported with a shipped or fixture template gives a scenario
/// without warnings.
#[test]
fn imported_surveys_warn_of_nothing() {
    let sheets = files("tests/fixtures/survey/valid", "csv")
        .into_iter()
        .chain([root().join("scenarios/bishan-survey-sample.csv")]);
    let templates = [
        root().join("scenarios/survey-template.toml"),
        root().join("tests/fixtures/survey/template.toml"),
    ];
    let mut failures = Vec::new();
    for sheet in sheets {
        for template in &templates {
            let scenario = scenarios::import_survey(
                &fs::read_to_string(&sheet).expect("sheet is UTF-8"),
                &relative(&sheet),
                &fs::read_to_string(template).expect("template is UTF-8"),
                &relative(template),
            )
            .unwrap_or_else(|e| panic!("{}: {e:?}", relative(&sheet)));
            let no_files = |_: &Path| Err(std::io::ErrorKind::NotFound.into());
            let text = warnings_of(&scenario, "imported.toml", &no_files);
            if !text.is_empty() {
                failures.push(format!(
                    "{} with {}:\n{text}",
                    relative(&sheet),
                    relative(template)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
