//! `[[couriers]]`: couriers who live anywhere and swap where they work,
//! spread over the sites by their `courier_work_weight`.

use sim_core::DistrictCouriers;

use crate::bounds;
use crate::diag::Sink;
use crate::site::{Context, courier_group};
use crate::walk::{At, Table};

/// The `[[couriers]]` entries.
pub(crate) struct Couriers {
    pub(crate) entries: Vec<DistrictCouriers>,
    /// Where the first entry is, to report a district without work places.
    pub(crate) first_at: Option<At>,
}

/// Reads every `[[couriers]]`; `None` when one is invalid (reported).
pub(crate) fn read_all(
    tables: Vec<Option<Table<'_, '_>>>,
    ctx: &Context<'_>,
    sink: &mut Sink<'_>,
) -> Option<Couriers> {
    let first_at = tables.iter().flatten().next().map(Table::here);
    let entries: Vec<Option<DistrictCouriers>> = tables
        .into_iter()
        .map(|t| t.and_then(|t| read(t, ctx, sink)))
        .collect();
    Some(Couriers {
        entries: entries.into_iter().collect::<Option<_>>()?,
        first_at,
    })
}

fn read(mut t: Table<'_, '_>, ctx: &Context<'_>, sink: &mut Sink<'_>) -> Option<DistrictCouriers> {
    let group = t
        .required_item(
            sink,
            "group",
            "the name of a `[[group]]` that works across the district",
        )
        .and_then(|item| {
            let name = item.read(sink, &crate::walk::Text)?;
            courier_group(ctx, &name)
                .map_err(|message| item.error(sink, message))
                .ok()
        });
    let count = t.required(sink, "count", &bounds::POOL_COURIERS);
    t.finish(sink);
    Some(DistrictCouriers {
        group: group?,
        count: count?,
    })
}
