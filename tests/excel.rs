//! Excel in and out (issue 11): `import-survey` reads a sheet of an
//! `.xlsx` workbook; `run`, `plan` and `compare --out` write a workbook
//! whose figures read back (with calamine) as the JSON's; the CSV files in
//! `--out` start with a UTF-8 byte-order mark and stdout CSV does not.

use std::fs;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use swapsim_cli::{Progress, exit, main_with};
use swapsim_suite::fixtures::root;

/// What one in-process run of `swapsim` produced: status, stdout, stderr.
fn swapsim<'a>(args: impl IntoIterator<Item = &'a str>) -> (u8, String, String) {
    let argv = std::iter::once("swapsim").chain(args);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = main_with(argv, &mut stdout, &mut stderr, Progress::Hidden);
    (
        status,
        String::from_utf8(stdout).expect("stdout is UTF-8"),
        String::from_utf8(stderr).expect("stderr is UTF-8"),
    )
}

/// Every sheet of the workbook at `path`: its name and its cells.
fn sheets(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("a workbook");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("a sheet");
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

fn text(cell: &Data) -> String {
    cell.to_string()
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(x) => *x,
        Data::Int(n) => *n as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The shipped sample survey as a workbook of two sheets, a note first and
/// the communities in `小区` second; `--sheet 小区` imports it as the CSV
/// imports, and a sheet that is not there is one error naming the sheets.
#[test]
fn import_survey_reads_the_sheet_named_by_sheet() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let csv_path = "scenarios/bishan-survey-sample.csv";
    let template = "scenarios/survey-template.toml";
    let csv = fs::read_to_string(root().join(csv_path)).expect("shipped sheet");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let note = workbook.add_worksheet().set_name("说明").expect("a name");
    note.write(0, 0, "璧城街道 2024 调查").expect("a cell");
    crate::survey::write_sheet(
        workbook.add_worksheet().set_name("小区").expect("a name"),
        &csv,
    );
    let xlsx = tmp.path().join("survey.xlsx");
    workbook.save(&xlsx).expect("saved");
    let xlsx = xlsx.to_str().expect("UTF-8 temp path");

    let (status, from_csv, _) = swapsim(["import-survey", csv_path, "--template", template]);
    assert_eq!(status, exit::SUCCESS);
    let (status, from_xlsx, stderr) = swapsim([
        "import-survey",
        xlsx,
        "--sheet",
        "小区",
        "--template",
        template,
    ]);
    assert_eq!(status, exit::SUCCESS, "{stderr}");
    let expected = from_csv.replacen(
        &format!("from {csv_path}: "),
        &format!("from {xlsx}, sheet '小区': "),
        1,
    );
    assert_eq!(from_xlsx, expected);

    // The first sheet by default: the note is no survey.
    let (status, stdout, stderr) = swapsim(["import-survey", xlsx, "--template", template]);
    assert_eq!((status, stdout.as_str()), (exit::ERROR, ""));
    assert!(
        stderr.starts_with(&format!(
            "{xlsx}:说明!A1: header[0]: unknown column `璧城街道 2024 调查`"
        )),
        "{stderr}"
    );

    let (status, stdout, stderr) = swapsim([
        "import-survey",
        xlsx,
        "--sheet",
        "Sheet1",
        "--template",
        template,
    ]);
    assert_eq!((status, stdout.as_str()), (exit::ERROR, ""));
    assert_eq!(
        stderr,
        format!(
            "error: the workbook '{xlsx}' has no sheet 'Sheet1', expected one of '说明', '小区'\n"
        )
    );

    let (status, _, stderr) = swapsim([
        "import-survey",
        csv_path,
        "--sheet",
        "小区",
        "--template",
        template,
    ]);
    assert_eq!(status, exit::ERROR);
    assert_eq!(
        stderr,
        format!(
            "error: '{csv_path}' is CSV text, which has no sheet '小区': only an .xlsx workbook \
             has sheets\n"
        )
    );
}

/// `run --out` of the imported sample survey (13 sites, 12 of them in
/// 璧城街道; 5 days, 2 replications): the workbook's KPI sheet holds the
/// figures of summary.json exactly, its sites sheet their means, its towns
/// sheet the sums of the sites; the headers are in the --lang language.
#[test]
fn the_run_workbook_reads_back_with_the_figures_of_summary_json() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("bicheng.toml");
    let scenario = scenario.to_str().expect("UTF-8 temp path");
    let (status, _, stderr) = swapsim([
        "import-survey",
        "scenarios/bishan-survey-sample.csv",
        "--template",
        "scenarios/survey-template.toml",
        "--out",
        scenario,
    ]);
    assert_eq!(status, exit::SUCCESS, "{stderr}");
    let model = scenarios::load(Path::new(scenario)).expect("valid");
    for lang in ["zh", "en"] {
        let out = tmp.path().join(lang);
        let out_arg = out.to_str().expect("UTF-8 temp path");
        let run = [
            "run",
            scenario,
            "--days",
            "5",
            "--replications",
            "2",
            "--lang",
            lang,
            "--format",
            "csv",
        ];
        let (status, stdout, stderr) = swapsim(run.into_iter().chain(["--out", out_arg]));
        assert_eq!(status, exit::SUCCESS, "{stderr}");
        assert!(
            stdout.starts_with("scope,site,kpi,"),
            "stdout CSV has no BOM"
        );
        for csv in ["timeseries.csv", "ready.csv"] {
            let bytes = fs::read(out.join(csv)).expect(csv);
            assert!(bytes.starts_with("\u{feff}".as_bytes()), "{csv} has a BOM");
        }
        let summary: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("summary.json")).expect("json"))
                .expect("JSON");
        let book = sheets(&out.join("results.xlsx"));
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        let language = if lang == "zh" {
            report::Lang::Zh
        } else {
            report::Lang::En
        };
        let expected_names = match language {
            report::Lang::Zh => ["概要", "站点", "街镇", "指标"],
            report::Lang::En => ["summary", "sites", "towns", "KPIs"],
        };
        assert_eq!(names, expected_names);

        // KPIs: every row of the CSV, with the JSON's numbers.
        let kpis = &book[3].1;
        assert_eq!(
            kpis.len() - 1,
            stdout.lines().count() - 1,
            "one row per CSV row"
        );
        let mean_header = if lang == "zh" { "均值" } else { "mean" };
        assert_eq!(text(&kpis[0][4]), mean_header);
        for row in &kpis[1..] {
            let (site, kpi) = (text(&row[1]), text(&row[3]));
            let estimate = if site.is_empty() {
                &summary["network"][&kpi]
            } else {
                let sites = summary["sites"].as_array().expect("sites");
                let site = sites.iter().find(|s| s["name"] == site.as_str());
                &site.expect("a site of the JSON")["kpis"][&kpi]
            };
            for (i, field) in ["mean", "ci95_low", "ci95_high"].iter().enumerate() {
                let json = estimate[field].as_f64().expect("a number");
                assert_eq!(number(&row[4 + i]), json, "{site} {kpi} {field}");
            }
            let label = report::kpi_label(&kpi, language);
            assert!(text(&row[2]).starts_with(&label.name), "{kpi}");
        }

        // Sites: one row per site, the KPI means by their label.
        let sites = &book[1].1;
        assert_eq!(sites.len() - 1, model.sites.len());
        let label = report::kpi_label("swap_requests_per_day", language).with_unit();
        let at = sites[0]
            .iter()
            .position(|h| text(h) == label)
            .expect(&label);
        for (row, spec) in sites[1..].iter().zip(&model.sites) {
            assert_eq!(text(&row[0]), spec.name);
            assert_eq!(text(&row[1]), spec.town);
            assert_eq!(number(&row[2]), f64::from(spec.ebikes));
            let sites = summary["sites"].as_array().expect("sites");
            let json = sites.iter().find(|s| s["name"] == spec.name.as_str());
            let mean = json.expect("the site")["kpis"]["swap_requests_per_day"]["mean"]
                .as_f64()
                .expect("a number");
            assert_eq!(number(&row[at]), mean, "{}", spec.name);
        }

        // Towns: 璧城街道's 12 communities, and the public point without one.
        let towns = &book[2].1;
        let bicheng = towns
            .iter()
            .find(|r| text(&r[0]) == "璧城街道")
            .expect("璧城街道");
        let in_town: Vec<_> = model
            .sites
            .iter()
            .filter(|s| s.town == "璧城街道")
            .collect();
        assert_eq!(number(&bicheng[1]), in_town.len() as f64);
        let ebikes: u32 = in_town.iter().map(|s| s.ebikes).sum();
        assert_eq!(number(&bicheng[2]), f64::from(ebikes));
        assert_eq!(towns.len(), 3, "header, 璧城街道, the sites without a town");
    }
}

