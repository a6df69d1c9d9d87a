//! `[planner]`: the search space and precision of `swapsim plan`. Every
//! key is optional; an absent one keeps its value in
//! [`PlannerConfig::default`].

use sim_core::PlannerConfig;

use crate::bounds;
use crate::costs::MAX_SLOTS;
use crate::diag::Sink;
use crate::walk::{Integer, Item, Kind, Table};

/// Fewest replications behind a planner's interval: two give a variance.
const MIN_REPLICATIONS: u32 = 2;

/// Reads `[planner]`, or gives the defaults when it is absent.
pub(crate) fn read(t: Option<Table<'_, '_>>, sink: &mut Sink<'_>) -> Option<PlannerConfig> {
    let d = PlannerConfig::default();
    let Some(mut t) = t else {
        return Some(d);
    };
    let slot_catalogue = match t.item("slot_catalogue") {
        None => Some(d.slot_catalogue.clone()),
        Some(item) => catalogue(&item, sink),
    };
    let transformer_sizes_kva = match t.item("transformer_sizes_kva") {
        None => Some(d.transformer_sizes_kva.clone()),
        Some(item) => ascending_sizes(&item, sink),
    };
    let charger_power_catalogue_w = match t.item("charger_power_catalogue_w") {
        None => Some(d.charger_power_catalogue_w.clone()),
        Some(item) => ascending(
            &item,
            &crate::site::CHARGER_POWER,
            "an array of slot charger powers in W like `[300, 400, 600]`",
            "a power, like `[300, 400, 600]`",
            sink,
        ),
    };
    let max_cabinets_per_site = t.defaulted(
        sink,
        "max_cabinets_per_site",
        &bounds::CABINETS,
        d.max_cabinets_per_site,
    );
    let max_pile_ports_per_site = t.defaulted(
        sink,
        "max_pile_ports_per_site",
        &bounds::PILE_PORTS,
        d.max_pile_ports_per_site,
    );
    let replications = bounds::replications(MIN_REPLICATIONS);
    let min_replications = t.optional(sink, "min_replications", &replications);
    let max_replications = t.optional(sink, "max_replications", &replications);
    let max_iterations = t.defaulted(
        sink,
        "max_iterations",
        &bounds::ITERATIONS,
        d.max_iterations,
    );
    let (min_replications, max_replications) = match (min_replications, max_replications) {
        (Ok(min), Ok(max)) => {
            let (lo, hi) = (
                min.unwrap_or(d.min_replications),
                max.unwrap_or(d.max_replications),
            );
            if hi < lo {
                // Blame the key the file sets; max when it sets both.
                let (key, message) = match (min, max) {
                    (Some(_), None) => (
                        "min_replications",
                        format!(
                            "min_replications ({lo}) exceeds max_replications ({hi}, the default)"
                        ),
                    ),
                    (None, _) => (
                        "max_replications",
                        format!(
                            "max_replications ({hi}) is less than min_replications ({lo}, the default)"
                        ),
                    ),
                    (Some(_), Some(_)) => (
                        "max_replications",
                        format!("max_replications ({hi}) is less than min_replications ({lo})"),
                    ),
                };
                t.error(sink, key, message);
                (None, None)
            } else {
                (Some(lo), Some(hi))
            }
        }
        _ => (None, None),
    };
    t.finish(sink);
    Some(PlannerConfig {
        slot_catalogue: slot_catalogue?,
        transformer_sizes_kva: transformer_sizes_kva?,
        charger_power_catalogue_w: charger_power_catalogue_w?,
        max_cabinets_per_site: max_cabinets_per_site?,
        max_pile_ports_per_site: max_pile_ports_per_site?,
        min_replications: min_replications?,
        max_replications: max_replications?,
        max_iterations: max_iterations?,
    })
}

/// Reads `slot_catalogue`: distinct cabinet sizes [slots], 2 to 64 (one
/// compartment of each cabinet stays empty for the returned battery).
fn catalogue(item: &Item<'_, '_>, sink: &mut Sink<'_>) -> Option<Vec<u32>> {
    let elements = item.elements(sink, "an array of slot counts like `[8, 12, 16]`")?;
    let mut sizes = Some(Vec::new());
    let mut seen: Vec<(u32, usize)> = Vec::new();
    for (index, element) in elements.iter().enumerate() {
        let size = element.read(sink, &Integer::between(2, MAX_SLOTS));
        if let Some(size) = size {
            if let Some((_, first)) = seen.iter().find(|(s, _)| *s == size) {
                element.error(
                    sink,
                    format_args!("duplicate size {size}, already at slot_catalogue[{first}]"),
                );
                sizes = None;
                continue;
            }
            seen.push((size, index));
        }
        match (size, &mut sizes) {
            (Some(size), Some(sizes)) => sizes.push(size),
            _ => sizes = None,
        }
    }
    non_empty(item, sizes?, "a cabinet size, like `[8, 12, 16]`", sink)
}

