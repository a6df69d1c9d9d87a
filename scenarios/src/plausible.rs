//! Plausibility: values that are valid but outside what an e-bike swap
//! network has, such as a battery of `capacity_wh = 1.1` (kWh typed as Wh).
//!
//! [`RANGES`] is the one table of plausible ranges, each with its source.
//! Validation accepts such a value; the walk over the scenario reports it
//! as a warning, with the range and the unit slip that would bring it into
//! the range. Only `cli` decides what a warning does to the exit code.

use std::cell::RefCell;
use std::collections::HashMap;

/// A plausible range of the fields whose paths match [`Range::fields`].
#[derive(Clone, Copy, Debug)]
pub struct Range {
    /// Field paths it applies to: `[]` stands for any index and `*` for
    /// one or more path segments, as in `*.charger_power_w`.
    pub fields: &'static [&'static str],
    /// Lowest plausible value [`unit`](Range::unit).
    pub low: f64,
    /// Highest plausible value [`unit`](Range::unit).
    pub high: f64,
    /// Whether 0 is plausible too (it switches something off).
    pub zero_ok: bool,
    /// Unit of the field, as written after a value: "Wh", "CNY/kWh".
    pub unit: &'static str,
    /// What the value belongs to, after "for": "an e-bike swap battery".
    pub what: &'static str,
    /// The likely unit slips, tried in order: the first that brings the
    /// value into the range is the hint.
    pub slips: &'static [Slip],
    /// Where the range comes from: DOMAIN.md's rows with their marks (\[S\]
    /// sourced, \[D\] derived, \[E\] estimate), or "\[E\] engineering judgement".
    pub source: &'static str,
}

/// A unit slip: the value was written in another unit.
#[derive(Clone, Copy, Debug)]
pub struct Slip {
    /// What the intended value is, times the written one.
    pub factor: f64,
    /// The slip, as in "kWh written as Wh".
    pub slip: &'static str,
}

const KWH_AS_WH: Slip = Slip {
    factor: 1000.0,
    slip: "kWh written as Wh",
};
const KW_AS_W: Slip = Slip {
    factor: 1000.0,
    slip: "kW written as W",
};

