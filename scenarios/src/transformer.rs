//! `[[transformer]]`: distribution transformers that feed the sites, and a
//! site's own transformer (`transformer = { rating_kva = 630 }`).
//!
//! The residential base load at its daily peak is the households fed ×
//! the design load per household × the diversity factor for that many
//! households (DOMAIN.md, provincial design standard [S]), unless
//! `base_peak_kw` gives it.

use std::collections::HashMap;
use std::ops::Bound::{Excluded, Included};

use sim_core::{BaseLoadBasis, TransformerSpec};

use crate::diag::Sink;
use crate::shapes::{self, Shape};
use crate::walk::{Number, Table, Text};

/// Power factor of the load when `power_factor` is absent.
pub(crate) const DEFAULT_POWER_FACTOR: f64 = 0.9;
/// Allowed loading as a share of the rating when absent: ≤ 80 % [S].
pub(crate) const DEFAULT_ALLOWED_UTILIZATION: f64 = 0.8;
/// Design load per household when absent: 6 kW for 81–120 m² [S] [kW].
pub(crate) const DEFAULT_DESIGN_KW_PER_HOUSEHOLD: f64 = 6.0;

/// Power factors and loading limits: (0, 1].
const FRACTION: Number = Number::new(Excluded(0.0), Included(1.0));

/// A transformer as read, before its base load is known.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Draft {
    pub(crate) rating_kva: f64,
    pub(crate) power_factor: f64,
    pub(crate) allowed_utilization: f64,
    pub(crate) design_kw_per_household: f64,
    /// Share of the daily peak for each hour; the largest is 1.
    pub(crate) base_profile: Shape,
    /// The base load at its daily peak, when given [kW].
    pub(crate) base_peak_kw: Option<f64>,
    /// Households fed, when not those of the sites it feeds.
    pub(crate) households: Option<u32>,
}

impl Draft {
    /// A transformer of `rating_kva` with every other key at its default.
    pub(crate) fn rated(rating_kva: f64) -> Self {
        Draft {
            rating_kva,
            power_factor: DEFAULT_POWER_FACTOR,
            allowed_utilization: DEFAULT_ALLOWED_UTILIZATION,
            design_kw_per_household: DEFAULT_DESIGN_KW_PER_HOUSEHOLD,
            base_profile: shapes::RESIDENTIAL,
            base_peak_kw: None,
            households: None,
        }
    }

    /// The transformer, named `name`; `site_households` is the sum over
    /// the sites it feeds, used unless the draft says how many it feeds.
    pub(crate) fn finish(self, name: String, site_households: u64) -> TransformerSpec {
        let households = self.households.map_or(site_households, u64::from);
        let (base_peak_kw, base_basis) = match self.base_peak_kw {
            Some(kw) => (kw, None),
            None => {
                let basis = BaseLoadBasis {
                    households,
                    design_kw_per_household: self.design_kw_per_household,
                    diversity_factor: diversity(households),
                };
                let kw = households as f64 * basis.design_kw_per_household * basis.diversity_factor;
                (kw, Some(basis))
            }
        };
        TransformerSpec {
            name,
            rating_kva: self.rating_kva,
            power_factor: self.power_factor,
            allowed_utilization: self.allowed_utilization,
            base_peak_kw,
            base_profile: self.base_profile,
            base_basis,
        }
    }
}

/// Diversity factor of the design load for `households` households:
/// ≤ 50 → 0.7, 51–199 → 0.6, ≥ 200 → 0.5 [S].
pub(crate) fn diversity(households: u64) -> f64 {
    match households {
        0..=50 => 0.7,
        51..=199 => 0.6,
        _ => 0.5,
    }
}

/// The `[[transformer]]`s: names for the sites to refer to, and drafts.
pub(crate) struct Named {
    /// Names in order ("" for an entry without a valid name).
    pub(crate) names: Vec<String>,
    /// The drafts, `None` when one is invalid (reported).
    pub(crate) drafts: Option<Vec<Draft>>,
}

/// Reads every `[[transformer]]`.
pub(crate) fn read_all(tables: Vec<Option<Table<'_, '_>>>, sink: &mut Sink<'_>) -> Named {
    let mut first_use = HashMap::new();
    let mut names = Vec::new();
    let mut drafts = Vec::new();
    for (index, t) in tables.into_iter().enumerate() {
        let Some(mut t) = t else {
            names.push(String::new());
            drafts.push(None);
            continue;
        };
        let name = t.required(sink, "name", &Text);
        if let Some(name) = &name {
            t.set_subject(format!("transformer '{name}'"));
            if let Some(first) = first_use.get(name) {
                t.error(
                    sink,
                    "name",
                    format_args!("duplicate name, already used by transformer[{first}]"),
                );
            } else {
                first_use.insert(name.clone(), index);
            }
        }
        let draft = read_keys(&mut t, sink);
        t.finish(sink);
        names.push(name.clone().unwrap_or_default());
        drafts.push(name.and(draft));
    }
    Named {
        names,
        drafts: drafts.into_iter().collect(),
    }
}

/// Reads every key of a transformer but its name.
pub(crate) fn read_keys(t: &mut Table<'_, '_>, sink: &mut Sink<'_>) -> Option<Draft> {
    let rating_kva = t.required(sink, "rating_kva", &crate::bounds::RATING_KVA);
    let power_factor = t.defaulted(sink, "power_factor", &FRACTION, DEFAULT_POWER_FACTOR);
    let allowed_utilization = t.defaulted(
        sink,
        "allowed_utilization",
        &FRACTION,
        DEFAULT_ALLOWED_UTILIZATION,
    );
    let design_kw_per_household = t.defaulted(
        sink,
        "design_kw_per_household",
        &crate::bounds::KW_PER_HOUSEHOLD,
        DEFAULT_DESIGN_KW_PER_HOUSEHOLD,
    );
    let base_profile = match t.item("base_profile") {
        None => Some(shapes::RESIDENTIAL),
        Some(item) => shapes::read(&item, sink).map(shapes::peak_normalised),
    };
    let base_peak_kw = t.optional(sink, "base_peak_kw", &crate::bounds::BASE_PEAK_KW);
    let households = t.optional(sink, "households", &crate::bounds::EBIKES);
    Some(Draft {
        rating_kva: rating_kva?,
        power_factor: power_factor?,
        allowed_utilization: allowed_utilization?,
        design_kw_per_household: design_kw_per_household?,
        base_profile: base_profile?,
        base_peak_kw: base_peak_kw.ok()?,
        households: households.ok()?,
    })
}
