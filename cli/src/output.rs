//! Result files and their formats.

use std::ffi::OsStr;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use sim_core::RunResult;

use crate::error::Error;
use crate::streams::Streams;
use crate::{timeseries, workbook};

/// The plan as a scenario that `run` accepts (`plan --out`).
pub(crate) const PLAN_TOML_FILE: &str = "plan.toml";
/// The plan as `plan --format csv` prints it (`plan --out`).
pub(crate) const PLAN_CSV_FILE: &str = "plan.csv";

/// Every file that a command writes into its `--out DIR`. Writing one
/// command's files removes the others' (see [`write_dir`]), so that
/// `swapsim report DIR` never mixes two results. `plan.toml` is not among
/// them: it may be the scenario being run.
const RESULT_FILES: [&str; 11] = [
    report::SUMMARY_FILE,
    report::TIMESERIES_FILE,
    report::READY_FILE,
    report::PROFILES_FILE,
    report::CONTEXT_FILE,
    report::PLAN_FILE,
    PLAN_CSV_FILE,
    report::COMPARE_FILE,
    workbook::RUN_FILE,
    workbook::PLAN_FILE,
    workbook::COMPARE_FILE,
];

/// The UTF-8 byte-order mark that starts every CSV file written into
/// `--out`: without it Excel on a Chinese Windows machine reads the file
/// as GBK and garbles 中文. CSV on stdout has none (a pipe wants text).
pub(crate) const BOM: &str = "\u{feff}";

/// `csv` as the bytes of a CSV file in `--out`: [`BOM`] first.
pub(crate) fn with_bom(csv: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(BOM.len() + csv.len());
    bytes.extend_from_slice(BOM.as_bytes());
    bytes.extend_from_slice(csv);
    bytes
}

/// The JSON result of DESIGN.md §2, pretty-printed, with a final newline.
/// It depends only on the scenario and the seed, not on the thread count.
pub(crate) fn json(result: &RunResult) -> String {
    let mut text = serde_json::to_string_pretty(result)
        .expect("a RunResult has string keys only, so it always serializes");
    text.push('\n');
    text
}

/// Rows of `header` and then `rows` as CSV text (RFC 4180, `\n` line ends).
pub(crate) fn csv_text<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> String {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(header)
        .expect("writing CSV to memory cannot fail");
    for row in rows {
        csv.write_record(row.as_ref())
            .expect("writing CSV to memory cannot fail");
    }
    let bytes = csv
        .into_inner()
        .expect("flushing CSV to memory cannot fail");
    String::from_utf8(bytes).expect("the CSV is built from UTF-8 strings")
}

/// `run --format csv`: the JSON result in long form, one row per KPI of
/// the network and of each site: `scope` (`network` or `site`), `site`
/// (empty for the network), `kpi`, `mean`, `ci95_low`, `ci95_high`. Numbers
/// are written in full (shortest text that reads back the same `f64`).
pub(crate) fn run_csv(result: &RunResult) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let scopes = std::iter::once(("network", "", &result.network)).chain(
        result
            .sites
            .iter()
            .map(|site| ("site", site.name.as_str(), &site.kpis)),
    );
    for (scope, site, kpis) in scopes {
        for (kpi, e) in kpis.entries() {
            rows.push(vec![
                scope.to_owned(),
                site.to_owned(),
                kpi.to_owned(),
                e.mean.to_string(),
                e.ci95_low.to_string(),
                e.ci95_high.to_string(),
            ]);
        }
    }
    csv_text(
        &["scope", "site", "kpi", "mean", "ci95_low", "ci95_high"],
        &rows,
    )
}

/// The files of a run in `--out DIR`, with their names: the JSON result,
/// the two 15-minute series (CSV with a [`BOM`]), the hour-of-day profiles and the scenario's
/// context (targets, transformers, assumptions) for `swapsim report`.
pub(crate) fn run_files(
    result: &RunResult,
    context: &report::Context,
) -> Vec<(&'static str, Vec<u8>)> {
    let mut profiles = serde_json::to_string_pretty(&result.profiles)
        .expect("profiles have string keys only, so they always serialize");
    profiles.push('\n');
    let series = &result.timeseries;
    vec![
        (report::SUMMARY_FILE, json(result).into_bytes()),
        (
            report::TIMESERIES_FILE,
            with_bom(&timeseries::load_csv(series, result.warmup_days)),
        ),
        (
            report::READY_FILE,
            with_bom(&timeseries::ready_csv(series, result.warmup_days)),
        ),
        (report::PROFILES_FILE, profiles.into_bytes()),
        (report::CONTEXT_FILE, context.to_json().into_bytes()),
    ]
}

/// A result file: its name in the `--out` directory and its bytes.
pub(crate) type ResultFile<'a> = (&'a str, Vec<u8>);

/// Writes `files` into `dir` (see [`write_atomically`]), says so, and then
/// removes the result files of other commands that an earlier `--force`d
/// write left there. Files that swapsim does not write are left alone.
pub(crate) fn write_dir(
    dir: &Path,
    files: &[ResultFile<'_>],
    streams: &mut Streams<'_>,
) -> Result<(), Error> {
    for (name, contents) in files {
        write_atomically(dir, name, contents)?;
        streams.say(format_args!("wrote {}", dir.join(name).display()));
    }
    let stale = RESULT_FILES
        .iter()
        .filter(|&&name| files.iter().all(|(n, _)| *n != name));
    for name in stale {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => streams.say(format_args!("removed {}", path.display())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Remove { path, source }),
        }
    }
    Ok(())
}