/// Every plausible range. A field matches at most one row.
pub const RANGES: &[Range] = &[
    Range {
        fields: &["battery.capacity_wh"],
        low: 300.0,
        high: 3000.0,
        zero_ok: false,
        unit: "Wh",
        what: "an e-bike swap battery",
        slips: &[KWH_AS_WH],
        source: "[E] DOMAIN.md, swap battery: commuter about 1.0–1.15 kWh, courier about \
                 1.2–1.8 kWh; widened for other packs",
    },
    Range {
        fields: &["home_charging.nonsub_battery_wh"],
        low: 300.0,
        high: 3000.0,
        zero_ok: false,
        unit: "Wh",
        what: "an e-bike battery",
        slips: &[KWH_AS_WH],
        source: "[E] DOMAIN.md, swap battery (1.0–1.8 kWh); a 48 V 20 Ah lead-acid pack is \
                 about 1 kWh",
    },
    Range {
        fields: &[
            "battery.charge.power_w",
            "*.charger_power_w",
            "planner.charger_power_catalogue_w[]",
        ],
        low: 100.0,
        high: 2000.0,
        zero_ok: false,
        unit: "W",
        what: "a cabinet slot's charger",
        slips: &[KW_AS_W],
        source: "[E] DOMAIN.md, per-slot charge power: 300–600 W, a 12-slot cabinet draws \
                 4–8 kW",
    },
    Range {
        fields: &["home_charging.charger_w"],
        low: 50.0,
        high: 1500.0,
        zero_ok: false,
        unit: "W",
        what: "an e-bike charger at home or at a pile",
        slips: &[KW_AS_W],
        source: "[E] engineering judgement: a 48 V charger at 2–5 A draws about 100–300 W",
    },
    Range {
        fields: &[
            "*.rating_kva",
            "*.transformer_kva",
            "planner.transformer_sizes_kva[]",
        ],
        low: 30.0,
        high: 2500.0,
        zero_ok: false,
        unit: "kVA",
        what: "a community transformer",
        slips: &[
            Slip {
                factor: 1000.0,
                slip: "MVA written as kVA",
            },
            Slip {
                factor: 0.001,
                slip: "VA written as kVA",
            },
        ],
        source: "[E]/[D] DOMAIN.md, community transformer: urban residential 400–1,250 kVA, \
                 State Grid's average about 273 kVA; widened for small and large units",
    },
    Range {
        fields: &["*.slots_per_cabinet", "planner.slot_catalogue[]"],
        low: 4.0,
        high: 24.0,
        zero_ok: false,
        unit: "slots",
        what: "a swap cabinet",
        slips: &[],
        source: "[S] DOMAIN.md, slots per cabinet: 8–12 common, at most 16 compartments by \
                 vendor guidance; widened",
    },
    Range {
        fields: &["group[].daily_km"],
        low: 2.0,
        high: 400.0,
        zero_ok: false,
        unit: "km",
        what: "a rider's daily distance",
        slips: &[Slip {
            factor: 0.001,
            slip: "m written as km",
        }],
        source: "[S] DOMAIN.md, courier daily distance about 120 km; [E] commuters a few km \
                 a trip, 2.3 trips a day",
    },
    Range {
        fields: &["group[].wh_per_km"],
        low: 5.0,
        high: 60.0,
        zero_ok: false,
        unit: "Wh/km",
        what: "an e-bike's energy use",
        slips: &[Slip {
            factor: 1000.0,
            slip: "kWh/km written as Wh/km",
        }],
        source: "[S]/[E] DOMAIN.md, energy use: commuter 12–20 Wh/km, courier 20–30 Wh/km",
    },
    Range {
        fields: &["cabinet.swap_seconds"],
        low: 3.0,
        high: 600.0,
        zero_ok: true,
        unit: "s",
        what: "a swap at the cabinet door",
        slips: &[Slip {
            factor: 60.0,
            slip: "minutes written as seconds",
        }],
        source: "[S] DOMAIN.md, time to swap: 3–15 s for the battery change, under 1 min \
                 including the app",
    },
    Range {
        fields: &["tariff.*.price"],
        low: 0.1,
        high: 3.0,
        zero_ok: true,
        unit: "CNY/kWh",
        what: "an electricity price",
        slips: &[
            Slip {
                factor: 0.01,
                slip: "fen written as yuan",
            },
            Slip {
                factor: 0.001,
                slip: "CNY/MWh written as CNY/kWh",
            },
        ],
        source: "[S] DOMAIN.md, Chongqing residential tiers 0.52–0.82 CNY/kWh and TOU \
                 +0.10/−0.18; widened for commercial prices",
    },
    Range {
        fields: &["home_charging.dwell_hours"],
        low: 0.5,
        high: 24.0,
        zero_ok: false,
        unit: "h",
        what: "a home or pile charger's dwell",
        slips: &[Slip {
            factor: 1.0 / 60.0,
            slip: "minutes written as hours",
        }],
        source: "[E] DOMAIN.md, home charging starts mostly 18–23 h; plugged in for the \
                 night",
    },
    Range {
        fields: &["*.nonsub_interval_days"],
        low: 0.5,
        high: 30.0,
        zero_ok: false,
        unit: "d",
        what: "the charging interval of an e-bike not on a subscription",
        slips: &[Slip {
            factor: 1.0 / 24.0,
            slip: "hours written as days",
        }],
        source: "[S]/[D] DOMAIN.md, ordinary e-bike: a charge every about 3 days",
    },
    Range {
        fields: &["*.swaps_per_hour"],
        low: 0.05,
        high: 100.0,
        zero_ok: false,
        unit: "swaps/h",
        what: "one site's swap requests",
        slips: &[Slip {
            factor: 1.0 / 24.0,
            slip: "swaps a day written as swaps an hour",
        }],
        source: "[S]/[D] DOMAIN.md, China Tower about 33 swaps per site per day (1.4 an \
                 hour); [E] a courier hub some tens an hour at its peak",
    },
];

