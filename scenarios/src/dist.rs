//! Distributions of per-rider quantities (daily distance, patience, ...): a
//! plain number, or a table tagged by `dist`.
//!
//! | `dist` | keys |
//! |---|---|
//! | `fixed` | `value` |
//! | `uniform` | `low` < `high` |
//! | `normal` | `mean`, `sd` > 0, optional truncation `low` < `high` |
//! | `lognormal` | `mean` > 0, `sd` > 0 (of the value, not of its log) |
//! | `exponential` | `mean` > 0 |
//! | `deterministic` | `value` (the same as `fixed`) |
//!
//! Every quantity has a support (daily km > 0, a SOC in (0, 1)); every value
//! a distribution can draw must lie in it.

use std::ops::Bound::{Excluded, Included};

use sim_core::Dist;
use toml::de::DeValue;

use crate::bounds::{Bounded, Cap};
use crate::diag::Sink;
use crate::plausible;
use crate::walk::{Item, Number, Table};

/// Values of `dist`.
const DISTS: &[&str] = &[
    "fixed",
    "deterministic",
    "uniform",
    "normal",
    "lognormal",
    "exponential",
];

/// A share of a battery: (0, 1].
pub(crate) const SHARE: Number = Number::new(Excluded(0.0), Included(1.0));

/// What a distribution value is, for messages.
const EXPECTED: &str =
    "a number or a distribution table like `{ dist = \"uniform\", low = 1, high = 2 }`";

/// A key that must be present; `cap` bounds its parameters (see
/// [`Cap`]).
pub(crate) fn required(
    t: &mut Table<'_, '_>,
    sink: &mut Sink<'_>,
    key: &'static str,
    support: &Number,
    cap: Option<&Cap>,
) -> Option<Dist> {
    let item = t.required_item(sink, key, &expected(support))?;
    read(&item, sink, support, cap)
}

/// A key that takes `default` when absent; `None` when invalid (reported).
pub(crate) fn defaulted(
    t: &mut Table<'_, '_>,
    sink: &mut Sink<'_>,
    key: &'static str,
    support: &Number,
    cap: Option<&Cap>,
    default: Dist,
) -> Option<Dist> {
    match t.item(key) {
        Some(item) => read(&item, sink, support, cap),
        None => Some(default),
    }
}

/// What a parameter in `range` may be under `cap`: `range` cut at the
/// cap, with its reason when only the cap rejects a value.
fn capped(range: Number, cap: Option<&Cap>) -> Bounded<Number> {
    match cap {
        Some(cap) => Bounded::new(range.at_most(cap.max), range, cap.why),
        None => Bounded::new(range.at_most(f64::INFINITY), range, ""),
    }
}

/// "a number or a distribution table ..., with values in (0, 1)".
fn expected(support: &Number) -> String {
    format!("{EXPECTED}, with values in {}", support.interval())
}

/// Reads a distribution whose values must lie in `support` and whose
/// parameters are at most `cap`'s; `None` when invalid (reported).
pub(crate) fn read(
    item: &Item<'_, '_>,
    sink: &mut Sink<'_>,
    support: &Number,
    cap: Option<&Cap>,
) -> Option<Dist> {
    match item.get() {
        DeValue::Integer(_) | DeValue::Float(_) => item
            .read(sink, &capped(support.at_most(f64::INFINITY), cap))
            .map(|value| Dist::Fixed { value }),
        DeValue::Table(_) => {
            let mut t = item.table(sink)?;
            let dist = read_table(&mut t, sink, support, cap);
            t.finish(sink);
            if let Some(dist) = &dist {
                item.judge(sink, dist.mean(), plausible::Of::Mean);
            }
            dist
        }
        _ => {
            // A plain number is the usual form: judge the value as one.
            item.read(sink, support);
            None
        }
    }
}

