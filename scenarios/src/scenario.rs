//! `[scenario]`: the run's name, length, seed and replications.

use crate::bounds;
use crate::diag::Sink;
use crate::walk::{Integer, Table, Text};

/// Simulated days per replication when `days` is absent.
pub(crate) const DEFAULT_DAYS: u32 = 28;
/// Warm-up days when `warmup_days` is absent.
pub(crate) const DEFAULT_WARMUP_DAYS: u32 = 3;
/// Base seed when `seed` is absent.
pub(crate) const DEFAULT_SEED: u64 = 1;
/// Replications when `replications` is absent.
pub(crate) const DEFAULT_REPLICATIONS: u32 = 10;

/// The `[scenario]` table.
pub(crate) struct Scenario {
    pub(crate) name: String,
    /// Short label for report columns; `None` = the name.
    pub(crate) label: Option<String>,
    /// Simulated days per replication, warm-up included.
    pub(crate) days: u32,
    /// Days discarded at the start of every replication.
    pub(crate) warmup_days: u32,
    pub(crate) seed: u64,
    pub(crate) replications: u32,
}

/// Reads `[scenario]`.
pub(crate) fn read(mut t: Table<'_, '_>, sink: &mut Sink<'_>) -> Option<Scenario> {
    let name = t.required(sink, "name", &Text);
    let label = t.optional(sink, "label", &Text);
    let days = t.defaulted(sink, "days", &bounds::DAYS, DEFAULT_DAYS);
    let warmup_days = t.defaulted(
        sink,
        "warmup_days",
        &bounds::WARMUP_DAYS,
        DEFAULT_WARMUP_DAYS,
    );
    let seed = t.defaulted(sink, "seed", &Integer::at_least(0), DEFAULT_SEED);
    let replications = t.defaulted(
        sink,
        "replications",
        &bounds::replications(1),
        DEFAULT_REPLICATIONS,
    );
    if let (Some(days), Some(warmup)) = (days, warmup_days)
        && warmup >= days
    {
        // Blame the key the file sets; a default is not the user's mistake.
        let (key, note) = if t.has("warmup_days") {
            ("warmup_days", "")
        } else {
            ("days", ", the default")
        };
        t.error(
            sink,
            key,
            format_args!("warmup_days ({warmup}{note}) must be less than days ({days})"),
        );
    }
    t.finish(sink);
    Some(Scenario {
        name: name?,
        label: label.ok()?,
        days: days?,
        warmup_days: warmup_days?,
        seed: seed?,
        replications: replications?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{edit, edits, model, problems};

    #[test]
    fn only_the_name_is_required() {
        let source = edit(
            "days = 400\nwarmup_days = 10\nseed = 1\nreplications = 8\n",
            "",
        );
        let m = model(&source);
        assert_eq!(
            (m.days, m.warmup_days, m.seed, m.replications),
            (
                DEFAULT_DAYS,
                DEFAULT_WARMUP_DAYS,
                DEFAULT_SEED,
                DEFAULT_REPLICATIONS
            )
        );
        assert_eq!(
            problems(&edit("name = \"erlang-b\"\n", "")),
            ["t.toml:1:1: scenario.name: missing required key `name`, expected a non-empty string"]
        );
    }

    #[test]
    fn warmup_must_be_shorter_than_the_run() {
        assert_eq!(
            problems(&edit("warmup_days = 10", "warmup_days = 400")),
            ["t.toml:4:15: scenario.warmup_days: warmup_days (400) must be less than days (400)"]
        );
        // With the default warm-up, the short run is the mistake.
        assert_eq!(
            problems(&edits(&[
                ("days = 400", "days = 3"),
                ("warmup_days = 10\n", "")
            ])),
            ["t.toml:3:8: scenario.days: warmup_days (3, the default) must be less than days (3)"]
        );
    }

    #[test]
    fn counts_must_be_positive_integers() {
        assert_eq!(
            problems(&edit("replications = 8", "replications = 0")),
            ["t.toml:6:16: scenario.replications: expected an integer from 1 to 10000, found 0"]
        );
        assert_eq!(
            problems(&edit("days = 400", "days = 28.5")),
            ["t.toml:3:8: scenario.days: expected an integer from 1 to 3650, found float"]
        );
        assert_eq!(
            problems(&edit("seed = 1", "seed = -1")),
            ["t.toml:5:8: scenario.seed: expected a non-negative integer, found -1"]
        );
        assert_eq!(model(&edit("seed = 1", "seed = 0")).seed, 0);
        assert_eq!(
            model(&edit("warmup_days = 10", "warmup_days = 0")).warmup_days,
            0
        );
    }
}
