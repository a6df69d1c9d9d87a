//! The second layer: each command's configuration, resolved once from the
//! raw arguments. Scenarios are loaded and the overrides applied here, so
//! every inconsistency is reported before anything runs.

use std::path::{Path, PathBuf};

use scenarios::Diagnostic;
use sim_core::Model;

use crate::args::{
    CompareArgs, Format, HtmlArgs, ImportSurveyArgs, Lang, Overrides, PlanArgs, PlanFormat,
    ReportArgs, RunArgs,
};
use crate::error::{Error, WrongFile};
use crate::streams::Streams;

/// The environment variable that names the `--png` font when `--font` is
/// not given.
pub(crate) const FONT_ENV: &str = "SWAPSIM_FONT";

/// Everything `swapsim run` needs, checked.
#[derive(Debug)]
pub(crate) struct RunConfig {
    /// The scenario path as the user wrote it.
    pub(crate) scenario: PathBuf,
    /// The scenario's model with the command-line overrides applied.
    pub(crate) model: Model,
    /// The comments beside the scenario's keys: the sources of its values.
    pub(crate) comments: scenarios::Comments,
    /// Worker threads; 0 = all cores.
    pub(crate) threads: usize,
    /// Format of stdout.
    pub(crate) format: Format,
    /// Directory to write the result files into; empty or new unless
    /// `--force` was given.
    pub(crate) out: Option<PathBuf>,
    /// The `--html` report and the language and format of the charts.
    pub(crate) reports: Reports,
    /// Whether to compare the KPIs with the scenario's targets (the
    /// scenario has some).
    pub(crate) check: bool,
    /// Whether the table shows every site of a large run.
    pub(crate) all_sites: bool,
    /// The scenario's implausible values.
    pub(crate) warnings: Warnings,
}

/// Fewest replications behind an interval that `run --check` and `plan`
/// judge targets by: with one, Student-t has no degrees of freedom and the
/// interval collapses to the mean.
const MIN_CHECKED_REPLICATIONS: u32 = 2;

impl RunConfig {
    /// Loads the scenario and applies `--seed`, `--replications` and `--days`.
    pub(crate) fn resolve(args: RunArgs) -> Result<RunConfig, Error> {
        let loaded = load(&args.scenario)?;
        let warnings = Warnings::new(loaded.warnings, &args.warnings);
        let (mut model, comments) = (loaded.model, loaded.comments);
        apply(&mut model, &args.overrides, &args.scenario)?;
        if args.check && !model.targets.any() {
            return Err(Error::NoTargets {
                scenario: args.scenario,
                command: "run --check",
            });
        }
        if args.check && model.replications < MIN_CHECKED_REPLICATIONS {
            return Err(Error::TooFewReplications {
                scenario: args.scenario,
                command: "run --check",
                replications: model.replications,
                hint: "pass --replications 2 or more, or set the scenario's `replications`",
            });
        }
        crate::limits::check(
            &args.scenario,
            "run",
            &model,
            model.replications,
            args.threads.n,
            &args.threads.limits,
        )?;
        Ok(RunConfig {
            scenario: args.scenario,
            model,
            comments,
            threads: args.threads.n,
            format: args.format,
            // The font first: a missing one leaves no --out directory behind.
            reports: Reports::resolve(args.html)?,
            out: out_dir(args.out, "--out", args.force)?,
            check: args.check,
            all_sites: args.all_sites,
            warnings,
        })
    }
}

/// Everything `swapsim plan` needs, checked.
#[derive(Debug)]
pub(crate) struct PlanConfig {
    /// The scenario path as the user wrote it.
    pub(crate) scenario: PathBuf,
    /// The scenario's text, for the plan file; read only with `--out`.
    pub(crate) source: Option<String>,
    /// The scenario's model with `--seed` and `--days` applied; it has targets.
    pub(crate) model: Model,
    /// The comments beside the scenario's keys: the sources of its values.
    pub(crate) comments: scenarios::Comments,
    /// Worker threads; 0 = all cores.
    pub(crate) threads: usize,
    /// Format of stdout.
    pub(crate) format: PlanFormat,
    /// Directory to write `plan.toml`, `plan.json`, `plan.csv` and the
    /// plan's run files into; empty or new unless `--force` was given.
    pub(crate) out: Option<PathBuf>,
    /// The `--html` report and the language and format of the charts.
    pub(crate) reports: Reports,
    /// The scenario's implausible values.
    pub(crate) warnings: Warnings,
}

