//! Everything that stops a command, and how it is told to the user.
//!
//! Every error here is fatal to the command and maps to exit code
//! [`crate::exit::ERROR`]; only [`report`] turns one into text.

use std::io::{self, Write};
use std::path::PathBuf;

use scenarios::LoadError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The scenario could not be read, or is not valid.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// `--days` leaves no measured day after the scenario's warm-up.
    #[error(
        "--days {days} must be greater than warmup_days ({warmup_days}) of '{}'",
        scenario.display()
    )]
    DaysWithinWarmup {
        /// The `--days` value [d].
        days: u32,
        /// The scenario's warm-up [d].
        warmup_days: u32,
        /// The scenario path as given.
        scenario: PathBuf,
    },
    /// An output file could not be written.
    #[error("cannot write '{}': {source}", path.display())]
    WriteOut {
        /// The file or directory that failed.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// Writing to stdout failed (a closed pipe is not an error: see
    /// [`Error::is_broken_pipe`]).
    #[error("cannot write to stdout: {0}")]
    Stdout(#[source] io::Error),
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
            writeln!(stderr, "error: {file}: {invalid}")
        }
        other => writeln!(stderr, "error: {other}"),
    };
}