/// Reads `transformer_sizes_kva`: positive ratings [kVA], strictly ascending.
fn ascending_sizes(item: &Item<'_, '_>, sink: &mut Sink<'_>) -> Option<Vec<f64>> {
    ascending(
        item,
        &bounds::RATING_KVA,
        "an array of ratings in kVA like `[400, 630, 800]`",
        "a rating, like `[400, 630, 800]`",
        sink,
    )
}

/// Reads a non-empty, strictly ascending array of numbers in `range`;
/// `array` and `one` say what was expected, for messages.
fn ascending(
    item: &Item<'_, '_>,
    range: &impl Kind<Out = f64>,
    array: &str,
    one: &str,
    sink: &mut Sink<'_>,
) -> Option<Vec<f64>> {
    let elements = item.elements(sink, array)?;
    let mut sizes = Some(Vec::new());
    let mut previous: Option<f64> = None;
    for element in &elements {
        let size = element.read(sink, range);
        if let (Some(size), Some(before)) = (size, previous)
            && size <= before
        {
            element.error(
                sink,
                format_args!("expected sizes in ascending order, found {size} after {before}"),
            );
            sizes = None;
        }
        previous = size.or(previous);
        match (size, &mut sizes) {
            (Some(size), Some(sizes)) => sizes.push(size),
            _ => sizes = None,
        }
    }
    non_empty(item, sizes?, one, sink)
}

/// `list`, or `None` with a report when it is empty.
fn non_empty<T>(
    item: &Item<'_, '_>,
    list: Vec<T>,
    one: &str,
    sink: &mut Sink<'_>,
) -> Option<Vec<T>> {
    if list.is_empty() {
        item.error(sink, format_args!("expected at least {one}"));
        return None;
    }
    Some(list)
}

#[cfg(test)]
mod tests {
    use sim_core::PlannerConfig;

    use crate::testing::{VALID, model, problems};

    fn planner(keys: &str) -> String {
        format!("{VALID}\n[planner]\n{keys}\n")
    }

    #[test]
    fn the_planner_defaults_key_by_key() {
        assert_eq!(model(VALID).planner, PlannerConfig::default());
        let m = model(&planner(
            "slot_catalogue = [12, 8]\ntransformer_sizes_kva = [630, 800.5]\nmax_replications = 8",
        ));
        assert_eq!(
            m.planner,
            PlannerConfig {
                slot_catalogue: vec![12, 8],
                transformer_sizes_kva: vec![630.0, 800.5],
                max_replications: 8,
                ..PlannerConfig::default()
            }
        );
    }

    #[test]
    fn catalogues_and_sizes_are_checked_element_by_element() {
        let source = planner(
            "slot_catalogue = [8, 0, 65, 8]\ntransformer_sizes_kva = [400, 630, 500, 500]\n\
             max_cabinets_per_site = 0",
        );
        assert_eq!(
            problems(&source),
            [
                "t.toml:26:22: planner.slot_catalogue[1]: expected an integer from 2 to 64, found 0",
                "t.toml:26:25: planner.slot_catalogue[2]: expected an integer from 2 to 64, found 65",
                "t.toml:26:29: planner.slot_catalogue[3]: duplicate size 8, already at \
                 slot_catalogue[0]",
                "t.toml:27:36: planner.transformer_sizes_kva[2]: expected sizes in ascending \
                 order, found 500 after 630",
                "t.toml:27:41: planner.transformer_sizes_kva[3]: expected sizes in ascending \
                 order, found 500 after 500",
                "t.toml:28:25: planner.max_cabinets_per_site: expected an integer from 1 to 1000, found 0",
            ]
        );
        assert_eq!(
            problems(&planner("slot_catalogue = []\ntransformer_sizes_kva = 630")),
            [
                "t.toml:26:18: planner.slot_catalogue: expected at least a cabinet size, like \
                 `[8, 12, 16]`",
                "t.toml:27:25: planner.transformer_sizes_kva: expected an array of ratings in \
                 kVA like `[400, 630, 800]`, found integer",
            ]
        );
    }

    #[test]
    fn replications_are_at_least_two_and_ordered() {
        assert_eq!(
            problems(&planner("min_replications = 1")),
            [
                "t.toml:26:20: planner.min_replications: expected an integer from 2 to 10000, found 1"
            ]
        );
        assert_eq!(
            problems(&planner("min_replications = 8\nmax_replications = 4")),
            [
                "t.toml:27:20: planner.max_replications: max_replications (4) is less than \
                 min_replications (8)"
            ]
        );
        assert_eq!(
            problems(&planner("min_replications = 20")),
            [
                "t.toml:26:20: planner.min_replications: min_replications (20) exceeds \
                 max_replications (16, the default)"
            ]
        );
        assert_eq!(
            problems(&planner("max_replications = 3")),
            [
                "t.toml:26:20: planner.max_replications: max_replications (3) is less than \
                 min_replications (4, the default)"
            ]
        );
    }
}