impl PlanConfig {
    /// Loads the scenario, applies `--seed` and `--days`, and makes sure it
    /// has targets to plan for.
    pub(crate) fn resolve(args: PlanArgs) -> Result<PlanConfig, Error> {
        let loaded = load(&args.scenario)?;
        let warnings = Warnings::new(loaded.warnings, &args.warnings);
        let (mut model, comments) = (loaded.model, loaded.comments);
        let overrides = Overrides {
            seed: args.seed,
            replications: None,
            days: args.days,
        };
        apply(&mut model, &overrides, &args.scenario)?;
        if !model.targets.any() {
            return Err(Error::NoTargets {
                scenario: args.scenario,
                command: "plan",
            });
        }
        if model.replications < MIN_CHECKED_REPLICATIONS {
            return Err(Error::TooFewReplications {
                scenario: args.scenario,
                command: "plan",
                replications: model.replications,
                hint: "set the scenario's `replications` to 2 or more",
            });
        }
        // The planner runs up to its most replications per candidate.
        let most = model.replications.max(model.planner.max_replications);
        crate::limits::check(
            &args.scenario,
            "plan",
            &model,
            most,
            args.threads.n,
            &args.threads.limits,
        )?;
        let out = out_dir(args.out, "--out", args.force)?;
        let source = match &out {
            Some(_) => Some(read(&args.scenario)?),
            None => None,
        };
        Ok(PlanConfig {
            scenario: args.scenario,
            source,
            model,
            comments,
            threads: args.threads.n,
            format: args.format,
            out,
            reports: Reports::resolve(args.html)?,
            warnings,
        })
    }
}

/// Everything `swapsim compare` needs, checked: the scenarios share their
/// seed, days, warm-up and replications.
#[derive(Debug)]
pub(crate) struct CompareConfig {
    /// Each scenario's path as the user wrote it, and its model; the first
    /// is the baseline.
    pub(crate) scenarios: Vec<(PathBuf, Model)>,
    /// The comments beside the first scenario's keys, whose assumptions
    /// the report lists.
    pub(crate) comments: scenarios::Comments,
    /// Worker threads; 0 = all cores.
    pub(crate) threads: usize,
    /// Format of stdout.
    pub(crate) format: Format,
    /// Directory to write `compare.json` and `context.json` into; empty or
    /// new unless `--force` was given.
    pub(crate) out: Option<PathBuf>,
    /// The `--html` report and the language and format of the charts.
    pub(crate) reports: Reports,
    /// The implausible values of every scenario, in the order given.
    pub(crate) warnings: Warnings,
}

impl CompareConfig {
    /// Loads every scenario, applies the overrides to each, gives them all
    /// `--seed` (or the first scenario's seed) and checks that they run for
    /// the same days, warm-up and replications.
    pub(crate) fn resolve(args: CompareArgs) -> Result<CompareConfig, Error> {
        let mut scenarios = Vec::with_capacity(args.scenarios.len());
        let mut first_comments = None;
        let mut warnings = Vec::new();
        for path in args.scenarios {
            let loaded = load(&path)?;
            warnings.extend(loaded.warnings);
            let (mut model, comments) = (loaded.model, loaded.comments);
            first_comments.get_or_insert(comments);
            apply(&mut model, &args.overrides, &path)?;
            scenarios.push((path, model));
        }
        let (first_path, first) = &scenarios[0];
        let seed = first.seed;
        for (path, model) in &scenarios[1..] {
            let differs = [
                ("days", "--days", first.days, model.days),
                ("warmup_days", "", first.warmup_days, model.warmup_days),
                (
                    "replications",
                    "--replications",
                    first.replications,
                    model.replications,
                ),
            ];
            for (field, flag, a, b) in differs {
                if a != b {
                    return Err(Error::ScenariosDiffer {
                        field,
                        flag,
                        first: first_path.clone(),
                        first_value: a,
                        other: path.clone(),
                        other_value: b,
                    });
                }
            }
        }
        for (_, model) in &mut scenarios {
            model.seed = seed;
        }
        crate::limits::check_compare(&scenarios, args.threads.n, &args.threads.limits)?;
        Ok(CompareConfig {
            scenarios,
            comments: first_comments.unwrap_or_default(),
            threads: args.threads.n,
            format: args.format,
            // The font first: a missing one leaves no --out directory behind.
            reports: Reports::resolve(args.html)?,
            out: out_dir(args.out, "--out", args.force)?,
            warnings: Warnings::new(warnings, &args.warnings),
        })
    }
}