/// `plan --out` and `compare --out` write their workbooks too: the plan's
/// cost and the comparison's paired differences read back as their JSON.
#[test]
fn plan_and_compare_workbooks_read_back_as_their_json() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("plan");
    let out_arg = out.to_str().expect("UTF-8 temp path");
    let (status, _, stderr) = swapsim([
        "plan",
        "scenarios/erlang-b-plan.toml",
        "--days",
        "20",
        "--lang",
        "en",
        "--out",
        out_arg,
    ]);
    assert_eq!(status, exit::SUCCESS, "{stderr}");
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("plan.json")).expect("plan.json"))
            .expect("JSON");
    let csv = fs::read(out.join("plan.csv")).expect("plan.csv");
    assert!(
        csv.starts_with("\u{feff}site,".as_bytes()),
        "plan.csv has a BOM"
    );
    let book = sheets(&out.join("plan.xlsx"));
    let summary = &book[0].1;
    let cost = summary
        .iter()
        .find(|r| text(&r[0]) == "annual cost [CNY/yr]")
        .expect("the plan's cost");
    assert_eq!(
        number(&cost[1]),
        plan["annual_cost_cny"].as_f64().expect("cost")
    );
    let sites = &book[1].1;
    let batteries = sites[0]
        .iter()
        .position(|h| text(h) == "batteries")
        .expect("batteries");
    let planned = plan["sites"][0]["batteries"].as_f64().expect("batteries");
    assert_eq!(number(&sites[1][batteries]), planned);

    let out = tmp.path().join("compare");
    let out_arg = out.to_str().expect("UTF-8 temp path");
    let two = "tests/fixtures/cli/two-sites.toml";
    let three = "tests/fixtures/cli/three-sites.toml";
    let (status, _, stderr) = swapsim(["compare", two, three, "--days", "3", "--out", out_arg]);
    assert_eq!(status, exit::SUCCESS, "{stderr}");
    let compare: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("compare.json")).expect("json"))
            .expect("JSON");
    let book = sheets(&out.join("compare.xlsx"));
    let kpis = &book[3].1;
    let mut checked = 0;
    for row in &kpis[1..] {
        if !text(&row[1]).is_empty() || row.get(8).is_none_or(|c| *c == Data::Empty) {
            continue;
        }
        let kpi = text(&row[3]);
        let difference = &compare["network"][&kpi]["differences"][0];
        assert_eq!(
            number(&row[8]),
            difference["mean"].as_f64().expect("mean"),
            "{kpi}"
        );
        assert_eq!(
            number(&row[10]),
            difference["ci95_high"].as_f64().expect("high"),
            "{kpi}"
        );
        checked += 1;
    }
    assert!(checked > 10, "the network's differences: {checked}");
}

