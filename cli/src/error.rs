//! Everything that stops a command, and how it is told to the user.
//!
//! Every error here is fatal to the command and maps to exit code
//! [`crate::exit::ERROR`]; only [`report`] turns one into text. (Missed
//! targets are not errors: the command finished, and says so with
//! [`crate::exit::TARGETS_MISSED`].)

use std::io::{self, Write};
use std::path::PathBuf;

use scenarios::{Diagnostic, LoadError};

/// A command whose estimate is past `--max-memory` or the events a run
/// may take ([`Error::TooBig`]).
#[derive(Debug, thiserror::Error)]
#[error(
    "'{}': `{command}` would need about {memory} and about {events} events \
     ({work}), {limit}; {advice}",
    scenario.display()
)]
pub(crate) struct TooBig {
    /// The scenario (or sweep file) path as given.
    pub(crate) scenario: PathBuf,
    /// The command refused, with `--shard I/N` for a shard.
    pub(crate) command: String,
    /// The memory estimate, for people.
    pub(crate) memory: String,
    /// The event estimate, for people.
    pub(crate) events: String,
    /// Which limit it is past.
    pub(crate) limit: String,
    /// What was estimated: "28 days × 10 replications" (the planner's
    /// most), a shard's block of them, or what a merge reads back.
    pub(crate) work: String,
    /// What to change.
    pub(crate) advice: &'static str,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The scenario could not be read, or is not valid.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A sweep that cannot run for another reason than its files.
    #[error(transparent)]
    Sweep(batch::SweepError),
    /// A file given as a scenario is something else (a survey sheet, a
    /// workbook, a directory): what it is, and what was probably meant.
    #[error("'{}' is {}", path.display(), kind.explain(path))]
    NotAScenario {
        /// The path as given.
        path: PathBuf,
        /// What it is instead.
        kind: WrongFile,
    },
    /// `--deny-warnings`, and a scenario has a value outside the plausible
    /// range (the warnings themselves are written before).
    #[error("{}, denied by --deny-warnings", count_warnings(*count))]
    WarningsDenied {
        /// How many warnings there were.
        count: usize,
    },
    /// `--days` leaves no measured day after the scenario's warm-up.
    #[error(
        "--days {days} must be greater than warmup_days ({warmup_days}) of '{}'",
        scenario.display()
    )]
    DaysWithinWarmup {
        /// The `--days` value \[d\].
        days: u32,
        /// The scenario's warm-up \[d\].
        warmup_days: u32,
        /// The scenario path as given.
        scenario: PathBuf,
    },
    /// `run --check` or `plan` on a scenario without targets.
    #[error(
        "'{}' has no [targets] section: add one for `{command}` to check against",
        scenario.display()
    )]
    NoTargets {
        /// The scenario path as given.
        scenario: PathBuf,
        /// The command that needs them.
        command: &'static str,
    },
    /// `run --check` or `plan` with fewer than 2 replications: one
    /// replication gives an interval of zero width, which the check would
    /// trust.
    #[error(
        "`{command}` needs at least 2 replications, found {replications} in '{}': one \
         replication gives a 95% interval of zero width, so a target would look met or \
         missed for certain; {hint}",
        scenario.display()
    )]
    TooFewReplications {
        /// The scenario path as given.
        scenario: PathBuf,
        /// The command that needs them.
        command: &'static str,
        /// The replications asked for.
        replications: u32,
        /// How to ask for more.
        hint: &'static str,
    },
    /// An allocation the machine refused during a run that its estimate
    /// allowed: less memory free than `--max-memory` assumed.
    #[error(
        "out of memory: {0}; the run's estimate was under --max-memory, but the machine \
         has less free (other processes, ulimit -v, a container's limit): run fewer days, \
         replications, threads or sites, or free memory"
    )]
    OutOfMemory(sim_core::alloc::OutOfMemory),
    /// A run's resource estimate is past `--max-memory` or the events a
    /// run may take: refused before anything runs.
    #[error("{0}")]
    TooBig(Box<TooBig>),
    /// `compare` got scenarios that do not run for the same time.
    #[error(
        "cannot compare: {field} is {first_value} in '{}' but {other_value} in '{}'{}",
        first.display(),
        other.display(),
        fix_hint(flag)
    )]
    ScenariosDiffer {
        /// The scenario key that differs.
        field: &'static str,
        /// The flag that sets it for every scenario ("" if none does).
        flag: &'static str,
        /// The first (baseline) scenario.
        first: PathBuf,
        /// Its value.
        first_value: u32,
        /// The scenario that differs from it.
        other: PathBuf,
        /// Its value.
        other_value: u32,
    },
    /// An input file (survey sheet, template) could not be read.
    #[error("cannot read '{}': {source}", path.display())]
    Read {
        /// The path as given.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// An input file is not UTF-8 text (a sheet saved by Excel as GBK,
    /// say).
    #[error(
        "'{}' is not UTF-8 text: save it as \"CSV UTF-8\", or convert it (iconv -f GBK -t UTF-8)",
        path.display()
    )]
    NotUtf8 {
        /// The path as given.
        path: PathBuf,
    },
    /// The survey sheet cannot be read at all: not a workbook, or no
    /// sheet of the name given.
    #[error(transparent)]
    Sheet(scenarios::SheetError),
    /// The survey sheet or its template is not valid: one diagnostic per
    /// problem, in file order.
    #[error(
        "{}: cannot import the survey: {}",
        sheet.display(),
        count_problems(diagnostics.len())
    )]
    Survey {
        /// The sheet's path as given.
        sheet: PathBuf,
        /// Every problem, each naming its file.
        diagnostics: Vec<Diagnostic>,
    },
    /// An output file could not be written.
    #[error("cannot write '{}': {source}", path.display())]
    WriteOut {
        /// The file or directory that failed.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// An output directory already holds files, and `--force` was not
    /// given.
    #[error(
        "{flag} '{}' already holds files: pass --force to write into it",
        path.display()
    )]
    OutNotEmpty {
        /// The flag that names the directory (`--out`, `--charts`).
        flag: &'static str,
        /// The directory as given.
        path: PathBuf,
    },
    /// `weekly --out DIR` would replace a report already there, and
    /// `--force` was not given.
    #[error(
        "--out '{}' already holds {}: pass --force to replace {}",
        dir.display(),
        files.join(", "),
        if files.len() == 1 { "it" } else { "them" }
    )]
    OutExists {
        /// The directory as given.
        dir: PathBuf,
        /// The files it holds that would be replaced.
        files: Vec<&'static str>,
    },
    /// A stale result file in an output directory could not be removed.
    #[error("cannot remove '{}': {source}", path.display())]
    Remove {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// `report` could not read the result files.
    #[error(transparent)]
    Report(#[from] report::ReportError),
    /// `--png` without `--font` or `$SWAPSIM_FONT`, and no usable font in
    /// the usual places ([`report::CJK_FONT_PATHS`]).
    #[error(
        "--png needs a font with Chinese glyphs and none was found: install one \
         (Debian, Ubuntu: apt-get install fonts-noto-cjk) or pass --font FILE \
         (or set {env})"
    )]
    NoFont {
        /// The environment variable that can name the font.
        env: &'static str,
    },
    /// The `--png` font cannot be read or cannot draw the charts.
    #[error("{source}{}", font_hint(source))]
    Font {
        /// What is wrong with the font.
        #[from]
        source: report::FontError,
    },
    /// Flags that do not go together (beyond what clap checks).
    #[error("{0}")]
    Usage(String),
    /// `--shard` cannot be: bad syntax, out of range, nothing in the
    /// environment for `--shard env`, or more shards than replications.
    #[error(transparent)]
    Shard(#[from] batch::shard::ShardError),
    /// A shard's partial result cannot be written or read.
    #[error(transparent)]
    Partial(#[from] batch::partial::PartialError),
    /// `merge`: the shards do not make one whole job (each missing,
    /// duplicated or foreign shard is named), or its scenario changed.
    #[error(transparent)]
    Merge(#[from] batch::merge::MergeError),
    /// A swap log cannot be read (its bad rows, if that is why, are
    /// written before).
    #[error(transparent)]
    Log(#[from] records::ReadError),
    /// A scenario cannot be calibrated from a log.
    #[error(transparent)]
    Calibrate(#[from] records::CalibrateError),
    /// `weekly`: a week that is not `YYYY-Www`, or a plan directory
    /// whose `summary.json` cannot be read.
    #[error("{0}")]
    Weekly(String),
    /// `weekly --week`: a week the log cannot report.
    #[error("'{}': --week {source}", log.display())]
    Week {
        /// The log as given.
        log: PathBuf,
        /// Why the week cannot be reported.
        source: records::WeeklyError,
    },
    /// Writing to stdout failed (a closed pipe is not an error: see
    /// [`Error::is_broken_pipe`]).
    #[error("cannot write to stdout: {0}")]
    Stdout(#[source] io::Error),
}

/// What a file given as a scenario is instead.
#[derive(Debug)]
pub(crate) enum WrongFile {
    /// A survey sheet (CSV).
    Sheet,
    /// A spreadsheet workbook (`.xlsx`, a zip archive).
    Workbook,
    /// A directory that `plan --out` wrote: its `plan.toml`.
    PlanDirectory(PathBuf),
    /// Another directory, with the names of the `.toml` files in it.
    Directory(Vec<String>),
}

impl WrongFile {
    /// What the file is, and what to do, after "'PATH' is ".
    fn explain(&self, path: &std::path::Path) -> String {
        let path = path.display();
        match self {
            WrongFile::Sheet => format!(
                "a CSV sheet, not a scenario (TOML): did you mean \
                 `swapsim import-survey {path} --template T.toml`?"
            ),
            WrongFile::Workbook => format!(
                "a spreadsheet workbook, not a scenario (TOML): did you mean \
                 `swapsim import-survey {path} --template T.toml`?"
            ),
            WrongFile::PlanDirectory(plan) => format!(
                "a directory, not a scenario (TOML): did you mean '{}'?",
                plan.display()
            ),
            WrongFile::Directory(names) if names.is_empty() => {
                "a directory, not a scenario (TOML), and holds no .toml file".to_owned()
            }
            WrongFile::Directory(names) => {
                let shown = names.iter().take(8).map(String::as_str);
                let more = match names.len() {
                    n if n > 8 => format!(" and {} more", n - 8),
                    _ => String::new(),
                };
                format!(
                    "a directory, not a scenario (TOML): did you mean one of the .toml files \
                     in it: {}{more}?",
                    shown.collect::<Vec<_>>().join(", ")
                )
            }
        }
    }
}

impl Error {
    /// Whether stdout was closed by its reader (`swapsim ... | head`): the
    /// reader got what it wanted, so this counts as success.
    pub(crate) fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Stdout(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Writes `error` to `stderr`: a scenario's diagnostics each with its source
/// line and caret, then one `error:` line.
pub(crate) fn report(error: &Error, stderr: &mut dyn Write) {
    // Nothing sensible is left to do if stderr itself fails.
    let _ = match error {
        Error::Load(invalid @ LoadError::Invalid(diagnostics)) => {
            for diagnostic in diagnostics {
                let _ = writeln!(stderr, "{}\n", diagnostic.render());
            }
            let file = diagnostics.first().map_or("", |d| d.file.as_str());
            let _ = writeln!(stderr, "error: {file}: {invalid}");
            let utf16 = || {
                scenarios::file::read_regular(
                    std::path::Path::new(file),
                    scenarios::file::MAX_SCENARIO_BYTES,
                    "scenario",
                )
                .is_ok_and(|bytes| scenarios::file::is_utf16(&bytes))
            };
            if diagnostics.iter().any(|d| d.field == "encoding") && utf16() {
                writeln!(
                    stderr,
                    "hint: '{file}' is UTF-16 text (Notepad's \"Unicode\"): save it as UTF-8, \
                     or convert it: iconv -f UTF-16 -t UTF-8 '{file}' > NEW.toml"
                )
            } else if diagnostics.iter().any(|d| d.field == "encoding") {
                writeln!(
                    stderr,
                    "hint: save '{file}' as UTF-8 (in Notepad or Excel: Save As, \
                     encoding UTF-8), or convert it: iconv -f GBK -t UTF-8 '{file}' > NEW.toml"
                )
            } else {
                Ok(())
            }
        }
        Error::Sweep(invalid @ batch::SweepError::Invalid { problems, .. }) => {
            for diagnostic in problems {
                let _ = writeln!(stderr, "{}\n", diagnostic.render());
            }
            let file = problems.first().map_or("", |d| d.file.as_str());
            writeln!(stderr, "error: {file}: {invalid}")
        }
        Error::Survey { diagnostics, .. } => {
            for diagnostic in diagnostics {
                let _ = writeln!(stderr, "{}\n", diagnostic.render());
            }
            writeln!(stderr, "error: {error}")
        }
        Error::Log(records::ReadError::BadRows { problems, .. }) => {
            for problem in problems {
                let _ = writeln!(stderr, "{problem}");
            }
            writeln!(stderr, "error: {error}")
        }
        other => writeln!(stderr, "error: {other}"),
    };
}

/// How to run `compare` on scenarios that differ in a key.
fn fix_hint(flag: &str) -> String {
    if flag.is_empty() {
        "; make them equal to compare the scenarios".to_owned()
    } else {
        format!("; pass {flag} N to use the same value for every scenario")
    }
}

/// What to do about a font that lacks glyphs.
fn font_hint(error: &report::FontError) -> &'static str {
    match error {
        report::FontError::MissingGlyphs { .. } => {
            ": pass a font that has them with --font FILE (Debian, Ubuntu: fonts-noto-cjk)"
        }
        _ => "",
    }
}

/// `1 problem`, `3 problems`.
fn count_problems(n: usize) -> String {
    if n == 1 {
        "1 problem".to_owned()
    } else {
        format!("{n} problems")
    }
}

/// `1 warning`, `3 warnings`.
fn count_warnings(n: usize) -> String {
    if n == 1 {
        "1 warning".to_owned()
    } else {
        format!("{n} warnings")
    }
}
