//! `--format table`: the result as aligned text for people.
//!
//! One row per KPI, with its unit in the label; one column for the network
//! and one per site, in scenario order. Each cell is `mean [low, high]`, the
//! 95% interval, rounded to two significant digits of its half-width. Rates
//! are shown in percent here (the JSON keeps fractions). Wide tables are
//! split into several of at most [`COLUMNS_PER_TABLE`] value columns, so a
//! district of many communities still reads top to bottom.

use std::borrow::Cow;
use std::fmt::Write as _;

use sim_core::{Estimate, Kpis, RunResult};
use unicode_width::UnicodeWidthStr;

/// Value columns (network and sites) per table.
pub(crate) const COLUMNS_PER_TABLE: usize = 4;

/// Space between columns.
const GAP: &str = "  ";

/// Renders `result`; the text ends with a newline and no line has trailing
/// whitespace.
pub(crate) fn render(result: &RunResult) -> String {
    let mut out = String::new();
    let measured = result.days.saturating_sub(result.warmup_days);
    let _ = writeln!(
        out,
        "{}: seed {}, {} {} of {} {} ({} warm-up {} discarded)",
        result.scenario,
        result.seed,
        result.replications,
        plural(result.replications, "replication", "replications"),
        result.days,
        plural(result.days, "day", "days"),
        result.warmup_days,
        plural(result.warmup_days, "day", "days"),
    );
    let _ = writeln!(
        out,
        "KPIs over {measured} measured {}: mean [95% interval]",
        plural(measured, "day", "days"),
    );

    // Value columns: the network, then each site; `entries()` keeps the
    // order of `Kpis::NAMES`.
    let mut columns: Vec<(&str, Vec<(&str, Estimate)>)> =
        vec![("network", result.network.entries())];
    columns.extend(
        result
            .sites
            .iter()
            .map(|s| (s.name.as_str(), s.kpis.entries())),
    );
    for chunk in columns.chunks(COLUMNS_PER_TABLE) {
        out.push('\n');
        let mut rows: Vec<Vec<String>> = Vec::with_capacity(Kpis::NAMES.len() + 1);
        let mut header = vec![String::new()];
        header.extend(chunk.iter().map(|(name, _)| (*name).to_owned()));
        rows.push(header);
        for (k, name) in Kpis::NAMES.iter().enumerate() {
            let label = label(name);
            let mut row = vec![label.text.into_owned()];
            row.extend(chunk.iter().map(|(_, kpis)| cell(kpis[k].1, label.scale)));
            rows.push(row);
        }
        write_aligned(&mut out, &rows);
    }
    out
}

/// How a KPI is shown.
pub(crate) struct Label {
    /// Row label with its unit.
    pub(crate) text: Cow<'static, str>,
    /// Factor from the JSON value to the shown value (100 for percent).
    pub(crate) scale: f64,
}

/// The row label of KPI `name`. KPIs added to the engine later still show,
/// under their JSON name, until they get a label here.
pub(crate) fn label(name: &str) -> Label {
    let (text, scale) = match name {
        "swap_requests_per_day" => ("swap requests [1/d]", 1.0),
        "stockout_probability" => ("stockout [%]", 100.0),
        "lost_swap_rate" => ("lost swaps [%]", 100.0),
        "balk_rate" => ("balked at a full line [%]", 100.0),
        "prob_wait" => ("P(wait) [%]", 100.0),
        "wait_minutes_mean" => ("wait at cabinet mean [min]", 1.0),
        "wait_minutes_p95" => ("wait at cabinet p95 [min]", 1.0),
        "swap_delay_minutes_mean" => ("swap delay mean [min]", 1.0),
        "swap_delay_minutes_p95" => ("swap delay p95 [min]", 1.0),
        "full_batteries_mean" => ("full batteries [count]", 1.0),
        "cabinet_utilization" => ("slots charging [%]", 100.0),
        "door_utilization" => ("doors in use [%]", 100.0),
        "riders_present_mean" => ("riders at cabinets [count]", 1.0),
        "pile_sessions_per_day" => ("pile sessions [1/d]", 1.0),
        "flying_wire_sessions_per_day" => ("flying-wire sessions [1/d]", 1.0),
        "flying_wire_per_1000_bikes_day" => ("flying wire [1/(1000 bikes·d)]", 1.0),
        "pile_hours_per_day" => ("pile charging [h/d]", 1.0),
        "flying_wire_hours_per_day" => ("flying-wire charging [h/d]", 1.0),
        "swaps_per_subscriber_day" => ("swaps per subscriber [1/d]", 1.0),
        "swaps_per_cabinet_day" => ("swaps per cabinet [1/d]", 1.0),
        "batteries_per_subscriber" => ("batteries per subscriber [count]", 1.0),
        "cabinet_energy_kwh_per_day" => ("energy, cabinets [kWh/d]", 1.0),
        "pile_energy_kwh_per_day" => ("energy, piles [kWh/d]", 1.0),
        "home_energy_kwh_per_day" => ("energy, flats [kWh/d]", 1.0),
        "energy_kwh_per_day" => ("energy, total [kWh/d]", 1.0),
        "peak_load_kw" => ("peak load [kW]", 1.0),
        "transformer_peak_utilization" => ("transformer peak [%]", 100.0),
        "overload_hours_per_day" => ("overload, any transformer [h/d]", 1.0),
        "transformer_overload_hours_per_day" => ("transformer-hours overloaded [h/d]", 1.0),
        "cabinet_energy_cost_cny_per_day" => ("cost, cabinets, operator [CNY/d]", 1.0),
        "pile_energy_cost_cny_per_day" => ("cost, piles, residents [CNY/d]", 1.0),
        "home_energy_cost_cny_per_day" => ("cost, flats, residents [CNY/d]", 1.0),
        "energy_cost_cny_per_day" => ("energy cost, total [CNY/d]", 1.0),
        "riders_waiting_mean" => ("riders waiting [count]", 1.0),
        "queue_minutes_mean" => ("time in line [min]", 1.0),
        other => {
            return Label {
                text: Cow::Owned(other.to_owned()),
                scale: 1.0,
            };
        }
    };
    Label {
        text: Cow::Borrowed(text),
        scale,
    }
}

