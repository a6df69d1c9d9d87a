//! Where text goes: data to stdout, progress and diagnostics to stderr.
//!
//! Progress is either plain `swapsim: ...` lines or an `indicatif` bar, and
//! is shown only when stderr is a terminal and `--quiet` is not given.
//! Lines about the result itself (missed targets, an infeasible plan) are
//! always written.

use std::fmt;
use std::io::{self, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::Error;

/// A command's output streams.
pub(crate) struct Streams<'a> {
    stdout: &'a mut dyn Write,
    stderr: &'a mut dyn Write,
    /// Whether to report progress on stderr.
    progress: bool,
    /// Whether stdout's reader has gone away (`swapsim ... | head`).
    closed: bool,
}

impl<'a> Streams<'a> {
    /// Streams that report progress if `progress` is set.
    pub(crate) fn new(
        stdout: &'a mut dyn Write,
        stderr: &'a mut dyn Write,
        progress: bool,
    ) -> Self {
        Streams {
            stdout,
            stderr,
            progress,
            closed: false,
        }
    }

    /// Writes `text` to stdout. A closed pipe is not an error: the reader
    /// got what it wanted, so the rest is dropped and the command goes on
    /// to its exit code.
    pub(crate) fn out(&mut self, text: &str) -> Result<(), Error> {
        if self.closed {
            return Ok(());
        }
        match self.stdout.write_all(text.as_bytes()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other.map_err(Error::Stdout),
        }
    }

    /// Flushes stdout (a closed pipe is not an error).
    pub(crate) fn flush(&mut self) -> Result<(), Error> {
        if self.closed {
            return Ok(());
        }
        match self.stdout.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(Error::Stdout),
        }
    }

    /// Writes one line to stderr, whatever the progress setting: for what
    /// the user must see (a missed target).
    pub(crate) fn tell(&mut self, line: fmt::Arguments<'_>) {
        // Nothing sensible is left to do if stderr itself fails.
        let _ = writeln!(self.stderr, "{line}");
    }

    /// Writes `swapsim: LINE` to stderr when progress is shown.
    pub(crate) fn say(&mut self, line: fmt::Arguments<'_>) {
        if self.progress {
            let _ = writeln!(self.stderr, "swapsim: {line}");
        }
    }

    /// Whether progress is shown.
    pub(crate) fn shows_progress(&self) -> bool {
        self.progress
    }

    /// Stderr, for an error report.
    pub(crate) fn stderr(&mut self) -> &mut dyn Write {
        self.stderr
    }
}

/// An `indicatif` bar on stderr of simulated days (replications × days),
/// so it moves within a long replication; nothing when progress is hidden.
pub(crate) struct Bar {
    bar: Option<ProgressBar>,
    /// Days per replication.
    days: u64,
}

impl Bar {
    /// A bar counting to `replications` × `days` simulated days, with
    /// `prefix` before it; hidden unless `streams` shows progress.
    pub(crate) fn new(streams: &Streams<'_>, replications: u64, days: u32, prefix: &str) -> Bar {
        let template = "{prefix} [{elapsed_precise}] {bar:30} {pos}/{len} days simulated, ETA {eta} {wide_msg}";
        Bar::with_template(streams, replications, days, prefix, template)
    }

    /// The planner's bar: simulated days out of an estimate that grows
    /// as the search goes on (see [`sim_core::planner::Step`]), with the
    /// simulation and its reason as the message.
    pub(crate) fn plan(streams: &Streams<'_>, days: u32) -> Bar {
        let template = "{prefix} [{elapsed_precise}] {bar:30} {pos}/~{len} days simulated, \
                        ETA ~{eta} {wide_msg}";
        // One replication until the first estimate: a bar of length 0
        // would draw full.
        Bar::with_template(streams, 1, days, "plan", template)
    }

    fn with_template(
        streams: &Streams<'_>,
        replications: u64,
        days: u32,
        prefix: &str,
        template: &str,
    ) -> Bar {
        let days = u64::from(days);
        if !streams.shows_progress() {
            return Bar { bar: None, days };
        }
        let bar =
            ProgressBar::with_draw_target(Some(replications * days), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(template)
            .expect("the templates are valid")
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(prefix.to_owned());
        // The bar only ever draws on stderr, which `main` does not lock.
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar {
            bar: Some(bar),
            days,
        }
    }

    /// A sweep's bar: points done out of `points`, with the time left.
    pub(crate) fn points(streams: &Streams<'_>, points: u64) -> Bar {
        let template =
            "{prefix} [{elapsed_precise}] {bar:30} {pos}/{len} points, ETA {eta} {wide_msg}";
        Bar::with_template(streams, points, 1, "sweep", template)
    }

    /// One more done.
    pub(crate) fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Shows `message` next to the bar.
    pub(crate) fn message(&self, message: String) {
        if let Some(bar) = &self.bar {
            bar.set_message(message);
        }
    }

    /// Removes the bar from the terminal.
    pub(crate) fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.clear();
    }
}

/// One more simulated day, from whichever replication.
impl sim_core::DayProgress for Bar {
    fn day_done(&self, _replication: u32, _day: u32) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

/// The planner's progress: the estimate of its replications becomes the
/// bar's length (never below what is done), and the message says which
/// simulation runs and why.
impl sim_core::planner::Progress for Bar {
    fn simulating(&self, step: &sim_core::planner::Step<'_>) {
        if let Some(bar) = &self.bar {
            bar.set_length((step.estimate * self.days).max(bar.position()));
        }
        self.message(format!(
            "simulation {} of about {}: {}, {}",
            step.simulation,
            step.expected_simulations,
            step.note,
            crate::count(u64::from(step.total), "replication"),
        ));
    }
}
