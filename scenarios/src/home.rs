//! `[home_charging]`: charging outside the cabinets, at the site's pile
//! ports or by flying wire, for subscribers who could not swap and for the
//! e-bikes not on a subscription.

use sim_core::{Dist, HomeCharging};

use crate::bounds;
use crate::diag::Sink;
use crate::dist;
use crate::shapes;
use crate::walk::{Number, Table};

/// The values of every key when absent.
pub(crate) fn defaults() -> HomeCharging {
    HomeCharging {
        // A 48 V e-bike charger draws a few hundred watts [E].
        charger_w: 250.0,
        efficiency: 0.85,
        // Plugged in for the night, often not just for the charge [E].
        dwell_hours: Dist::LogNormal {
            mean: 10.0,
            sd: 3.0,
        },
        // A charge every about 3 days [S/D: 100 M charges a day for 300 M bikes].
        nonsub_interval_days: 3.0,
        // 48 V 20 Ah, lithium or lead-acid [E].
        nonsub_battery_wh: 1000.0,
        nonsub_depth: Dist::Uniform {
            low: 0.4,
            high: 0.8,
        },
        // Mostly 18–23 h [E].
        plug_in_profile: shapes::EVENING,
    }
}

/// Reads `[home_charging]`, or gives the defaults when it is absent.
pub(crate) fn read(t: Option<Table<'_, '_>>, sink: &mut Sink<'_>) -> Option<HomeCharging> {
    let d = defaults();
    let Some(mut t) = t else {
        return Some(d);
    };
    let charger_w = t.defaulted(sink, "charger_w", &bounds::CHARGER_W, d.charger_w);
    let efficiency = t.defaulted(sink, "efficiency", &crate::bounds::EFFICIENCY, d.efficiency);
    let dwell_hours = dist::defaulted(
        &mut t,
        sink,
        "dwell_hours",
        &Number::POSITIVE,
        Some(&bounds::DWELL_HOURS),
        d.dwell_hours,
    );
    let nonsub_interval_days = t.defaulted(
        sink,
        "nonsub_interval_days",
        &bounds::NONSUB_INTERVAL_DAYS,
        d.nonsub_interval_days,
    );
    let nonsub_battery_wh = t.defaulted(
        sink,
        "nonsub_battery_wh",
        &bounds::NONSUB_BATTERY_WH,
        d.nonsub_battery_wh,
    );
    let nonsub_depth = dist::defaulted(
        &mut t,
        sink,
        "nonsub_depth",
        &dist::SHARE,
        None,
        d.nonsub_depth,
    );
    let plug_in_profile = match t.item("plug_in_profile") {
        None => Some(d.plug_in_profile),
        Some(item) => shapes::read(&item, sink),
    };
    t.finish(sink);
    Some(HomeCharging {
        charger_w: charger_w?,
        efficiency: efficiency?,
        dwell_hours: dwell_hours?,
        nonsub_interval_days: nonsub_interval_days?,
        nonsub_battery_wh: nonsub_battery_wh?,
        nonsub_depth: nonsub_depth?,
        plug_in_profile: plug_in_profile?,
    })
}
