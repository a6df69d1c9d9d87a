//! Survey import, checked from case files.
//!
//! - Every `tests/fixtures/survey/invalid/NAME.csv` must be rejected, and
//!   its rendered diagnostics, one after another, each ending in a newline,
//!   must equal `NAME.stderr` byte for byte.
//! - Every `tests/fixtures/survey/valid/NAME.csv` must be imported, the
//!   scenario must equal `NAME.toml` byte for byte, and it must parse.
//! - A sheet is imported with `NAME.template.toml` when there is one, else
//!   with `tests/fixtures/survey/template.toml`.
//! - The shipped sample sheet and template make a scenario that simulates.
//! - Every sheet, written as an `.xlsx` workbook with the same cells in
//!   the same rows (numbers as numbers), imports to the same scenario (but
//!   for the line that names the file), or, if invalid, to the diagnostics
//!   in `NAME.xlsx.stderr`, which name each cell as Excel does.
//!
//! Files are named by their path relative to the workspace root, so the
//! golden text is the same on every machine. After a deliberate change,
//! rewrite the goldens with
//! `UPDATE_GOLDEN=1 cargo test --test integration survey` and review the
//! diff.

use std::fs;
use std::path::Path;

use swapsim_suite::fixtures::{files, relative, root, update_golden};

/// Imports `sheet` with its template: `Ok(scenario)` or the rendered
/// diagnostics, as `swapsim import-survey` prints them.
fn import(sheet: &Path) -> Result<String, String> {
    let own = sheet.with_extension("template.toml");
    let template = if own.exists() {
        own
    } else {
        root().join("tests/fixtures/survey/template.toml")
    };
    let source = fs::read_to_string(sheet).expect("sheet is UTF-8");
    let template_source = fs::read_to_string(&template).expect("template is UTF-8");
    scenarios::import_survey(
        &source,
        &relative(sheet),
        &template_source,
        &relative(&template),
    )
    .map_err(|problems| {
        let mut text = problems
            .iter()
            .map(|p| p.render())
            .collect::<Vec<_>>()
            .join("\n");
        text.push('\n');
        text
    })
}

/// The cells of the CSV `sheet` as an `.xlsx` workbook with one sheet,
/// `Sheet1`: each record in the row of its first line, so that rows are
/// the CSV's lines; a cell that reads as a number is written as one, as
/// Excel keeps it.
pub(crate) fn workbook_of(csv_text: &str) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    write_sheet(workbook.add_worksheet(), csv_text);
    workbook
        .save_to_buffer()
        .expect("a workbook in memory saves")
}

/// Writes the cells of `csv_text` into `sheet`, as [`workbook_of`] does.
pub(crate) fn write_sheet(sheet: &mut rust_xlsxwriter::Worksheet, csv_text: &str) {
    let text = csv_text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    for record in reader.records() {
        let record = record.expect("the fixture is valid CSV");
        let start = record.position().expect("a record has a position").byte();
        let mut start = usize::try_from(start).expect("a small sheet");
        // The reported start can be on the line ending before the record.
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let line = text.as_bytes()[..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let row = u32::try_from(line).expect("a small sheet");
        for (col, cell) in (0..).zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            let written = match cell.parse::<f64>() {
                Ok(x) if x.to_string() == cell => sheet.write_number(row, col, x),
                _ => sheet.write_string(row, col, cell),
            };
            written.expect("a cell within the sheet's bounds");
        }
    }
}

/// Imports the CSV `sheet` as a workbook named `NAME.xlsx`.
fn import_workbook(sheet: &Path) -> Result<String, String> {
    let own = sheet.with_extension("template.toml");
    let template = if own.exists() {
        own
    } else {
        root().join("tests/fixtures/survey/template.toml")
    };
    let bytes = workbook_of(&fs::read_to_string(sheet).expect("sheet is UTF-8"));
    let name = relative(&sheet.with_extension("xlsx"));
    let workbook = scenarios::SurveySheet::read(&bytes, &name, None).expect("a workbook");
    let template_source = fs::read_to_string(&template).expect("template is UTF-8");
    scenarios::import_survey_sheet(workbook, &template_source, &relative(&template)).map_err(
        |problems| {
            let mut text = problems
                .iter()
                .map(|p| p.render())
                .collect::<Vec<_>>()
                .join("\n");
            text.push('\n');
            text
        },
    )
}