/// The warnings about a command's scenarios (values outside the plausible
/// range of an e-bike network), and whether `--deny-warnings` makes them
/// fatal.
#[derive(Debug)]
pub(crate) struct Warnings {
    /// Every warning, each naming its file.
    pub(crate) found: Vec<Diagnostic>,
    /// `--deny-warnings`.
    pub(crate) deny: bool,
}

impl Warnings {
    /// `found`, denied if `args` say so.
    pub(crate) fn new(found: Vec<Diagnostic>, args: &crate::args::Warnings) -> Self {
        Warnings {
            found,
            deny: args.deny_warnings,
        }
    }

    /// Writes every warning to stderr with its source line and caret;
    /// then, under `--deny-warnings`, fails if there was one, so that
    /// nothing runs.
    pub(crate) fn tell(&self, streams: &mut Streams<'_>) -> Result<(), Error> {
        for warning in &self.found {
            streams.tell(format_args!("{}\n", warning.render()));
        }
        if self.deny && !self.found.is_empty() {
            return Err(Error::WarningsDenied {
                count: self.found.len(),
            });
        }
        Ok(())
    }
}

/// Everything `swapsim import-survey` needs: both files read.
#[derive(Debug)]
pub(crate) struct ImportConfig {
    /// The sheet's path as the user wrote it.
    pub(crate) sheet_path: PathBuf,
    /// The sheet, read: a CSV or a worksheet of a workbook.
    pub(crate) sheet: scenarios::SurveySheet,
    /// The template's path as the user wrote it.
    pub(crate) template: PathBuf,
    /// The template's text.
    pub(crate) template_text: String,
    /// Where to write the scenario; stdout if `None`.
    pub(crate) out: Option<PathBuf>,
}

impl ImportConfig {
    /// Reads the sheet (the `--sheet` of a workbook) and the template.
    pub(crate) fn resolve(args: ImportSurveyArgs) -> Result<ImportConfig, Error> {
        let bytes = scenarios::file::read_regular(
            &args.sheet,
            scenarios::file::MAX_SHEET_BYTES,
            "survey sheet",
        )
        .map_err(|source| Error::Read {
            path: args.sheet.clone(),
            source,
        })?;
        let name = args.sheet.display().to_string();
        let sheet = scenarios::SurveySheet::read(&bytes, &name, args.sheet_name.as_deref())
            .map_err(|error| match error {
                scenarios::SheetError::NotUtf8 { .. } => Error::NotUtf8 {
                    path: args.sheet.clone(),
                },
                other => Error::Sheet(other),
            })?;
        Ok(ImportConfig {
            sheet,
            sheet_path: args.sheet,
            template_text: read(&args.template)?,
            template: args.template,
            out: args.out,
        })
    }
}

/// Everything `swapsim report` needs, checked.
#[derive(Debug)]
pub(crate) struct ReportConfig {
    /// The result directory or JSON file as the user wrote it.
    pub(crate) result: PathBuf,
    /// The HTML report to write.
    pub(crate) html: HtmlReport,
    /// Directory to write each chart into as `NAME.svg`; empty or new
    /// unless `--force` was given.
    pub(crate) charts: Option<PathBuf>,
    /// The font to draw each chart as `NAME.png` with, if asked to.
    pub(crate) png: Option<report::Font>,
    /// The KPI that colours the site map (`--map-kpi`).
    pub(crate) map_kpi: Option<String>,
}