/// `compare --out`'s workbook carries each scenario's cost against the
/// first as its JSON does: the pilot against its plan, by item, in all
/// and the annual cost difference with its interval; scenarios without
/// `[costs]` say they are not priced instead of showing zeros.
#[test]
fn the_compare_workbook_carries_the_cost_against_the_first() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("pilot");
    let (status, _, stderr) = swapsim([
        "compare",
        "scenarios/bishan-pilot.toml",
        "scenarios/bishan-pilot-plan.toml",
        "--days",
        "8",
        "--replications",
        "2",
        "--lang",
        "en",
        "--out",
        out.to_str().expect("UTF-8 temp path"),
    ]);
    assert_eq!(status, exit::SUCCESS, "{stderr}");
    let compare: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("compare.json")).expect("json"))
            .expect("JSON");
    let cost = &compare["scenarios"][1]["cost_difference"];
    let book = sheets(&out.join("compare.xlsx"));
    let summary = &book[0].1;
    let item = |name: &str| {
        let row = summary
            .iter()
            .find(|r| text(&r[0]) == format!("scenario 2: {name}"))
            .unwrap_or_else(|| panic!("no item {name}: {summary:?}"));
        row[1].clone()
    };
    let json = |v: &serde_json::Value| v.as_f64().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(
        number(&item("investment over scenario 1 [CNY]")),
        json(&cost["investment_cny"])
    );
    assert_eq!(
        number(&item("investment: pile ports [CNY]")),
        json(&cost["added"]["capital"]["pile_ports_cny"])
    );
    assert_eq!(
        number(&item("annual cost difference to scenario 1 [CNY/yr]")),
        json(&cost["annual_cny"]["mean"])
    );
    assert_eq!(
        number(&item("annual cost difference, 95% low [CNY/yr]")),
        json(&cost["annual_cny"]["ci95_low"])
    );

    let out = tmp.path().join("analytic");
    let (status, _, stderr) = swapsim([
        "compare",
        "tests/fixtures/cli/two-sites.toml",
        "tests/fixtures/cli/three-sites.toml",
        "--days",
        "3",
        "--lang",
        "en",
        "--out",
        out.to_str().expect("UTF-8 temp path"),
    ]);
    assert_eq!(status, exit::SUCCESS, "{stderr}");
    let summary = &sheets(&out.join("compare.xlsx"))[0].1;
    let row = summary
        .iter()
        .find(|r| text(&r[0]) == "scenario 2: investment over scenario 1 [CNY]")
        .expect("the investment's row");
    assert_eq!(text(&row[1]), "not priced: the scenario has no [costs]");
}