fn read_table(
    t: &mut Table<'_, '_>,
    sink: &mut Sink<'_>,
    support: &Number,
    cap: Option<&Cap>,
) -> Option<Dist> {
    // Parameters: a value, the ends and a mean, under the cap.
    let value = capped(support.at_most(f64::INFINITY), cap);
    let ends = capped(support.closed(), cap);
    let positive_mean = capped(Number::POSITIVE, cap);
    match t.tag(sink, "dist", DISTS) {
        Some("fixed" | "deterministic") => t
            .required(sink, "value", &value)
            .map(|value| Dist::Fixed { value }),
        Some("uniform") => {
            let low = t.required(sink, "low", &value);
            let high = t.required(sink, "high", &value);
            let (low, high) = (low?, high?);
            check_order(t, sink, low, high)?;
            Some(Dist::Uniform { low, high })
        }
        Some("normal") => {
            let mean = t.required(sink, "mean", &value);
            let sd = t.required(sink, "sd", &Number::POSITIVE);
            let low = t.defaulted(sink, "low", &ends, support.lower().max(0.0));
            // Without `high`, the draws are cut at the support's end, not
            // at the cap: the cap bounds what is written.
            let high = t.defaulted(sink, "high", &ends, support.upper().min(f64::MAX));
            let (mean, sd, low, high) = (mean?, sd?, low?, high?);
            check_order(t, sink, low, high)?;
            if mean < low || mean > high {
                let (side, limit) = if mean < low {
                    ("below low", low)
                } else {
                    ("above high", high)
                };
                t.error(
                    sink,
                    "mean",
                    format_args!("mean ({mean}) must not be {side} ({limit})"),
                );
                return None;
            }
            Some(Dist::Normal {
                mean,
                sd,
                low,
                high,
            })
        }
        Some("lognormal") => {
            let mean = t.required(sink, "mean", &positive_mean);
            let sd = t.required(sink, "sd", &Number::POSITIVE);
            unbounded_support(t, sink, "lognormal", support)?;
            Some(Dist::LogNormal {
                mean: mean?,
                sd: sd?,
            })
        }
        Some("exponential") => {
            let mean = t.required(sink, "mean", &positive_mean);
            unbounded_support(t, sink, "exponential", support)?;
            Some(Dist::Exponential { mean: mean? })
        }
        other => {
            debug_assert!(other.is_none(), "dist {other:?} has no reader");
            None
        }
    }
}

/// Reports a distribution of any positive value (`lognormal`,
/// `exponential`) for a quantity bounded above.
fn unbounded_support(
    t: &Table<'_, '_>,
    sink: &mut Sink<'_>,
    name: &str,
    support: &Number,
) -> Option<()> {
    if support.upper().is_finite() || support.lower() < 0.0 {
        t.error(
            sink,
            "dist",
            format_args!(
                "a {name} draws any positive value, but this quantity lies in {}; \
                 use `uniform`, or `normal` with `low` and `high`",
                support.interval()
            ),
        );
        return None;
    }
    Some(())
}