impl ReportConfig {
    /// Checks that `--charts` may be written into. The result is read
    /// when the command runs.
    pub(crate) fn resolve(args: ReportArgs) -> Result<ReportConfig, Error> {
        let png = png_font(args.png, args.font)?;
        Ok(ReportConfig {
            result: args.result,
            html: HtmlReport {
                path: args.html,
                lang: args.lang.into(),
            },
            charts: out_dir(args.charts, "--charts", args.force)?,
            png,
            map_kpi: args.map_kpi,
        })
    }
}

/// What `--html`, `--lang`, `--png` and `--font` ask of `run`, `plan` and
/// `compare`.
#[derive(Debug)]
pub(crate) struct Reports {
    /// The HTML report to write.
    pub(crate) html: Option<HtmlReport>,
    /// The language of the charts in `--out` (and of the report).
    pub(crate) lang: report::Lang,
    /// The font to draw the charts of `--out` as PNG with, if asked to.
    pub(crate) png: Option<report::Font>,
    /// The KPI that colours the site map (`--map-kpi`).
    pub(crate) map_kpi: Option<String>,
}

impl Reports {
    /// Finds the PNG font, if asked for, and checks that the `--html`
    /// report can be written, before anything runs.
    fn resolve(args: HtmlArgs) -> Result<Reports, Error> {
        let png = png_font(args.png, args.font.clone())?;
        if let Some(path) = &args.html {
            crate::output::check_file_writable(path)?;
        }
        Ok(Reports {
            lang: args.lang.into(),
            map_kpi: args.map_kpi.clone(),
            png,
            html: HtmlReport::from_args(args),
        })
    }
}

/// Where to write an HTML report, and in which language.
#[derive(Debug)]
pub(crate) struct HtmlReport {
    /// The file, replaced if it exists.
    pub(crate) path: PathBuf,
    /// The report's language.
    pub(crate) lang: report::Lang,
}

impl HtmlReport {
    /// The report that `--html` and `--lang` ask for, if any.
    fn from_args(args: HtmlArgs) -> Option<HtmlReport> {
        let lang = args.lang.into();
        args.html.map(|path| HtmlReport { path, lang })
    }
}

impl From<Lang> for report::Lang {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::Zh => report::Lang::Zh,
            Lang::En => report::Lang::En,
        }
    }
}

/// `out`, the directory that `flag` names, unless it already holds files
/// and `force` is not set, or cannot be written (checked here, before
/// anything runs: it is created, and a probe file written and removed).
fn out_dir(
    out: Option<PathBuf>,
    flag: &'static str,
    force: bool,
) -> Result<Option<PathBuf>, Error> {
    let Some(dir) = out else {
        return Ok(None);
    };
    let holds_files = std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some());
    if holds_files && !force {
        return Err(Error::OutNotEmpty { flag, path: dir });
    }
    crate::output::check_dir_writable(&dir)?;
    if force {
        crate::output::remove_stale_temps(&dir)?;
    }
    Ok(Some(dir))
}

