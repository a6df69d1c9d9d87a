//! `[cabinet]`: how every cabinet swaps, dispenses and decides when to charge.

use sim_core::{DispenseRule, Dist, Strategy};

use crate::diag::Sink;
use crate::walk::{At, Choice, Number, Table};

/// Seconds a swap occupies the cabinet door when `swap_seconds` is absent
/// and the scenario has rider-driven sites: 30–60 s with the app [S].
pub(crate) const DEFAULT_SWAP_SECONDS: f64 = 45.0;
/// Safety factor of `off_peak_with_reserve` when absent [E].
pub(crate) const DEFAULT_RESERVE_FACTOR: f64 = 1.2;

/// Values of `dispense`.
const DISPENSE_RULES: &[&str] = &["highest_soc", "least_cycled"];
/// Values of `strategy.model`.
const STRATEGIES: &[&str] = &["immediate", "off_peak_with_reserve", "grid_capped"];

/// The `[cabinet]` table; each key `None` when invalid (reported), so that
/// the valid ones can still be checked against the rest of the scenario.
pub(crate) struct Cabinet {
    /// `Some(None)` when absent: the default depends on the sites.
    pub(crate) swap_seconds: Option<Option<Dist>>,
    pub(crate) dispense: Option<DispenseRule>,
    pub(crate) strategy: Option<Strategy>,
    /// Where the strategy was chosen, for checks against the tariff and
    /// the transformers; `None` when it is the default.
    pub(crate) strategy_at: Option<At>,
}

/// Reads `[cabinet]`, or gives the defaults when it is absent.
pub(crate) fn read(t: Option<Table<'_, '_>>, sink: &mut Sink<'_>) -> Cabinet {
    let Some(mut t) = t else {
        return Cabinet {
            swap_seconds: Some(None),
            dispense: Some(DispenseRule::HighestSoc),
            strategy: Some(Strategy::Immediate),
            strategy_at: None,
        };
    };
    // A number (every swap takes it) or a distribution of swap times.
    let swap_seconds = match t.item("swap_seconds") {
        Some(item) => crate::dist::read(
            &item,
            sink,
            &Number::NON_NEGATIVE,
            Some(&crate::bounds::SWAP_SECONDS),
        )
        .map(Some),
        None => Some(None),
    };
    let dispense = t
        .defaulted(sink, "dispense", &Choice(DISPENSE_RULES), "highest_soc")
        .map(|rule| match rule {
            "least_cycled" => DispenseRule::LeastCycled,
            _ => DispenseRule::HighestSoc,
        });
    let (strategy, strategy_at) = match t.optional_table(sink, "strategy") {
        Ok(None) => (Some(Strategy::Immediate), None),
        Ok(Some(strategy)) => {
            let at = strategy.at("model");
            (read_strategy(strategy, sink), Some(at))
        }
        Err(_) => (None, None),
    };
    t.finish(sink);
    Cabinet {
        swap_seconds,
        dispense,
        strategy,
        strategy_at,
    }
}

/// Reads `cabinet.strategy`, a table tagged by `model`.
fn read_strategy(mut t: Table<'_, '_>, sink: &mut Sink<'_>) -> Option<Strategy> {
    let strategy = match t.model(sink, STRATEGIES) {
        Some("immediate") => Some(Strategy::Immediate),
        Some("off_peak_with_reserve") => t
            .defaulted(
                sink,
                "reserve_factor",
                &Number::POSITIVE,
                DEFAULT_RESERVE_FACTOR,
            )
            .map(|reserve_factor| Strategy::OffPeakWithReserve { reserve_factor }),
        Some("grid_capped") => Some(Strategy::GridCapped),
        other => {
            debug_assert!(other.is_none(), "strategy {other:?} has no reader");
            None
        }
    };
    t.finish(sink);
    strategy
}
