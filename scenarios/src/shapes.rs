//! Named 24-hour shapes, and the profile values that use them: a shape's
//! name, or 24 hourly weights.
//!
//! Entry `h` of a shape is the weight of the hour from `h`:00 to `h+1`:00.
//! Trip and plug-in shapes are relative weights (only their ratios matter);
//! `residential` is a share of the daily peak, so its largest entry is 1.
//! The peak hours come from DOMAIN.md; the heights are estimates [E].

use std::ops::Bound::{Included, Unbounded};

use toml::de::DeValue;

use crate::diag::Sink;
use crate::walk::{Choice, Item, Number};

/// Hourly values of a day [0 h to 23 h].
pub(crate) type Shape = [f64; 24];

/// Every named shape, in the order the messages list them.
pub(crate) const NAMES: &[&str] = &["flat", "commuter", "courier", "evening", "residential"];

/// Every hour alike.
pub(crate) const FLAT: Shape = [1.0; 24];

/// Commuter trips: peaks 7–9 h and 17–19 h [E, DOMAIN.md "trip peaks"],
/// a little daytime riding, almost none at night.
#[rustfmt::skip]
pub(crate) const COMMUTER: Shape = [
    0.1, 0.05, 0.05, 0.05, 0.05, 0.2,  // 0–5 h
    0.8, 3.0, 3.0, 1.0, 0.7, 0.8,      // 6–11 h: morning peak 7–9 h
    1.0, 0.8, 0.7, 0.7, 0.9, 3.0,      // 12–17 h
    3.0, 1.2, 0.8, 0.6, 0.4, 0.2,      // 18–23 h: evening peak 17–19 h
];

/// Courier trips: lunch peak 11–13 h and dinner peak 17–20 h, little at
/// night [E, DOMAIN.md "trip peaks"].
#[rustfmt::skip]
pub(crate) const COURIER: Shape = [
    0.1, 0.05, 0.05, 0.05, 0.05, 0.05, // 0–5 h
    0.1, 0.3, 0.5, 0.7, 1.2, 3.0,      // 6–11 h: lunch peak from 11 h
    3.0, 1.2, 0.8, 0.8, 1.2, 2.5,      // 12–17 h: dinner peak from 17 h
    2.5, 2.5, 1.2, 0.8, 0.5, 0.2,      // 18–23 h
];

/// Home plug-in times: mostly 18–23 h [E, DOMAIN.md "home charging
/// start"]; 84 % of the weight falls in 18–24 h.
#[rustfmt::skip]
pub(crate) const EVENING: Shape = [
    0.3, 0.05, 0.05, 0.05, 0.05, 0.05, // 0–5 h
    0.05, 0.1, 0.1, 0.1, 0.1, 0.1,     // 6–11 h
    0.3, 0.3, 0.1, 0.1, 0.1, 0.5,      // 12–17 h: a few at lunch
    1.5, 2.5, 3.0, 3.0, 2.5, 1.0,      // 18–23 h
];

/// Residential base load as a share of the daily peak: evening peak
/// 19–22 h [E, DOMAIN.md "residential load shape"], trough at 3–4 h.
#[rustfmt::skip]
pub(crate) const RESIDENTIAL: Shape = [
    0.45, 0.38, 0.33, 0.30, 0.30, 0.32, // 0–5 h: night trough
    0.40, 0.52, 0.55, 0.52, 0.52, 0.58, // 6–11 h
    0.62, 0.57, 0.52, 0.52, 0.56, 0.66, // 12–17 h
    0.80, 0.95, 1.00, 0.97, 0.82, 0.62, // 18–23 h: evening peak 19–22 h
];

/// The shape called `name`, if there is one.
pub(crate) fn named(name: &str) -> Option<Shape> {
    match name {
        "flat" => Some(FLAT),
        "commuter" => Some(COMMUTER),
        "courier" => Some(COURIER),
        "evening" => Some(EVENING),
        "residential" => Some(RESIDENTIAL),
        _ => None,
    }
}

