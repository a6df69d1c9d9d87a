//! `[battery]`: the battery type and how cabinet slots charge it.

use std::ops::Bound::{Excluded, Included};

use sim_core::{BatterySpec, CcCv, ChargeModel};

use crate::diag::Sink;
use crate::walk::{Integer, Number, Table};

/// SOC from which a battery can be dispensed when `dispense_soc` is absent.
pub(crate) const DEFAULT_DISPENSE_SOC: f64 = 0.95;
/// SOC of a returned battery when `return_soc` is absent.
pub(crate) const DEFAULT_RETURN_SOC: f64 = 0.2;
/// Capacity lost per equivalent full cycle when `fade_per_cycle` is absent:
/// about 80 % of the new capacity after 1,000 cycles [E].
pub(crate) const DEFAULT_FADE_PER_CYCLE: f64 = 0.0002;
/// State of health at which a battery is retired when `retire_soh` is
/// absent [E].
pub(crate) const DEFAULT_RETIRE_SOH: f64 = 0.7;

/// Values of `charge.model`.
const CHARGE_MODELS: &[&str] = &["exponential", "deterministic", "cc_cv"];

/// A SOC the charger stops at: (0, 1].
const DISPENSE_SOC: Number = Number::new(Excluded(0.0), Included(1.0));
/// A SOC riders come back with: [0, 1).
const RETURN_SOC: Number = Number::new(Included(0.0), Excluded(1.0));
/// The knee of a CC-CV curve: (0, 1).
const KNEE_SOC: Number = Number::new(Excluded(0.0), Excluded(1.0));
/// Efficiencies and fractions of power: (0, 1].
/// The taper's last step, as a share of the charger's power: [0.01, 1].
/// A taper to 3.8e-13 of a 5e-324 W charger made stages of 0 ÷ 0 hours
/// (found by the schema-driven fuzz property).
const TAPER_END: Number = Number::new(Included(0.01), Included(1.0));
/// Fade per cycle and state of health: [0, 1).
const WEAR: Number = Number::new(Included(0.0), Excluded(1.0));
/// Constant-power steps of the CC-CV taper.
const TAPER_STEPS: Integer<u32> = Integer::between(1, 16);

/// Reads `[battery]`.
pub(crate) fn read(mut t: Table<'_, '_>, sink: &mut Sink<'_>) -> Option<BatterySpec> {
    let capacity_wh = t.required(sink, "capacity_wh", &crate::bounds::CAPACITY_WH);
    let charge = t
        .required_table(sink, "charge")
        .and_then(|charge| read_charge(charge, sink));
    let dispense_soc = t.defaulted(sink, "dispense_soc", &DISPENSE_SOC, DEFAULT_DISPENSE_SOC);
    let return_soc = t.defaulted(sink, "return_soc", &RETURN_SOC, DEFAULT_RETURN_SOC);
    if let (Some(dispense), Some(returned)) = (dispense_soc, return_soc)
        && returned >= dispense
    {
        let key = if t.has("return_soc") {
            "return_soc"
        } else {
            "dispense_soc"
        };
        t.error(
            sink,
            key,
            format_args!("return_soc ({returned}) must be less than dispense_soc ({dispense})"),
        );
    }
    let fade_per_cycle = t.defaulted(sink, "fade_per_cycle", &WEAR, DEFAULT_FADE_PER_CYCLE);
    let retire_soh = t.defaulted(sink, "retire_soh", &WEAR, DEFAULT_RETIRE_SOH);
    t.finish(sink);
    Some(BatterySpec {
        capacity_wh: capacity_wh?,
        charge: charge?,
        dispense_soc: dispense_soc?,
        return_soc: return_soc?,
        fade_per_cycle: fade_per_cycle?,
        retire_soh: retire_soh?,
    })
}