/// `(name, value)` pairs serialised as a JSON object in their own order.
pub(crate) struct Ordered<'a, V>(pub(crate) Vec<(&'a str, V)>);

impl<V: Serialize> Serialize for Ordered<'_, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Writes `contents` to `dir/name`, creating `dir` if missing. The bytes go
/// to a temporary file in `dir` that is then renamed over the target, so a
/// reader never sees a half-written file, and a failed write leaves the
/// previous file in place.
///
/// Hand-written rather than with `tempfile`: its files are created with mode
/// 0600, which the rename would pass on to the result; a plain new file gets
/// the user's umask like any other output.
pub(crate) fn write_atomically(dir: &Path, name: &str, contents: &[u8]) -> Result<(), Error> {
    write_file_atomically(&dir.join(name), contents)
}

/// [`write_atomically`] to the file `path`, creating its directory if
/// missing.
pub(crate) fn write_file_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let (dir, name) = match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => (dir, name),
        _ => {
            return Err(Error::WriteOut {
                path: path.to_owned(),
                source: io::Error::new(io::ErrorKind::InvalidInput, "not a file name"),
            });
        }
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::create_dir_all(dir).map_err(|source| Error::WriteOut {
        path: dir.to_owned(),
        source,
    })?;
    replace(dir, name, contents)
}

/// Checks, before anything runs, that files can be written into `dir`:
/// creates it if missing and creates and removes a probe file there. An
/// `--out` that is a file, or in a read-only place, once failed only after
/// the whole simulation.
pub(crate) fn check_dir_writable(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::WriteOut {
        path: dir.to_owned(),
        source,
    })?;
    let probe = dir.join(format!(".swapsim-probe-{}.tmp", std::process::id()));
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map(drop);
    match created {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        // A probe left by a killed run of this process id: the directory
        // is writable all the same.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(Error::WriteOut {
            path: dir.to_owned(),
            source,
        }),
    }
}

/// Removes the temporary files that killed runs left in `dir` and its
/// `charts/`, and in a sweep's `points/NNNN/` and their `charts/`
/// (`.NAME.PID-N.tmp`, `.swapsim-probe-PID.tmp`: only swapsim's own
/// pattern, so a user's `notes.tmp` stays). For `--force`, before
/// anything runs; gives the files removed.
pub(crate) fn remove_stale_temps(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut removed = Vec::new();
    let mut dirs = vec![dir.to_path_buf(), dir.join("charts")];
    if let Ok(points) = std::fs::read_dir(dir.join("points")) {
        for point in points.flatten() {
            if point.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(point.path());
                dirs.push(point.path().join("charts"));
            }
        }
    }
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let ours = name.starts_with('.')
                && name.ends_with(".tmp")
                && name
                    .trim_end_matches(".tmp")
                    .rsplit(['.', '-'])
                    .next()
                    .is_some_and(|tail| {
                        !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit())
                    });
            if !ours || !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            match std::fs::remove_file(&path) {
                Ok(()) => removed.push(path),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(source) => return Err(Error::Remove { path, source }),
            }
        }
    }
    Ok(removed)
}

/// Checks, before anything runs, that the file `path` can be written (see
/// [`check_dir_writable`]): its directory is writable and it is no
/// directory.
pub(crate) fn check_file_writable(path: &Path) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    check_dir_writable(dir)?;
    check_replaceable(path)
}

/// Refuses a target that exists and is no regular file. Outputs are
/// written to a temporary file renamed over the target, which would
/// replace a device, a FIFO or a socket with a plain file (an `--html
/// /dev/full` run as root once replaced the device).
fn check_replaceable(path: &Path) -> Result<(), Error> {
    let Ok(meta) = std::fs::metadata(path) else {
        // Missing (it will be created), or unreadable: the write says why.
        return Ok(());
    };
    let source = if meta.is_file() {
        return Ok(());
    } else if meta.is_dir() {
        io::Error::new(io::ErrorKind::IsADirectory, "is a directory")
    } else {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a device, FIFO or socket, not a regular file: outputs are \
             written to a temporary file renamed over the target, which \
             would replace it; name a regular file",
        )
    };
    Err(Error::WriteOut {
        path: path.to_owned(),
        source,
    })
}

/// Writes `dir/name` through a temporary file in `dir`, which exists.
fn replace(dir: &Path, name: &OsStr, contents: &[u8]) -> Result<(), Error> {
    /// Tells apart the temporary files of one process (tests run in threads).
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    let target = dir.join(name);
    check_replaceable(&target)?;
    let temp = dir.join(format!(
        ".{}.{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    ));
    let written = write_new(&temp, contents).and_then(|()| std::fs::rename(&temp, &target));
    written.map_err(|source| {
        let _ = std::fs::remove_file(&temp);
        Error::WriteOut {
            path: target,
            source,
        }
    })
}

/// Creates `path`, which must not exist yet, and writes `contents` to disk.
fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}