/// What a profile value is, for messages.
pub(crate) const EXPECTED: &str = "a shape name (`flat`, `commuter`, `courier`, `evening`, \
                                   `residential`) or an array of 24 hourly weights";

/// An hourly weight.
const WEIGHT: Number = Number::new(Included(0.0), Unbounded);

/// Reads a profile: a shape name, or 24 non-negative hourly weights with a
/// positive sum. `None` when invalid (reported).
pub(crate) fn read(item: &Item<'_, '_>, sink: &mut Sink<'_>) -> Option<Shape> {
    if let DeValue::String(_) = item.get() {
        let name = item.read(sink, &Choice(NAMES))?;
        let shape = named(name);
        debug_assert!(shape.is_some(), "shape `{name}` is listed but not defined");
        return shape;
    }
    let elements = item.elements(sink, EXPECTED)?;
    let weights: Vec<Option<f64>> = elements.iter().map(|e| e.read(sink, &WEIGHT)).collect();
    if weights.len() != 24 {
        item.error(
            sink,
            format_args!(
                "expected 24 hourly weights (0 h to 23 h), found {}",
                weights.len()
            ),
        );
        return None;
    }
    let weights: Vec<f64> = weights.into_iter().collect::<Option<_>>()?;
    if weights.iter().sum::<f64>() <= 0.0 {
        item.error(sink, "every hourly weight is 0, expected a positive sum");
        return None;
    }
    weights.try_into().ok()
}

/// `shape` scaled so that its largest value is 1 (it must have one above 0).
pub(crate) fn peak_normalised(shape: Shape) -> Shape {
    let peak = shape.iter().copied().fold(0.0, f64::max);
    debug_assert!(peak > 0.0, "a shape without a positive value");
    shape.map(|x| x / peak)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hours `from..to` as a share of the day's total weight.
    fn share(shape: &Shape, from: usize, to: usize) -> f64 {
        shape[from..to].iter().sum::<f64>() / shape.iter().sum::<f64>()
    }

    fn peak_hours(shape: &Shape) -> Vec<usize> {
        let peak = shape.iter().copied().fold(0.0, f64::max);
        (0..24).filter(|&h| shape[h] == peak).collect()
    }

    #[test]
    fn every_name_has_its_shape() {
        for name in NAMES {
            let shape = named(name).unwrap();
            assert!(shape.iter().all(|&w| w >= 0.0 && w.is_finite()), "{name}");
        }
        assert_eq!(named("commute"), None);
    }

    #[test]
    fn shapes_peak_where_domain_md_says() {
        assert_eq!(peak_hours(&COMMUTER), [7, 8, 17, 18]);
        assert_eq!(peak_hours(&COURIER), [11, 12]);
        assert!(COURIER[17..20].iter().all(|&w| w >= 2.5));
        assert!(
            share(&COURIER, 0, 6) < 0.02,
            "couriers ride little at night"
        );
        assert!(
            share(&EVENING, 18, 24) > 0.8,
            "home charging starts mostly 18–23 h"
        );
        assert_eq!(peak_hours(&RESIDENTIAL), [20]);
        assert!(RESIDENTIAL[19..22].iter().all(|&w| w >= 0.95));
        assert_eq!(RESIDENTIAL.iter().copied().fold(0.0, f64::max), 1.0);
        let trough = RESIDENTIAL.iter().copied().fold(1.0, f64::min);
        assert_eq!(trough, RESIDENTIAL[3]);
    }

    #[test]
    fn peak_normalised_scales_the_maximum_to_one() {
        let mut shape = FLAT;
        shape[5] = 4.0;
        let scaled = peak_normalised(shape);
        assert_eq!((scaled[5], scaled[0]), (1.0, 0.25));
        assert_eq!(peak_normalised(RESIDENTIAL), RESIDENTIAL);
    }
}