/// `mean [low, high]`, or the mean alone when the interval is a point (one
/// replication, or a KPI that never varies).
pub(crate) fn cell(estimate: Estimate, scale: f64) -> String {
    let mean = estimate.mean * scale;
    let low = estimate.ci95_low * scale;
    let high = estimate.ci95_high * scale;
    if !(mean.is_finite() && low.is_finite() && high.is_finite()) {
        return format!("{mean} [{low}, {high}]");
    }
    let half_width = (high - low) / 2.0;
    // Rounding noise of a KPI that never varies is no interval.
    if half_width > 1e-9 * mean.abs() {
        let d = decimals(half_width, 2);
        format!("{mean:.d$} [{low:.d$}, {high:.d$}]")
    } else {
        let d = decimals(mean.abs(), 4);
        format!("{mean:.d$}")
    }
}

/// `mean [low, high]` unscaled, even when the interval is a point: for
/// lines that compare an estimate with a limit.
pub(crate) fn interval(estimate: Estimate) -> String {
    let Estimate {
        mean,
        ci95_low: low,
        ci95_high: high,
    } = estimate;
    let half_width = (high - low) / 2.0;
    let d = if half_width > 0.0 && half_width.is_finite() {
        decimals(half_width, 2)
    } else {
        decimals(mean.abs(), 4)
    };
    format!("{mean:.d$} [{low:.d$}, {high:.d$}]")
}

/// Decimals that show `significant` significant digits of `x` (≥ 0), at most 6.
fn decimals(x: f64, significant: i32) -> usize {
    if x == 0.0 {
        return 0;
    }
    let magnitude = x.log10().floor() as i32;
    // Clamped to 0..=6, so the cast cannot wrap.
    (significant - 1 - magnitude).clamp(0, 6) as usize
}

/// Writes `rows` as columns: the first left-aligned, the others
/// right-aligned, measured in terminal columns so CJK names line up.
pub(crate) fn write_aligned(out: &mut String, rows: &[Vec<String>]) {
    let n_columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n_columns)
        .map(|c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::new();
        for (c, text) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c] - text.width());
            if c == 0 {
                line.push_str(text);
                line.push_str(&pad);
            } else {
                line.push_str(GAP);
                line.push_str(&pad);
                line.push_str(text);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

pub(crate) fn plural<'a>(n: u32, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(mean: f64, ci95_low: f64, ci95_high: f64) -> Estimate {
        Estimate {
            mean,
            ci95_low,
            ci95_high,
        }
    }

    #[test]
    fn cells_round_to_two_digits_of_the_half_width() {
        assert_eq!(
            cell(estimate(48.023, 47.1, 48.94), 1.0),
            "48.02 [47.10, 48.94]"
        );
        assert_eq!(
            cell(estimate(0.0241, 0.0201, 0.0281), 100.0),
            "2.41 [2.01, 2.81]"
        );
        assert_eq!(
            cell(estimate(12345.6, 12300.0, 12391.2), 1.0),
            "12346 [12300, 12391]"
        );
    }

    #[test]
    fn intervals_for_limits_always_show_both_ends() {
        assert_eq!(
            interval(estimate(0.0312, 0.0271, 0.0353)),
            "0.0312 [0.0271, 0.0353]"
        );
        assert_eq!(
            interval(estimate(0.02, 0.02, 0.02)),
            "0.02000 [0.02000, 0.02000]"
        );
    }

    #[test]
    fn a_point_interval_shows_the_mean_alone() {
        assert_eq!(cell(estimate(0.0, 0.0, 0.0), 100.0), "0");
        assert_eq!(cell(estimate(48.023, 48.023, 48.023), 1.0), "48.02");
    }

    #[test]
    fn cjk_names_align_by_display_width() {
        let rows = vec![
            vec![String::new(), "美吉鑫小区".to_owned(), "B".to_owned()],
            vec!["x [1/d]".to_owned(), "1.5".to_owned(), "22.25".to_owned()],
        ];
        let mut out = String::new();
        write_aligned(&mut out, &rows);
        assert_eq!(
            out,
            "         美吉鑫小区      B\n\
             x [1/d]         1.5  22.25\n"
        );
    }

    #[test]
    fn every_engine_kpi_has_a_label() {
        for name in Kpis::NAMES {
            assert!(
                matches!(label(name).text, Cow::Borrowed(_)),
                "KPI `{name}` has no table label"
            );
        }
    }
}