/// The font for `--png`, found before anything runs: `--font FILE`, else
/// the file `$SWAPSIM_FONT` names, else the first font with Chinese glyphs
/// in the usual places; `None` without `--png`.
fn png_font(png: bool, font: Option<PathBuf>) -> Result<Option<report::Font>, Error> {
    if !png {
        return Ok(None);
    }
    let given = font.or_else(|| {
        std::env::var_os(FONT_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    find_font(given, report::CJK_FONT_PATHS).map(Some)
}

/// The font at `given`, else the first of `candidates` with Chinese
/// glyphs.
fn find_font(given: Option<PathBuf>, candidates: &[&str]) -> Result<report::Font, Error> {
    match given {
        Some(path) => Ok(report::Font::load(&path)?),
        None => report::find_cjk_font(candidates).ok_or(Error::NoFont { env: FONT_ENV }),
    }
}

/// Applies `--seed`, `--replications` and `--days` to `model`, loaded from
/// `scenario`.
fn apply(model: &mut Model, overrides: &Overrides, scenario: &Path) -> Result<(), Error> {
    if let Some(seed) = overrides.seed {
        model.seed = seed;
    }
    if let Some(replications) = overrides.replications {
        model.replications = replications;
    }
    if let Some(days) = overrides.days {
        // The scenario layer checked its own days; an override must keep
        // the same promise to the engine.
        if days <= model.warmup_days {
            return Err(Error::DaysWithinWarmup {
                days,
                warmup_days: model.warmup_days,
                scenario: scenario.to_owned(),
            });
        }
        model.days = days;
    }
    Ok(())
}

/// Loads the scenario at `path` with its warnings. When it fails because
/// the file is no scenario at all (a survey sheet, an Excel workbook, a
/// directory), the error says what it is and what was probably meant; a
/// scenario that is not UTF-8 gets a hint to save it as UTF-8.
pub(crate) fn load(path: &Path) -> Result<scenarios::Loaded, Error> {
    scenarios::load_with_warnings(path).map_err(|e| match wrong_file(path, &e) {
        Some(kind) => Error::NotAScenario {
            path: path.to_owned(),
            kind,
        },
        None => Error::Load(e),
    })
}

/// What the file at `path`, which failed to load with `error`, is instead
/// of a scenario, if anything recognisable.
fn wrong_file(path: &Path, error: &scenarios::LoadError) -> Option<WrongFile> {
    if path.is_dir() {
        let plan = path.join(crate::output::PLAN_TOML_FILE);
        return Some(if plan.is_file() {
            WrongFile::PlanDirectory(plan)
        } else {
            WrongFile::Directory(toml_files(path))
        });
    }
    if !matches!(error, scenarios::LoadError::Invalid(_)) {
        return None;
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = scenarios::file::read_regular(path, scenarios::file::MAX_SHEET_BYTES, "file")
        .unwrap_or_default();
    match extension.as_deref() {
        Some("csv") => Some(WrongFile::Sheet),
        Some("xlsx" | "xlsm" | "xls" | "ods") => Some(WrongFile::Workbook),
        // A workbook is a zip archive, whatever its name.
        _ if bytes.starts_with(b"PK\x03\x04") => Some(WrongFile::Workbook),
        Some("toml") => None,
        _ if looks_like_a_sheet(&bytes) => Some(WrongFile::Sheet),
        _ => None,
    }
}

/// Whether `bytes` read like a sheet of comma-separated values: a first
/// line with commas and no `=`.
fn looks_like_a_sheet(bytes: &[u8]) -> bool {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    first.contains(&b',') && !first.contains(&b'=')
}

/// The names of the `.toml` files in `dir`, sorted.
fn toml_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                // A crate's manifest is never a scenario.
                .filter(|name| name.ends_with(".toml") && name != "Cargo.toml")
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The text of the UTF-8 file at `path`.
fn read(path: &Path) -> Result<String, Error> {
    scenarios::file::read_regular_text(path, scenarios::file::MAX_SCENARIO_BYTES, "scenario")
        .map_err(|source| {
            if source.kind() == std::io::ErrorKind::InvalidData {
                Error::NotUtf8 {
                    path: path.to_owned(),
                }
            } else {
                Error::Read {
                    path: path.to_owned(),
                    source,
                }
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_font_found_says_what_to_install_or_pass() {
        let err = find_font(None, &["/nonexistent/font.ttc"]).expect_err("no font");
        assert_eq!(
            err.to_string(),
            "--png needs a font with Chinese glyphs and none was found: install one \
             (Debian, Ubuntu: apt-get install fonts-noto-cjk) or pass --font FILE \
             (or set SWAPSIM_FONT)"
        );
        let err = find_font(Some("Cargo.toml".into()), &[]).expect_err("not a font");
        assert!(err.to_string().contains("is not a usable font"), "{err}");
        assert!(png_font(false, Some("/nonexistent".into())).is_ok_and(|f| f.is_none()));
    }
}
