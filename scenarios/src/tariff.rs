//! `[tariff]`: time-of-use electricity prices by period (peak, flat,
//! valley), each over whole hours of the day.
//!
//! Every hour belongs to exactly one period. An hour range `"a-b"` is the
//! hours from a:00 up to b:00; `"22-6"` wraps past midnight. `flat` without
//! `hours` takes every hour the other periods leave.

use sim_core::Tariff;
use toml::de::DeValue;

use crate::diag::Sink;
use crate::walk::{At, Item, Number, Table};

/// The periods, in the order messages list them.
const PERIODS: &[&str] = &["peak", "flat", "valley"];
/// What residents pay per kWh at piles and at home when `[tariff]` does not
/// say: Chongqing's first residential tier, ¥0.52 (≤ 200 kWh a month) [S].
pub(crate) const DEFAULT_RESIDENTIAL_CNY_PER_KWH: f64 = 0.52;

/// The period that takes the hours nobody lists when it has no `hours`.
const FLAT: usize = 1;
/// The period whose hours are the tariff's valley.
const VALLEY: usize = 2;

/// What an hour range is, for messages.
const RANGE: &str = "an hour range \"a-b\" (whole hours from 0 to 24, like \"0-8\" or \"22-6\")";
/// What `hours` is, for messages.
const RANGES: &str =
    "an array of hour ranges \"a-b\" (whole hours from 0 to 24, like [\"0-8\", \"22-24\"])";

/// One `hours` entry as read.
struct Range {
    period: usize,
    text: String,
    hours: Vec<usize>,
    at: At,
}

/// Reads `[tariff]`; without it every price (the residential one too) is 0
/// and there is no valley.
pub(crate) fn read(t: Option<Table<'_, '_>>, sink: &mut Sink<'_>) -> Option<Tariff> {
    let Some(mut t) = t else {
        return Some(Tariff::default());
    };
    let mut prices = [None; 3];
    let mut present = [false; 3];
    let mut flat_takes_the_rest = false;
    let mut ranges = Vec::new();
    let mut ok = true;
    for (period, name) in PERIODS.iter().enumerate() {
        let Ok(table) = t.optional_table(sink, name) else {
            ok = false;
            continue;
        };
        let Some(mut table) = table else { continue };
        present[period] = true;
        prices[period] = table.required(sink, "price", &Number::NON_NEGATIVE);
        ok &= prices[period].is_some();
        let hours = if period == FLAT {
            table.item("hours")
        } else {
            table.required_item(sink, "hours", RANGES)
        };
        match hours {
            Some(item) => ok &= read_hours(&item, period, &mut ranges, sink),
            None => flat_takes_the_rest |= period == FLAT,
        }
        table.finish(sink);
    }
    let residential = t.defaulted(
        sink,
        "residential_price",
        &Number::NON_NEGATIVE,
        DEFAULT_RESIDENTIAL_CNY_PER_KWH,
    );
    let owners = assign(&ranges, &mut ok, sink);
    let mut period_of = [0; 24];
    let mut free = Vec::new();
    for (hour, owner) in owners.iter().enumerate() {
        match owner {
            Some(period) => period_of[hour] = *period,
            None if flat_takes_the_rest => period_of[hour] = FLAT,
            None => free.push(hour),
        }
    }
    if !free.is_empty() {
        let fix = if present[FLAT] {
            "leave out `flat.hours` so that `flat` takes them"
        } else {
            "add `flat = { price = ... }` to take them"
        };
        t.error_here(
            sink,
            format_args!(
                "hours {} are in no period; list them, or {fix}",
                runs(&free)
            ),
        );
        ok = false;
    }
    t.finish(sink);
    if !ok {
        return None;
    }
    let mut tariff = Tariff {
        residential_cny_per_kwh: residential?,
        ..Tariff::default()
    };
    for hour in 0..24 {
        tariff.price_per_kwh[hour] = prices[period_of[hour]]?;
        tariff.valley[hour] = period_of[hour] == VALLEY;
    }
    Some(tariff)
}

/// Reads `period`'s `hours`, an array of ranges (or one range), into
/// `ranges`; false when one is invalid (reported).
fn read_hours(
    item: &Item<'_, '_>,
    period: usize,
    ranges: &mut Vec<Range>,
    sink: &mut Sink<'_>,
) -> bool {
    let elements = match item.get() {
        DeValue::String(_) => return read_range(item, period, ranges, sink),
        _ => match item.elements(sink, RANGES) {
            Some(elements) => elements,
            None => return false,
        },
    };
    if elements.is_empty() {
        item.error(sink, format_args!("expected at least one {RANGE}"));
        return false;
    }
    let mut ok = true;
    for element in &elements {
        ok &= read_range(element, period, ranges, sink);
    }
    ok
}

fn read_range(
    item: &Item<'_, '_>,
    period: usize,
    ranges: &mut Vec<Range>,
    sink: &mut Sink<'_>,
) -> bool {
    let DeValue::String(text) = item.get() else {
        item.error(
            sink,
            format_args!("expected {RANGE}, found {}", item.get().type_str()),
        );
        return false;
    };
    match parse_range(text) {
        Some(hours) => {
            ranges.push(Range {
                period,
                text: text.to_string(),
                hours,
                at: item.at(),
            });
            true
        }
        None => {
            item.error(sink, format_args!("expected {RANGE}, found \"{text}\""));
            false
        }
    }
}