/// Reads `battery.charge`, a table tagged by `model`.
fn read_charge(mut t: Table<'_, '_>, sink: &mut Sink<'_>) -> Option<ChargeModel> {
    let charge = match t.model(sink, CHARGE_MODELS) {
        Some("exponential") => t
            .required(sink, "mean_hours", &crate::bounds::CHARGE_HOURS)
            .map(|mean_hours| ChargeModel::Exponential { mean_hours }),
        Some("deterministic") => t
            .required(sink, "hours", &crate::bounds::CHARGE_HOURS)
            .map(|hours| ChargeModel::Deterministic { hours }),
        Some("cc_cv") => read_cc_cv(&mut t, sink).map(ChargeModel::CcCv),
        other => {
            debug_assert!(other.is_none(), "charge model {other:?} has no reader");
            None
        }
    };
    t.finish(sink);
    charge
}

/// Reads the keys of `charge = { model = "cc_cv", ... }`.
fn read_cc_cv(t: &mut Table<'_, '_>, sink: &mut Sink<'_>) -> Option<CcCv> {
    let defaults = CcCv::default();
    let power_w = t.required(sink, "power_w", &crate::bounds::CHARGER_W);
    let knee_soc = t.required(sink, "knee_soc", &KNEE_SOC);
    let efficiency = t.required(sink, "efficiency", &crate::bounds::EFFICIENCY);
    let taper_steps = t.defaulted(sink, "taper_steps", &TAPER_STEPS, defaults.taper_steps);
    let taper_end_fraction = t.defaulted(
        sink,
        "taper_end_fraction",
        &TAPER_END,
        defaults.taper_end_fraction,
    );
    Some(CcCv {
        power_w: power_w?,
        knee_soc: knee_soc?,
        efficiency: efficiency?,
        taper_steps: taper_steps?,
        taper_end_fraction: taper_end_fraction?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{VALID, edit, edits, model, problems};

    const EXPONENTIAL: &str = r#"charge = { model = "exponential", mean_hours = 3.0 }"#;

    fn charge(table: &str) -> ChargeModel {
        model(&edit(EXPONENTIAL, &format!("charge = {table}")))
            .battery
            .charge
    }

    fn charge_problems(table: &str) -> Vec<String> {
        problems(&edit(EXPONENTIAL, &format!("charge = {table}")))
    }

    #[test]
    fn each_charge_model_reads() {
        assert_eq!(
            charge(r#"{ model = "deterministic", hours = 2 }"#),
            ChargeModel::Deterministic { hours: 2.0 }
        );
        assert_eq!(
            charge(r#"{ model = "cc_cv", power_w = 500, knee_soc = 0.75, efficiency = 1 }"#),
            ChargeModel::CcCv(CcCv {
                power_w: 500.0,
                knee_soc: 0.75,
                efficiency: 1.0,
                ..CcCv::default()
            })
        );
        let explicit = r#"{ model = "cc_cv", power_w = 400, knee_soc = 0.8, efficiency = 0.92,
                             taper_steps = 16, taper_end_fraction = 1 }"#;
        assert_eq!(
            charge(explicit),
            ChargeModel::CcCv(CcCv {
                taper_steps: 16,
                taper_end_fraction: 1.0,
                ..CcCv::default()
            })
        );
        // A standard table works as well as an inline one.
        let source = edit(
            EXPONENTIAL,
            "[battery.charge]\nmodel = \"deterministic\"\nhours = 2.5",
        );
        assert_eq!(
            model(&source).battery.charge,
            ChargeModel::Deterministic { hours: 2.5 }
        );
    }

    #[test]
    fn cc_cv_keys_are_checked_against_their_ranges() {
        let found = charge_problems(
            r#"{ model = "cc_cv", power_w = -400, knee_soc = 1, efficiency = 0, taper_steps = 17, taper_end_fraction = 0 }"#,
        );
        let messages: Vec<_> = found
            .iter()
            .map(|p| p.split_once(": ").unwrap().1)
            .collect();
        assert_eq!(
            messages,
            [
                "battery.charge.power_w: expected a number in [0.01, 10000], found -400",
                "battery.charge.knee_soc: expected a number in (0, 1), found 1",
                "battery.charge.efficiency: expected a number in [0.1, 1], found 0",
                "battery.charge.taper_steps: expected an integer from 1 to 16, found 17",
                "battery.charge.taper_end_fraction: expected a number in [0.01, 1], found 0",
            ]
        );
        assert_eq!(
            charge_problems(r#"{ model = "cc_cv", power_w = 400 }"#),
            [
                "t.toml:10:10: battery.charge.knee_soc: missing required key `knee_soc`, \
                 expected a number in (0, 1)",
                "t.toml:10:10: battery.charge.efficiency: missing required key `efficiency`, \
                 expected a number in [0.1, 1]",
            ]
        );
    }

    #[test]
    fn an_unknown_model_lists_the_valid_ones_and_hides_its_keys() {
        assert_eq!(
            charge_problems(r#"{ model = "linear", hours = 3 }"#),
            [
                "t.toml:10:20: battery.charge.model: expected one of `exponential`, \
              `deterministic`, `cc_cv`, found `linear`"
            ]
        );
        assert_eq!(
            charge_problems(r#"{ mean_hours = 3 }"#),
            [
                "t.toml:10:10: battery.charge.model: missing required key `model`, expected one \
              of `exponential`, `deterministic`, `cc_cv`"
            ]
        );
    }

    #[test]
    fn keys_of_another_model_are_unknown() {
        assert_eq!(
            charge_problems(r#"{ model = "exponential", hours = 3 }"#),
            [
                "t.toml:10:10: battery.charge.mean_hours: missing required key `mean_hours`, \
                 expected a number in [0.01, 100]",
                "t.toml:10:35: battery.charge.hours: unknown key, expected one of `model`, \
                 `mean_hours`",
            ]
        );
    }

    #[test]
    fn return_soc_must_be_below_dispense_soc() {
        let spec = model(&edit(
            "capacity_wh = 1000",
            "capacity_wh = 1000\ndispense_soc = 1\nreturn_soc = 0",
        ))
        .battery;
        assert_eq!((spec.dispense_soc, spec.return_soc), (1.0, 0.0));
        assert_eq!(
            problems(&edit(
                "capacity_wh = 1000",
                "capacity_wh = 1000\nreturn_soc = 0.95"
            )),
            [
                "t.toml:10:14: battery.return_soc: return_soc (0.95) must be less than \
              dispense_soc (0.95)"
            ]
        );
        assert_eq!(
            problems(&edit(
                "capacity_wh = 1000",
                "capacity_wh = 1000\ndispense_soc = 0.1"
            )),
            [
                "t.toml:10:16: battery.dispense_soc: return_soc (0.2) must be less than \
              dispense_soc (0.1)"
            ]
        );
        assert_eq!(
            problems(&edits(&[("capacity_wh = 1000", "capacity_wh = \"1 kWh\"")])),
            ["t.toml:9:15: battery.capacity_wh: expected a number in (0, 100000], found string"]
        );
    }

    #[test]
    fn wear_has_defaults_and_stays_below_one() {
        let spec = model(VALID).battery;
        assert_eq!(
            (spec.fade_per_cycle, spec.retire_soh),
            (DEFAULT_FADE_PER_CYCLE, DEFAULT_RETIRE_SOH)
        );
        let worn = "capacity_wh = 1000\nfade_per_cycle = 0\nretire_soh = 0.8";
        let spec = model(&edit("capacity_wh = 1000", worn)).battery;
        assert_eq!((spec.fade_per_cycle, spec.retire_soh), (0.0, 0.8));
        let bad = "capacity_wh = 1000\nfade_per_cycle = 1\nretire_soh = -0.1";
        assert_eq!(
            problems(&edit("capacity_wh = 1000", bad)),
            [
                "t.toml:10:18: battery.fade_per_cycle: expected a number in [0, 1), found 1",
                "t.toml:11:14: battery.retire_soh: expected a number in [0, 1), found -0.1",
            ]
        );
    }
}