/// What a checked number is: the field's value, or the mean of the
/// distribution it describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Of {
    Value,
    Mean,
}

/// The warning for `value` of the field at `path` (a dotted path with
/// indices, like `site[3].charger_power_w`), or `None` when it is
/// plausible or no range covers the field.
pub(crate) fn judge(path: &str, value: f64, of: Of) -> Option<String> {
    let range = &RANGES[range_of(path)?];
    let plausible = |x: f64| (range.low..=range.high).contains(&x);
    if plausible(value) || (range.zero_ok && value == 0.0) {
        return None;
    }
    let unit = range.unit;
    let mut message = match of {
        Of::Value => format!("{} {unit}", number(value)),
        Of::Mean => format!("a mean of {} {unit}", number(value)),
    };
    message.push_str(&format!(
        " is outside the plausible range {}–{} {unit} for {}",
        number(range.low),
        number(range.high),
        range.what
    ));
    if let Some(slip) = range.slips.iter().find(|s| plausible(value * s.factor)) {
        message.push_str(&format!(
            "; did you mean {} {unit} ({})?",
            number(value * slip.factor),
            slip.slip
        ));
    }
    Some(message)
}

/// The index in [`RANGES`] of the range that applies to `path`, if any.
/// Remembered per path without indices: a survey of 100,000 sites asks
/// for the same few dozen paths millions of times. Entries grow at most
/// with the distinct paths of the file read (named tables add theirs).
fn range_of(path: &str) -> Option<usize> {
    thread_local! {
        static KNOWN: RefCell<HashMap<String, Option<usize>>> = RefCell::new(HashMap::new());
    }
    let path = without_indices(path);
    KNOWN.with_borrow_mut(|known| {
        if let Some(&range) = known.get(&path) {
            return range;
        }
        let range = RANGES
            .iter()
            .position(|r| r.fields.iter().any(|f| matches(f, &path)));
        known.insert(path, range);
        range
    })
}

/// `path` with every `[N]` written `[]`.
fn without_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[]");
            }
            ']' if in_index => in_index = false,
            _ if in_index => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether `path` matches `pattern`, segment by segment; `*` matches one
/// or more segments.
fn matches(pattern: &str, path: &str) -> bool {
    let (head, pattern_rest) = first_segment(pattern);
    let (segment, path_rest) = first_segment(path);
    if head == "*" {
        // One segment or more: try every split of the path after its first.
        let mut rest = path_rest;
        loop {
            let matched = match (pattern_rest, rest) {
                (None, None) => true,
                (Some(p), Some(r)) => matches(p, r),
                _ => false,
            };
            match rest {
                _ if matched => return true,
                Some(r) => rest = first_segment(r).1,
                None => return false,
            }
        }
    }
    head == segment
        && match (pattern_rest, path_rest) {
            (None, None) => true,
            (Some(p), Some(r)) => matches(p, r),
            _ => false,
        }
}

/// The first dotted segment of `path` and what follows its dot, if any;
/// no allocation, as [`judge`] runs for every numeric field read.
fn first_segment(path: &str) -> (&str, Option<&str>) {
    match path.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (path, None),
    }
}