/// The hours of `"a-b"`: a up to b, wrapping past midnight when a > b.
fn parse_range(text: &str) -> Option<Vec<usize>> {
    let (a, b) = text.split_once('-')?;
    let hour = |s: &str| {
        let s = s.trim();
        let digits = !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        digits.then(|| s.parse::<usize>().ok()).flatten()
    };
    let (a, b) = (hour(a)?, hour(b)?);
    if a >= 24 || b > 24 || a == b {
        return None;
    }
    Some(if a < b {
        (a..b).collect()
    } else {
        (a..24).chain(0..b).collect()
    })
}

/// The period of each hour. A range that claims hours an earlier one (in
/// the file) already has is reported, and `ok` cleared; its other hours
/// are still assigned, so that only real gaps remain.
fn assign(ranges: &[Range], ok: &mut bool, sink: &mut Sink<'_>) -> [Option<usize>; 24] {
    let mut in_file_order: Vec<&Range> = ranges.iter().collect();
    in_file_order.sort_by_key(|r| r.at.span.start);
    let mut owner: [Option<&Range>; 24] = [None; 24];
    for range in in_file_order {
        let taken: Vec<usize> = range
            .hours
            .iter()
            .copied()
            .filter(|&h| owner[h].is_some())
            .collect();
        if let Some(earlier) = taken.first().and_then(|&h| owner[h]) {
            range.at.error(
                sink,
                None,
                format_args!(
                    "hours {} are already in `{}` (\"{}\"); each hour belongs to one period",
                    runs(&taken),
                    PERIODS[earlier.period],
                    earlier.text
                ),
            );
            *ok = false;
        }
        for &hour in &range.hours {
            owner[hour].get_or_insert(range);
        }
    }
    owner.map(|o| o.map(|r| r.period))
}

/// Hours as ranges: `[8, 9, 10, 17]` → "8-11, 17-18".
fn runs(hours: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &hour in hours {
        match runs.last_mut() {
            Some((_, end)) if *end == hour => *end = hour + 1,
            _ => runs.push((hour, hour + 1)),
        }
    }
    runs.iter()
        .map(|(a, b)| format!("{a}-{b}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{model, problems, riders_with};

    fn tariff(table: &str) -> Tariff {
        model(&riders_with(&format!("[tariff]\n{table}")))
            .grid
            .tariff
    }

    fn tariff_problems(table: &str) -> Vec<String> {
        problems(&riders_with(&format!("[tariff]\n{table}")))
            .iter()
            .map(|p| p.split_once(": ").unwrap().1.to_owned())
            .collect()
    }

    #[test]
    fn chongqing_option_2_reads() {
        let t = tariff(
            r#"peak   = { price = 0.62, hours = ["11-17", "20-22"] }
flat   = { price = 0.52 }
valley = { price = 0.34, hours = ["0-8"] }"#,
        );
        let expected_price = |h: usize| match h {
            0..8 => 0.34,
            11..17 | 20..22 => 0.62,
            _ => 0.52,
        };
        for h in 0..24 {
            assert_eq!(t.price_per_kwh[h], expected_price(h), "hour {h}");
            assert_eq!(t.valley[h], h < 8, "hour {h}");
        }
    }

    #[test]
    fn ranges_wrap_past_midnight_and_flat_may_list_its_hours() {
        let t = tariff(
            r#"valley = { price = 0.3, hours = "22-6" }
flat = { price = 0.5, hours = ["6-22"] }"#,
        );
        assert!(t.valley[23] && t.valley[0] && t.valley[5] && !t.valley[6]);
        assert_eq!(t.price_per_kwh[12], 0.5);
        assert_eq!(parse_range("0-24"), Some((0..24).collect()));
        for bad in [
            "8-8", "24-1", "0-25", "a-b", "8", "-8", "1-2-3", "+1-2", " - ",
        ] {
            assert_eq!(parse_range(bad), None, "{bad}");
        }
        assert_eq!(runs(&[0, 1, 2, 8, 23]), "0-3, 8-9, 23-24");
    }

    #[test]
    fn without_a_tariff_energy_is_free_and_there_is_no_valley() {
        assert_eq!(model(crate::testing::RIDERS).grid.tariff, Tariff::default());
    }

    #[test]
    fn overlaps_and_gaps_are_reported() {
        assert_eq!(
            tariff_problems(
                r#"peak   = { price = 0.62, hours = ["11-17", "20-22"] }
valley = { price = 0.34, hours = ["0-8", "16-18"] }
flat = { price = 0.52 }"#
            ),
            [
                "tariff.valley.hours[1]: hours 16-17 are already in `peak` (\"11-17\"); each \
                 hour belongs to one period",
            ]
        );
        assert_eq!(
            tariff_problems(
                r#"peak   = { price = 0.62, hours = ["11-17"] }
valley = { price = 0.34, hours = ["0-8"] }"#
            ),
            [
                "tariff: hours 8-11, 17-24 are in no period; list them, or add `flat = { price \
                 = ... }` to take them"
            ]
        );
        assert_eq!(
            tariff_problems(
                r#"peak   = { price = -1, hours = ["11-17", "17-11", 3] }
valley = { price = 0.34 }
sharp = { price = 1 }"#
            ),
            [
                "tariff.peak.price: expected a non-negative number, found -1",
                "tariff.peak.hours[2]: expected an hour range \"a-b\" (whole hours from 0 to \
                 24, like \"0-8\" or \"22-6\"), found integer",
                "tariff.valley.hours: missing required key `hours`, expected an array of hour \
                 ranges \"a-b\" (whole hours from 0 to 24, like [\"0-8\", \"22-24\"])",
                "tariff.sharp: unknown key, expected one of `peak`, `flat`, `valley`, \
                 `residential_price`",
            ]
        );
    }
}
