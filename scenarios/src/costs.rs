//! `[costs]`: the prices behind the planner's annualised cost. Every key
//! is optional; an absent one keeps its value in [`Costs::default`].

use std::ops::Bound::{Excluded, Included};

use sim_core::Costs;

use crate::diag::Sink;
use crate::walk::{Item, Number, Table};

/// Largest cabinet on offer [slots]; vendor guidance is at most 16 [S].
pub(crate) const MAX_SLOTS: u32 = 64;

/// Maintenance per year as a share of the capital: [0, 1].
const SHARE: Number = Number::new(Included(0.0), Included(1.0));
/// Discount rate: [0, 1).
const RATE: Number = Number::new(Included(0.0), Excluded(1.0));

/// Reads `[costs]`, or gives the defaults when it is absent.
pub(crate) fn read(t: Option<Table<'_, '_>>, sink: &mut Sink<'_>) -> Option<Costs> {
    let d = Costs::default();
    let Some(mut t) = t else {
        return Some(d);
    };
    let cabinets = match t.item("cabinet_cny_by_slots") {
        None => Some(d.cabinet_cny_by_slots),
        Some(item) => price_list(&item, &SLOTS, sink),
    };
    let battery_cny = t.defaulted(sink, "battery_cny", &Number::NON_NEGATIVE, d.battery_cny);
    let pile_port_cny = t.defaulted(
        sink,
        "pile_port_cny",
        &Number::NON_NEGATIVE,
        d.pile_port_cny,
    );
    let charger_cny_per_kw = t.defaulted(
        sink,
        "charger_cny_per_kw",
        &Number::NON_NEGATIVE,
        d.charger_cny_per_kw,
    );
    let transformers = match t.item("transformer_cny_by_kva") {
        None => Some(d.transformer_cny_by_kva),
        Some(item) => price_list(&item, &KVA, sink).map(|list| {
            list.into_iter()
                .map(|(kva, price)| (f64::from(kva), price))
                .collect()
        }),
    };
    let maintenance = t.defaulted(
        sink,
        "maintenance_share_per_year",
        &SHARE,
        d.maintenance_share_per_year,
    );
    let lifetime_years = t.defaulted(
        sink,
        "lifetime_years",
        &crate::bounds::LIFETIME_YEARS,
        d.lifetime_years,
    );
    let discount_rate = t.defaulted(sink, "discount_rate", &RATE, d.discount_rate);
    let swap_fee_cny = t.optional(sink, "swap_fee_cny", &Number::NON_NEGATIVE);
    t.finish(sink);
    Some(Costs {
        cabinet_cny_by_slots: cabinets?,
        battery_cny: battery_cny?,
        pile_port_cny: pile_port_cny?,
        charger_cny_per_kw: charger_cny_per_kw?,
        transformer_cny_by_kva: transformers?,
        maintenance_share_per_year: maintenance?,
        lifetime_years: lifetime_years?,
        discount_rate: discount_rate?,
        swap_fee_cny: swap_fee_cny.ok()?,
        given: true,
    })
}

/// What the keys of a price list are.
struct Sizes {
    /// For messages: "a slot count from 1 to 64".
    what: &'static str,
    /// An example list.
    example: &'static str,
    /// The largest size.
    max: u32,
    /// Why sizes end at `max`, told with a key past it.
    why: &'static str,
}

const SLOTS: Sizes = Sizes {
    what: "a slot count from 1 to 64",
    example: "{ 8 = 18000, 12 = 25000 }",
    max: MAX_SLOTS,
    why: crate::bounds::WHY_SLOTS,
};

const KVA: Sizes = Sizes {
    what: "a rating in kVA, a whole number from 1 to 10000000",
    example: "{ 630 = 340000, 800 = 400000 }",
    max: 10_000_000,
    why: crate::bounds::WHY_RATING_KVA,
};