#[test]
fn workbooks_import_to_the_scenarios_of_their_csv() {
    for path in files("tests/fixtures/survey/valid", "csv") {
        let name = relative(&path);
        let csv = import(&path).unwrap_or_else(|p| panic!("{name}: {p}"));
        let xlsx = import_workbook(&path).unwrap_or_else(|p| panic!("{name} as .xlsx: {p}"));
        let workbook = relative(&path.with_extension("xlsx"));
        let expected = csv.replacen(
            &format!("from {name}: "),
            &format!("from {workbook}, sheet 'Sheet1': "),
            1,
        );
        assert_eq!(xlsx, expected, "{name} as .xlsx");
    }
}

#[test]
fn invalid_workbooks_name_each_bad_cell() {
    let mut failures = Vec::new();
    for path in files("tests/fixtures/survey/invalid", "csv") {
        let name = relative(&path);
        match import_workbook(&path) {
            Ok(_) => failures.push(format!("{name} as .xlsx: imported, expected diagnostics")),
            Err(actual) => golden(
                &name,
                &path.with_extension("xlsx.stderr"),
                &actual,
                &mut failures,
            ),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nrerun with UPDATE_GOLDEN=1 to accept the new text",
        failures.join("\n\n")
    );
}

/// Compares `actual` with the golden file, or rewrites it under
/// `UPDATE_GOLDEN=1`; a difference is pushed to `failures`.
fn golden(name: &str, golden_path: &Path, actual: &str, failures: &mut Vec<String>) {
    if update_golden() {
        fs::write(golden_path, actual).expect("golden file is writable");
        return;
    }
    match fs::read_to_string(golden_path) {
        Ok(golden) if golden == actual => {}
        Ok(golden) => failures.push(format!(
            "{name}: differs from {}\n--- expected\n{golden}+++ actual\n{actual}",
            relative(golden_path)
        )),
        Err(e) => failures.push(format!("{name}: no golden {}: {e}", relative(golden_path))),
    }
}

#[test]
fn invalid_sheets_render_their_golden_diagnostics() {
    let mut failures = Vec::new();
    for path in files("tests/fixtures/survey/invalid", "csv") {
        let name = relative(&path);
        match import(&path) {
            Ok(_) => failures.push(format!("{name}: imported, expected diagnostics")),
            Err(actual) => golden(
                &name,
                &path.with_extension("stderr"),
                &actual,
                &mut failures,
            ),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nrerun with UPDATE_GOLDEN=1 to accept the new text",
        failures.join("\n\n")
    );
}

#[test]
fn valid_sheets_import_to_their_golden_scenarios() {
    let mut failures = Vec::new();
    for path in files("tests/fixtures/survey/valid", "csv") {
        let name = relative(&path);
        match import(&path) {
            Err(problems) => failures.push(format!("{name}: rejected:\n{problems}")),
            Ok(scenario) => {
                if let Err(problems) = scenarios::parse(&scenario, &name) {
                    let problems: Vec<_> = problems.iter().map(|p| p.render()).collect();
                    failures.push(format!(
                        "{name}: not a valid scenario:\n{}",
                        problems.join("\n")
                    ));
                }
                golden(
                    &name,
                    &path.with_extension("toml"),
                    &scenario,
                    &mut failures,
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nrerun with UPDATE_GOLDEN=1 to accept the new text",
        failures.join("\n\n")
    );
}

#[test]
fn every_golden_has_its_sheet() {
    for dir in [
        "tests/fixtures/survey/invalid",
        "tests/fixtures/survey/valid",
    ] {
        for entry in fs::read_dir(root().join(dir)).expect("fixtures exist") {
            let path = entry.expect("readable directory entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let sheet = match name.split_once('.') {
                Some((stem, "stderr" | "xlsx.stderr" | "toml" | "template.toml")) => {
                    path.with_file_name(format!("{stem}.csv"))
                }
                _ => continue,
            };
            assert!(sheet.exists(), "{} has no sheet", relative(&path));
        }
    }
}

/// The shipped sample sheet (12 Bicheng communities, Chinese headers) and
/// template make a scenario that parses and simulates: 3 days, 2
/// replications, seed 1.
#[test]
fn the_shipped_sample_survey_imports_and_simulates() {
    let sheet = root().join("scenarios/bishan-survey-sample.csv");
    let template = root().join("scenarios/survey-template.toml");
    let template_source = fs::read_to_string(&template).expect("template is UTF-8");
    let sheet_source = fs::read_to_string(&sheet).expect("sheet is UTF-8");
    let scenario = scenarios::import_survey(
        &sheet_source,
        &relative(&sheet),
        &template_source,
        &relative(&template),
    )
    .unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert!(scenario.starts_with(&template_source));
    let mut model = scenarios::parse(&scenario, "bicheng.toml").unwrap_or_else(|problems| {
        let problems: Vec<_> = problems.iter().map(|p| p.render()).collect();
        panic!("{}\n{scenario}", problems.join("\n"))
    });
    // The template's public swap point, then one site per row.
    assert_eq!(model.sites.len(), 13);
    assert!(model.sites[1..].iter().all(|s| s.town == "璧城街道"));
    let ebikes: u32 = model.sites.iter().map(|s| s.ebikes).sum();
    assert_eq!(ebikes, 9760);
    (model.days, model.warmup_days, model.replications) = (3, 1, 2);
    let result = sim_core::run(&model, 0);
    assert_eq!(result.sites.len(), 13);
    assert!(result.network.swap_requests_per_day.mean > 100.0);
    assert!(result.network.flying_wire_sessions_per_day.mean > 0.0);
}

/// Each community of the shipped sample gets the interval its daily
/// charging sessions (日均充电车次) give: the bikes not on a subscription,
/// counted as the engine counts them (e-bikes − round(e-bikes × adoption)),
/// divided by the sessions a day, to the thousandth of a day.
#[test]
fn daily_charging_sessions_set_each_sites_interval() {
    let sheet = root().join("scenarios/bishan-survey-sample.csv");
    let template = root().join("scenarios/survey-template.toml");
    let sheet_source = fs::read_to_string(&sheet).expect("sheet is UTF-8");
    let scenario = scenarios::import_survey(
        &sheet_source,
        &relative(&sheet),
        &fs::read_to_string(&template).expect("template is UTF-8"),
        &relative(&template),
    )
    .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let model = scenarios::parse(&scenario, "bicheng.toml").expect("valid scenario");
    let mut lines = sheet_source.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (name_at, sessions_at) = (column("小区名称"), column("日均充电车次"));
    let mut checked = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let site = model
            .sites
            .iter()
            .find(|s| s.name == cells[name_at])
            .expect("a site per row");
        let sessions: f64 = cells[sessions_at].parse().expect("sessions are a number");
        let subscribers = (f64::from(site.ebikes) * site.swap_adoption).round();
        let expected = (f64::from(site.ebikes) - subscribers) / sessions;
        let days = site.nonsub_interval_days.expect("an interval");
        assert!(
            (days - expected).abs() <= 0.0005,
            "{}: {days} d, expected {expected}",
            site.name
        );
        checked += 1;
    }
    assert_eq!(checked, 12);
    // The template's own public point keeps [home_charging]'s.
    assert_eq!(model.sites[0].nonsub_interval_days, None);
}

/// Issue 13: the import counted the lines of the whole scenario again for
/// every row, so 10,000 rows took 12.5 s and 100,000 did not finish. At
/// 20,000 rows a quadratic import would take minutes; a linear one takes
/// about a second.
#[test]
fn issue_13_twenty_thousand_rows_import_in_linear_time() {
    const ROWS: usize = 20_000;
    let sample = fs::read_to_string(root().join("scenarios/bishan-survey-sample.csv"))
        .expect("the shipped sample");
    let mut lines = sample.lines();
    let header = lines.next().expect("a header");
    let row = lines.next().expect("a row");
    let (_, rest) = row.split_once(',').expect("a numbered row");
    let (_, rest) = rest.split_once(',').expect("a named row");
    let mut sheet = format!("{header}\n");
    for i in 0..ROWS {
        sheet.push_str(&format!("{},小区{i},{rest}\n", i + 1));
    }
    let template = fs::read_to_string(root().join("scenarios/survey-template.toml"))
        .expect("the shipped template");
    let scenario = scenarios::import_survey(
        &sheet,
        "generated.csv",
        &template,
        "scenarios/survey-template.toml",
    )
    .unwrap_or_else(|problems| panic!("{}", problems[0].render()));
    let sites = |text: &str| text.lines().filter(|l| *l == "[[site]]").count();
    assert_eq!(sites(&scenario), sites(&template) + ROWS);
}
