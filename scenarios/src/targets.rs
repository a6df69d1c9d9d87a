//! `[targets]`: the service levels a deployment must meet. `swapsim plan`
//! searches the cheapest deployment that meets them; a target holds when
//! the upper end of its KPI's 95 % interval meets it.

use std::ops::Bound::{Excluded, Included};

use sim_core::Targets;

use crate::diag::Sink;
use crate::walk::{At, Number, Table};

/// Rates and utilisations: (0, 1].
const SHARE: Number = Number::new(Excluded(0.0), Included(1.0));

/// The targets (`None` when one is invalid, reported), and where the
/// transformer target is written: it needs a site with a transformer.
pub(crate) struct Read {
    pub(crate) targets: Option<Targets>,
    pub(crate) utilization_at: Option<At>,
}

/// Reads `[targets]`; none are set when it is absent.
pub(crate) fn read(t: Option<Table<'_, '_>>, sink: &mut Sink<'_>) -> Option<Read> {
    let Some(mut t) = t else {
        return Some(Read {
            targets: Some(Targets::default()),
            utilization_at: None,
        });
    };
    let lost = t.optional(sink, "max_lost_swap_rate", &SHARE);
    let stockout = t.optional(sink, "max_stockout_probability", &SHARE);
    let wait = t.optional(
        sink,
        "max_wait_minutes_p95",
        &crate::bounds::WAIT_TARGET_MINUTES,
    );
    let flying = t.optional(
        sink,
        "max_flying_wire_per_1000_bikes_day",
        &crate::bounds::FLYING_WIRE_TARGET,
    );
    let utilization = t.optional(sink, "max_transformer_utilization", &SHARE);
    let utilization_at = t
        .has("max_transformer_utilization")
        .then(|| t.at("max_transformer_utilization"));
    t.finish(sink);
    let targets = || {
        Some(Targets {
            max_lost_swap_rate: lost.ok()?,
            max_stockout_probability: stockout.ok()?,
            max_wait_minutes_p95: wait.ok()?,
            max_flying_wire_per_1000_bikes_day: flying.ok()?,
            max_transformer_utilization: utilization.ok()?,
        })
    };
    Some(Read {
        targets: targets(),
        utilization_at,
    })
}

#[cfg(test)]
mod tests {
    use sim_core::Targets;

    use crate::testing::{VALID, model, problems};

    #[test]
    fn targets_are_optional_and_read_as_written() {
        assert_eq!(model(VALID).targets, Targets::default());
        let m = model(&format!(
            "{VALID}\n[targets]\nmax_stockout_probability = 0.02\nmax_wait_minutes_p95 = 10\n"
        ));
        assert_eq!(
            m.targets,
            Targets {
                max_stockout_probability: Some(0.02),
                max_wait_minutes_p95: Some(10.0),
                ..Targets::default()
            }
        );
    }

    #[test]
    fn targets_are_positive_and_rates_at_most_one() {
        let source = format!(
            "{VALID}\n[targets]\nmax_lost_swap_rate = 2\nmax_wait_minutes_p95 = 0\n\
             max_wait = 3\nmax_transformer_utilization = 0.8\n"
        );
        assert_eq!(
            problems(&source),
            [
                "t.toml:26:22: targets.max_lost_swap_rate: expected a number in (0, 1], found 2",
                "t.toml:27:24: targets.max_wait_minutes_p95: expected a number in (0, 1440], found 0",
                "t.toml:28:1: targets.max_wait: unknown key, expected one of \
                 `max_lost_swap_rate`, `max_stockout_probability`, `max_wait_minutes_p95`, \
                 `max_flying_wire_per_1000_bikes_day`, `max_transformer_utilization`; did you \
                 mean `max_wait_minutes_p95`?",
                "t.toml:29:31: targets.max_transformer_utilization: `max_transformer_utilization` \
                 limits the transformers' loading, but no site has a `transformer`",
            ]
        );
    }
}