/// Reads `{ size = price, ... }`: sizes as keys, prices [CNY] ≥ 0 as values;
/// sorted by size.
fn price_list(item: &Item<'_, '_>, sizes: &Sizes, sink: &mut Sink<'_>) -> Option<Vec<(u32, f64)>> {
    let mut t = item.table(sink)?;
    let mut list = Some(Vec::new());
    let mut seen = Vec::new();
    for (key, price) in t.entries() {
        let size = key
            .parse::<u32>()
            .ok()
            .filter(|size| (1..=sizes.max).contains(size));
        let size = match size {
            Some(size) if seen.contains(&size) => {
                price.key_error(sink, format_args!("duplicate size {size}"));
                None
            }
            Some(size) => {
                seen.push(size);
                Some(size)
            }
            None => {
                // A whole size past the largest gets the reason.
                let past = key.parse::<u64>().is_ok_and(|n| n > u64::from(sizes.max));
                let why = if past {
                    format!(" ({})", sizes.why)
                } else {
                    String::new()
                };
                price.key_error(
                    sink,
                    format_args!("expected {} as the key, found `{key}`{why}", sizes.what),
                );
                None
            }
        };
        let price = price.read(sink, &Number::NON_NEGATIVE);
        match (size, price, &mut list) {
            (Some(size), Some(price), Some(list)) => list.push((size, price)),
            _ => list = None,
        }
    }
    let mut list = list?;
    if list.is_empty() {
        item.error(
            sink,
            format_args!("expected at least one price, like `{}`", sizes.example),
        );
        return None;
    }
    list.sort_by_key(|(size, _)| *size);
    Some(list)
}

#[cfg(test)]
mod tests {
    use sim_core::Costs;

    use crate::testing::{VALID, model, problems};

    #[test]
    fn a_swap_fee_is_optional_and_not_negative() {
        assert_eq!(model(VALID).costs.swap_fee_cny, None);
        let m = model(&format!("{VALID}\n[costs]\nswap_fee_cny = 3.5\n"));
        assert_eq!(m.costs.swap_fee_cny, Some(3.5));
        let bad = problems(&format!("{VALID}\n[costs]\nswap_fee_cny = -1\n"));
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].contains("costs.swap_fee_cny"), "{bad:?}");
    }

    #[test]
    fn costs_default_key_by_key() {
        assert_eq!(model(VALID).costs, Costs::default());
        let m = model(&format!(
            "{VALID}\n[costs]\ncabinet_cny_by_slots = {{ 16 = 30000, 8 = 17000 }}\n\
             battery_cny = 1200\ntransformer_cny_by_kva = {{ 630 = 1, 400 = 2 }}\n"
        ));
        assert_eq!(
            m.costs,
            Costs {
                cabinet_cny_by_slots: vec![(8, 17_000.0), (16, 30_000.0)],
                battery_cny: 1200.0,
                transformer_cny_by_kva: vec![(400.0, 2.0), (630.0, 1.0)],
                given: true,
                ..Costs::default()
            }
        );
    }

    #[test]
    fn price_lists_are_keyed_by_size() {
        let source = format!(
            "{VALID}\n[costs]\ncabinet_cny_by_slots = {{ 0 = 1, 12 = -5, x = 3 }}\n\
             transformer_cny_by_kva = {{}}\nlifetime_years = 0.5\ndiscount_rate = 1\n"
        );
        assert_eq!(
            problems(&source),
            [
                "t.toml:26:26: costs.cabinet_cny_by_slots.0: expected a slot count from 1 to 64 \
                 as the key, found `0`",
                "t.toml:26:38: costs.cabinet_cny_by_slots.12: expected a non-negative number, \
                 found -5",
                "t.toml:26:42: costs.cabinet_cny_by_slots.x: expected a slot count from 1 to 64 \
                 as the key, found `x`",
                "t.toml:27:26: costs.transformer_cny_by_kva: expected at least one price, like \
                 `{ 630 = 340000, 800 = 400000 }`",
                "t.toml:28:18: costs.lifetime_years: expected a number in [1, 50], found 0.5",
                "t.toml:29:17: costs.discount_rate: expected a number in [0, 1), found 1",
            ]
        );
    }
}