/// Reports `high` when it is not above `low`.
fn check_order(t: &Table<'_, '_>, sink: &mut Sink<'_>, low: f64, high: f64) -> Option<()> {
    if low < high {
        return Some(());
    }
    let key = if t.has("high") { "high" } else { "low" };
    t.error(
        sink,
        key,
        format_args!("high ({high}) must be greater than low ({low})"),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Sink;
    use crate::walk::Table;
    use toml::de::DeTable;

    /// A SOC: (0, 1).
    const SOC: Number = Number::new(Excluded(0.0), Excluded(1.0));

    /// Reads `x = {value}` as a distribution in `support`: the
    /// distribution, or the problems' `field: message` lines.
    fn dist(value: &str, support: &Number) -> Result<Dist, Vec<String>> {
        read(value, support, None)
    }

    /// Reads `x = {value}` in `support` under `cap`, if any.
    fn read(value: &str, support: &Number, cap: Option<&Cap>) -> Result<Dist, Vec<String>> {
        let source = format!("x = {value}\n");
        let document = DeTable::parse(&source).unwrap();
        let mut sink = Sink::new("d.toml", &source);
        let mut root = Table::root(&document);
        let out = required(&mut root, &mut sink, "x", support, cap);
        root.finish(&mut sink);
        let problems: Vec<String> = sink
            .finish()
            .iter()
            .map(|d| format!("{}: {}", d.field, d.message))
            .collect();
        match out {
            Some(d) if problems.is_empty() => Ok(d),
            _ => Err(problems),
        }
    }

    #[test]
    fn a_number_is_fixed() {
        assert_eq!(
            dist("25", &Number::POSITIVE),
            Ok(Dist::Fixed { value: 25.0 })
        );
        assert_eq!(
            dist("0", &Number::POSITIVE),
            Err(vec!["x: expected a positive number, found 0".into()])
        );
        assert_eq!(
            dist("\"25 km\"", &Number::POSITIVE),
            Err(vec!["x: expected a positive number, found string".into()])
        );
    }

    #[test]
    fn every_dist_reads() {
        let p = &Number::POSITIVE;
        assert_eq!(
            dist(r#"{ dist = "fixed", value = 3 }"#, p),
            Ok(Dist::Fixed { value: 3.0 })
        );
        assert_eq!(
            dist(r#"{ dist = "uniform", low = 12, high = 20.0 }"#, p),
            Ok(Dist::Uniform {
                low: 12.0,
                high: 20.0
            })
        );
        assert_eq!(
            dist(r#"{ dist = "lognormal", mean = 25, sd = 10 }"#, p),
            Ok(Dist::LogNormal {
                mean: 25.0,
                sd: 10.0
            })
        );
        // Truncation defaults to the quantity's own range.
        assert_eq!(
            dist(r#"{ dist = "normal", mean = 25, sd = 10 }"#, p),
            Ok(Dist::Normal {
                mean: 25.0,
                sd: 10.0,
                low: 0.0,
                high: f64::MAX
            })
        );
        assert_eq!(
            dist(r#"{ dist = "normal", mean = 0.35, sd = 0.1 }"#, &SOC),
            Ok(Dist::Normal {
                mean: 0.35,
                sd: 0.1,
                low: 0.0,
                high: 1.0
            })
        );
    }

    #[test]
    fn values_outside_the_support_are_rejected() {
        assert_eq!(
            dist(r#"{ dist = "uniform", low = 0.2, high = 1.0 }"#, &SOC),
            Err(vec![
                "x.high: expected a number in (0, 1), found 1.0".into()
            ])
        );
        assert_eq!(
            dist(r#"{ dist = "uniform", low = 0.5, high = 0.2 }"#, &SOC),
            Err(vec![
                "x.high: high (0.2) must be greater than low (0.5)".into()
            ])
        );
        assert_eq!(
            dist(
                r#"{ dist = "normal", mean = 0.3, sd = 0.1, high = 1.5 }"#,
                &SOC
            ),
            Err(vec![
                "x.high: expected a number in [0, 1], found 1.5".into()
            ])
        );
        assert_eq!(
            dist(
                r#"{ dist = "normal", mean = 30, sd = 0, low = 40 }"#,
                &Number::POSITIVE
            ),
            Err(vec!["x.sd: expected a positive number, found 0".into()])
        );
        assert_eq!(
            dist(
                r#"{ dist = "normal", mean = 30, sd = 5, low = 40 }"#,
                &Number::POSITIVE
            ),
            Err(vec!["x.mean: mean (30) must not be below low (40)".into()])
        );
        assert_eq!(
            dist(r#"{ dist = "lognormal", mean = 0.3, sd = 0.1 }"#, &SOC),
            Err(vec![
                "x.dist: a lognormal draws any positive value, but this quantity lies in \
                 (0, 1); use `uniform`, or `normal` with `low` and `high`"
                    .into()
            ])
        );
    }

    /// `x = {value}` read as a distribution of positive values whose
    /// parameters are at most 100.
    fn capped_dist(value: &str) -> Result<Dist, Vec<String>> {
        let cap = Cap {
            max: 100.0,
            why: "the cap's reason",
        };
        read(value, &Number::POSITIVE, Some(&cap))
    }

    /// Issue 13: a cap bounds what a distribution is written with (a
    /// value, the ends, a mean), with its reason, and leaves a lognormal
    /// or an exponential allowed: they may draw past it, rarely.
    #[test]
    fn a_cap_bounds_the_parameters_not_the_draws() {
        let past = |field: &str, value: &str| {
            vec![format!(
                "{field}: expected a number in (0, 100], found {value} (the cap's reason)"
            )]
        };
        assert_eq!(capped_dist("100"), Ok(Dist::Fixed { value: 100.0 }));
        assert_eq!(capped_dist("101"), Err(past("x", "101")));
        assert_eq!(
            capped_dist(r#"{ dist = "uniform", low = 1, high = 150 }"#),
            Err(past("x.high", "150"))
        );
        assert_eq!(
            capped_dist(r#"{ dist = "lognormal", mean = 200, sd = 5 }"#),
            Err(past("x.mean", "200"))
        );
        assert_eq!(
            capped_dist(r#"{ dist = "exponential", mean = 1e6 }"#),
            Err(past("x.mean", "1e6"))
        );
        assert_eq!(
            capped_dist(r#"{ dist = "exponential", mean = 90 }"#),
            Ok(Dist::Exponential { mean: 90.0 })
        );
        // Without `high`, a normal is cut where the quantity ends, not at
        // the cap.
        assert_eq!(
            capped_dist(r#"{ dist = "normal", mean = 50, sd = 10 }"#),
            Ok(Dist::Normal {
                mean: 50.0,
                sd: 10.0,
                low: 0.0,
                high: f64::MAX
            })
        );
        assert_eq!(
            capped_dist(r#"{ dist = "normal", mean = 50, sd = 10, high = 101 }"#),
            Err(vec![
                "x.high: expected a number in [0, 100], found 101 (the cap's reason)".into()
            ])
        );
    }

    #[test]
    fn unknown_dists_and_keys_are_named() {
        assert_eq!(
            dist(r#"{ dist = "gamma", shape = 2 }"#, &Number::POSITIVE),
            Err(vec![
                "x.dist: expected one of `fixed`, `deterministic`, `uniform`, `normal`, \
                 `lognormal`, `exponential`, found \
                 `gamma`"
                    .into()
            ])
        );
        assert_eq!(
            dist(
                r#"{ dist = "uniform", low = 1, hihg = 2 }"#,
                &Number::POSITIVE
            ),
            Err(vec![
                "x.high: missing required key `high`, expected a positive number".into(),
                "x.hihg: unknown key, expected one of `dist`, `low`, `high`; did you mean \
                 `high`?"
                    .into()
            ])
        );
    }
}