/// `x` to six significant digits, without trailing zeros: 1100, not
/// 1100.0000000000002; in powers of ten far from 1 (1e-300, not 300
/// digits).
fn number(x: f64) -> String {
    let rounded: f64 = format!("{x:.5e}").parse().unwrap_or(x);
    let size = rounded.abs();
    if size != 0.0 && !(1e-4..1e15).contains(&size) {
        format!("{rounded:e}")
    } else {
        rounded.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_examples_get_their_slip() {
        assert_eq!(
            judge("battery.capacity_wh", 1.1, Of::Value).as_deref(),
            Some(
                "1.1 Wh is outside the plausible range 300–3000 Wh for an e-bike swap battery; \
                 did you mean 1100 Wh (kWh written as Wh)?"
            )
        );
        let kva = judge("site[2].transformer.rating_kva", 0.8, Of::Value).unwrap();
        assert!(
            kva.ends_with("did you mean 800 kVA (MVA written as kVA)?"),
            "{kva}"
        );
        let w = judge("home_charging.charger_w", 0.25, Of::Value).unwrap();
        assert!(w.ends_with("did you mean 250 W (kW written as W)?"), "{w}");
    }

    #[test]
    fn numbers_far_from_one_are_written_in_powers_of_ten() {
        assert_eq!(number(1e-300), "1e-300");
        assert_eq!(number(-2.5e20), "-2.5e20");
        assert_eq!(number(1100.0000000000002), "1100");
        assert_eq!(number(0.0005), "0.0005");
        assert_eq!(number(0.0), "0");
        let warning = judge("home_charging.nonsub_interval_days", 1e-300, Of::Value);
        let warning = warning.expect("1e-300 days is implausible");
        assert!(warning.len() < 200, "{warning}");
        assert!(warning.starts_with("1e-300 "), "{warning}");
    }

    #[test]
    fn plausible_values_and_other_fields_pass() {
        assert_eq!(judge("battery.capacity_wh", 1000.0, Of::Value), None);
        assert_eq!(judge("scenario.days", 1e9, Of::Value), None);
        assert_eq!(judge("cabinet.swap_seconds", 0.0, Of::Value), None);
        assert_eq!(judge("tariff.flat.price", 0.52, Of::Value), None);
    }

    #[test]
    fn patterns_match_every_index_and_prefix() {
        for path in [
            "site[0].charger_power_w",
            "site_table[1].row[12].charger_power_w",
            "site_table[0].defaults.charger_power_w",
            "site_override[3].charger_power_w",
        ] {
            assert!(judge(path, 5.0, Of::Value).is_some(), "{path}");
        }
        assert!(judge("tariff.peak.price", 620.0, Of::Value).is_some());
        assert!(judge("charger_power_w", 5.0, Of::Value).is_none());
    }

    #[test]
    fn a_star_takes_one_segment_or_more_and_the_rest_must_follow() {
        assert!(matches("*.c", "a.c"));
        assert!(matches("*.c", "a.b.c"));
        assert!(!matches("*.c", "c"));
        assert!(!matches("*.c", "a.c.d"));
        assert!(matches("a.*.d", "a.b.c.d"));
        assert!(!matches("a.*.d", "a.d"));
        assert!(matches("a.*", "a.b.c"));
        assert!(!matches("a.*", "a"));
        assert!(matches("a.b", "a.b"));
        assert!(!matches("a.b", "a.bc"));
        assert!(!matches("a", "a.b"));
    }

    #[test]
    fn a_value_no_slip_explains_gets_no_hint() {
        let m = judge("site[0].slots_per_cabinet", 40.0, Of::Mean).unwrap();
        assert_eq!(
            m,
            "a mean of 40 slots is outside the plausible range 4–24 slots for a swap cabinet"
        );
    }

    #[test]
    fn every_range_is_ordered_sourced_and_its_slips_leave_it() {
        for range in RANGES {
            assert!(0.0 < range.low && range.low < range.high, "{range:?}");
            assert!(range.source.starts_with('['), "{range:?}");
            for slip in range.slips {
                assert!(slip.factor > 0.0 && slip.factor != 1.0, "{range:?}");
            }
        }
        // One row per field.
        let fields: Vec<&str> = RANGES
            .iter()
            .flat_map(|r| r.fields.iter().copied())
            .collect();
        for (i, f) in fields.iter().enumerate() {
            assert!(!fields[i + 1..].contains(f), "{f} is in two rows");
        }
    }
}
