//! `[[site]]`: a community or public point with swap cabinets, the riders
//! and e-bikes that live there, its charging piles and its transformer.
//!
//! A site is read in two steps, so that a `[[site_table]]` row can take the
//! keys it leaves empty from its table's `defaults`:
//! 1. [`read_keys`] reads the keys one table sets into [`Keys`], each with
//!    the place it was written;
//! 2. [`build`] applies the schema defaults, checks the keys against each
//!    other and makes the [`SiteSpec`].

use std::collections::HashMap;
use std::ops::Bound::{Excluded, Included};

use sim_core::{Demand, Patience, SiteSpec};
use toml::de::DeValue;

use crate::bounds;
use crate::diag::Sink;
use crate::group::Groups;
use crate::transformer::{self, Draft};
use crate::walk::{At, Integer, Item, Number, Reference, Table, Text};

/// Values of `demand.model`.
const DEMAND_MODELS: &[&str] = &["poisson"];
/// A slot charger's grid power: (0, 10 kW]. E-bike cabinets use
/// 300–600 W per slot (DOMAIN.md); 10 kW is past any of them.
pub(crate) const CHARGER_POWER: Number = Number::new(Included(0.01), Included(10_000.0));
/// Poisson swap requests per hour at one site: (0, 3600]. A swap holds a
/// cabinet door for seconds, so more than one a second is no cabinet site;
/// the bound also keeps a typo like `1e30` from running for ever.
const SWAP_RATE: Number = Number::new(Excluded(0.0), Included(3600.0));
/// Values of `patience.model`.
const PATIENCE_MODELS: &[&str] = &["none", "infinite", "exponential"];

/// Batteries: at least one (and at most what the cabinets hold, checked
/// with them).
pub(crate) const COUNT: Integer<u32> = Integer::at_least(1);
/// A share: [0, 1].
pub(crate) const SHARE: Number = Number::new(Included(0.0), Included(1.0));
/// How far the shares of a `mix` may sum from 1.
const SHARE_SUM_TOLERANCE: f64 = 1e-6;
/// Relative weight of a site as a courier work place when absent.
pub(crate) const DEFAULT_COURIER_WORK_WEIGHT: f64 = 1.0;

/// What the sites refer to by name.
pub(crate) struct Context<'c> {
    /// Rider groups, for `mix` and `couriers`.
    pub(crate) groups: &'c Groups,
    /// Names of the `[[transformer]]`s, for `transformer = "T1"`.
    pub(crate) transformers: &'c [&'c str],
    /// Whether `[battery]` charges by a CC-CV curve (the only model with
    /// a charger power); `None` when `[battery]` is invalid.
    pub(crate) cc_cv: Option<bool>,
}

impl Context<'_> {
    fn group_names(&self) -> Vec<&str> {
        self.groups.name_refs()
    }
}

/// The site names read so far: each with the path of the table that
/// first used it (to report duplicates), in the order read.
#[derive(Debug, Default)]
pub(crate) struct SiteNames {
    first_use: HashMap<String, String>,
    order: Vec<String>,
}

impl SiteNames {
    /// The path of the table that first used `name`, if any did.
    pub(crate) fn first_use(&self, name: &str) -> Option<&str> {
        self.first_use.get(name).map(String::as_str)
    }

    /// Records `name`, first used by the table at `path`.
    pub(crate) fn insert(&mut self, name: String, path: String) {
        self.order.push(name.clone());
        self.first_use.insert(name, path);
    }

    /// The names in the order read: `[[site]]`s, then site-table rows.
    pub(crate) fn in_order(&self) -> Vec<&str> {
        self.order.iter().map(String::as_str).collect()
    }
}

/// One key of a site as a table sets it.
#[derive(Clone, Debug, Default)]
pub(crate) enum Key<T> {
    /// Not set: the defaults apply.
    #[default]
    Absent,
    /// Set but invalid; reported.
    Invalid,
    /// Set, valid, written at the place given.
    Set(T, At),
}

impl<T> Key<T> {
    fn from(result: Option<T>, at: impl FnOnce() -> At) -> Self {
        match result {
            Some(value) => Key::Set(value, at()),
            None => Key::Invalid,
        }
    }

    /// This key, or `fallback` when this one is absent.
    pub(crate) fn or(self, fallback: Key<T>) -> Key<T> {
        match self {
            Key::Absent => fallback,
            set_or_invalid => set_or_invalid,
        }
    }

    /// `Ok(None)` when absent, `Err` when invalid.
    fn value(&self) -> Result<Option<&T>, ()> {
        match self {
            Key::Absent => Ok(None),
            Key::Invalid => Err(()),
            Key::Set(value, _) => Ok(Some(value)),
        }
    }

    fn at(&self) -> Option<&At> {
        match self {
            Key::Set(_, at) => Some(at),
            _ => None,
        }
    }

    fn is_absent(&self) -> bool {
        matches!(self, Key::Absent)
    }
}

impl<T: Copy> Key<T> {
    /// The value, `default` when absent, `None` when invalid.
    fn or_default(&self, default: T) -> Option<T> {
        self.value().ok().map(|v| v.copied().unwrap_or(default))
    }
}

/// Resident subscribers' groups: `(group index, share)`.
type Mix = Vec<(usize, f64)>;
/// Couriers living at a site: `(group index, count)`.
type Couriers = Vec<(usize, u32)>;

/// Where a site's transformer comes from.
#[derive(Clone, Debug)]
pub(crate) enum TransformerRef {
    /// A `[[transformer]]`, by index.
    Named(usize),
    /// Its own, named after the site.
    Own(Box<Draft>),
}

/// The keys of one site as one table sets them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Keys {
    pub(crate) name: Key<String>,
    pub(crate) town: Key<String>,
    pub(crate) cabinets: Key<u32>,
    pub(crate) slots_per_cabinet: Key<u32>,
    pub(crate) batteries: Key<u32>,
    pub(crate) demand: Key<Demand>,
    pub(crate) patience: Key<Patience>,
    pub(crate) max_concurrent_charging: Key<u32>,
    pub(crate) max_riders_present: Key<u32>,
    pub(crate) charger_power_w: Key<f64>,
    pub(crate) x_m: Key<f64>,
    pub(crate) y_m: Key<f64>,
    pub(crate) households: Key<u32>,
    pub(crate) ebikes: Key<u32>,
    pub(crate) swap_adoption: Key<f64>,
    pub(crate) mix: Key<Mix>,
    pub(crate) couriers: Key<Couriers>,
    pub(crate) courier_work_weight: Key<f64>,
    pub(crate) pile_ports: Key<u32>,
    pub(crate) nonsub_interval_days: Key<f64>,
    pub(crate) transformer: Key<TransformerRef>,
}

impl Keys {
    /// These keys, each taken from `defaults` where this one is absent.
    pub(crate) fn or(self, defaults: Keys) -> Keys {
        Keys {
            name: self.name.or(defaults.name),
            town: self.town.or(defaults.town),
            cabinets: self.cabinets.or(defaults.cabinets),
            slots_per_cabinet: self.slots_per_cabinet.or(defaults.slots_per_cabinet),
            batteries: self.batteries.or(defaults.batteries),
            demand: self.demand.or(defaults.demand),
            patience: self.patience.or(defaults.patience),
            max_concurrent_charging: self
                .max_concurrent_charging
                .or(defaults.max_concurrent_charging),
            max_riders_present: self.max_riders_present.or(defaults.max_riders_present),
            charger_power_w: self.charger_power_w.or(defaults.charger_power_w),
            x_m: self.x_m.or(defaults.x_m),
            y_m: self.y_m.or(defaults.y_m),
            households: self.households.or(defaults.households),
            ebikes: self.ebikes.or(defaults.ebikes),
            swap_adoption: self.swap_adoption.or(defaults.swap_adoption),
            mix: self.mix.or(defaults.mix),
            couriers: self.couriers.or(defaults.couriers),
            courier_work_weight: self.courier_work_weight.or(defaults.courier_work_weight),
            pile_ports: self.pile_ports.or(defaults.pile_ports),
            nonsub_interval_days: self.nonsub_interval_days.or(defaults.nonsub_interval_days),
            transformer: self.transformer.or(defaults.transformer),
        }
    }
}

/// A site ready for the model, and the transformer it asks for.
pub(crate) struct Built {
    /// The site; `transformer` is still `None`.
    pub(crate) spec: SiteSpec,
    pub(crate) transformer: Option<TransformerRef>,
}

/// Reports a required key that no table sets: `(sink, key, expected)`.
pub(crate) type Missing<'m> = dyn Fn(&mut Sink<'_>, &'static str, &str) + 'm;

/// Reads every `[[site]]`; `None` entries were not tables (already
/// reported). Their names are checked against `names` and added to it.
pub(crate) fn read_all(
    tables: Vec<Option<Table<'_, '_>>>,
    ctx: &Context<'_>,
    names: &mut SiteNames,
    sink: &mut Sink<'_>,
) -> Option<Vec<Built>> {
    let sites: Vec<_> = tables
        .into_iter()
        .map(|t| t.and_then(|t| read(t, ctx, names, sink)))
        .collect();
    sites.into_iter().collect()
}

/// Reads one `[[site]]` table.
fn read(
    mut t: Table<'_, '_>,
    ctx: &Context<'_>,
    names: &mut SiteNames,
    sink: &mut Sink<'_>,
) -> Option<Built> {
    let keys = read_keys(&mut t, ctx, true, names, sink);
    let missing = |sink: &mut Sink<'_>, key: &'static str, expected: &str| {
        t.missing(sink, key, expected);
    };
    let built = build(keys, ctx, &missing, sink);
    t.finish(sink);
    built
}

/// Reads the site keys `t` sets; `with_name` is false for the `defaults` of
/// a `[[site_table]]`, where a name would make every row a duplicate. A
/// name is checked against `names` and added.
pub(crate) fn read_keys(
    t: &mut Table<'_, '_>,
    ctx: &Context<'_>,
    with_name: bool,
    names: &mut SiteNames,
    sink: &mut Sink<'_>,
) -> Keys {
    let mut keys = Keys::default();
    if with_name {
        keys.name = key(t, sink, "name", &Text);
        if let Key::Set(name, _) = &keys.name {
            t.set_subject(format!("site '{name}'"));
            if let Some(first) = names.first_use(name) {
                t.error(
                    sink,
                    "name",
                    format_args!("duplicate name, already used by {first}"),
                );
            } else {
                names.insert(name.clone(), t.path().to_owned());
            }
        }
    }
    keys.town = key(t, sink, "town", &Text);
    keys.cabinets = key(t, sink, "cabinets", &bounds::CABINETS);
    keys.slots_per_cabinet = key(t, sink, "slots_per_cabinet", &bounds::SLOTS);
    keys.batteries = key(t, sink, "batteries", &COUNT);
    keys.demand = table_key(t, sink, "demand", read_demand);
    keys.patience = table_key(t, sink, "patience", read_patience);
    keys.max_concurrent_charging = key(
        t,
        sink,
        "max_concurrent_charging",
        &bounds::CONCURRENT_CHARGING,
    );
    keys.max_riders_present = key(t, sink, "max_riders_present", &bounds::RIDERS_PRESENT);
    keys.charger_power_w = key(t, sink, "charger_power_w", &CHARGER_POWER);
    keys.x_m = key(t, sink, "x_m", &Number::ANY);
    keys.y_m = key(t, sink, "y_m", &Number::ANY);
    keys.households = key(t, sink, "households", &bounds::EBIKES);
    keys.ebikes = key(t, sink, "ebikes", &bounds::EBIKES);
    keys.swap_adoption = key(t, sink, "swap_adoption", &SHARE);
    keys.mix = item_key(t, sink, "mix", |item, sink| read_mix(item, ctx, sink));
    keys.couriers = item_key(t, sink, "couriers", |item, sink| {
        read_couriers(item, ctx, sink)
    });
    keys.courier_work_weight = key(t, sink, "courier_work_weight", &Number::NON_NEGATIVE);
    keys.pile_ports = key(t, sink, "pile_ports", &bounds::PILE_PORTS);
    keys.nonsub_interval_days = key(
        t,
        sink,
        "nonsub_interval_days",
        &bounds::NONSUB_INTERVAL_DAYS,
    );
    keys.transformer = item_key(t, sink, "transformer", |item, sink| {
        read_transformer(item, ctx, sink)
    });
    keys
}

/// A key read with a [`crate::walk::Kind`].
fn key<K: crate::walk::Kind>(
    t: &mut Table<'_, '_>,
    sink: &mut Sink<'_>,
    name: &'static str,
    kind: &K,
) -> Key<K::Out> {
    match t.optional(sink, name, kind) {
        Ok(None) => Key::Absent,
        Ok(Some(value)) => Key::Set(value, t.at(name)),
        Err(_) => Key::Invalid,
    }
}

/// A key whose value is read from its [`Item`] by `read`.
fn item_key<T>(
    t: &mut Table<'_, '_>,
    sink: &mut Sink<'_>,
    name: &'static str,
    read: impl FnOnce(&Item<'_, '_>, &mut Sink<'_>) -> Option<T>,
) -> Key<T> {
    match t.item(name) {
        None => Key::Absent,
        Some(item) => Key::from(read(&item, sink), || item.at()),
    }
}

/// A key whose value is a table read by `read`.
fn table_key<T>(
    t: &mut Table<'_, '_>,
    sink: &mut Sink<'_>,
    name: &'static str,
    read: impl FnOnce(Table<'_, '_>, &mut Sink<'_>) -> Option<T>,
) -> Key<T> {
    item_key(t, sink, name, |item, sink| read(item.table(sink)?, sink))
}

/// Applies the defaults to the keys of one site and checks them against
/// each other; `missing` reports a required key that is absent.
pub(crate) fn build(
    keys: Keys,
    ctx: &Context<'_>,
    missing: &Missing<'_>,
    sink: &mut Sink<'_>,
) -> Option<Built> {
    let subject = match &keys.name {
        Key::Set(name, _) => Some(format!("site '{name}'")),
        _ => None,
    };
    let subject = subject.as_deref();
    let name = required(&keys.name, "name", &Text, missing, sink);
    let cabinets = required(&keys.cabinets, "cabinets", &COUNT, missing, sink);
    let slots_per_cabinet = required(
        &keys.slots_per_cabinet,
        "slots_per_cabinet",
        &COUNT,
        missing,
        sink,
    );
    let batteries = required(&keys.batteries, "batteries", &COUNT, missing, sink);
    let slots_ok = check_slots(&keys, subject, sink);

    let demand = keys
        .demand
        .value()
        .ok()
        .map(|d| d.cloned().unwrap_or(Demand::Riders));
    let patience = patience(&keys, subject, missing, sink);
    let ebikes = keys.ebikes.or_default(0);
    let swap_adoption = swap_adoption(&keys, subject, sink);
    let (mix, couriers) = if keys.demand.is_absent() {
        let subscribers = ebikes
            .zip(swap_adoption)
            .is_some_and(|(n, a)| n > 0 && a > 0.0);
        let couriers = keys.couriers.value().ok();
        (
            default_mix(&keys, ctx, subscribers, missing, sink),
            couriers.map(|c| c.cloned().unwrap_or_default()),
        )
    } else {
        no_riders(&keys, subject, sink)
    };
    let max_concurrent_charging = keys.max_concurrent_charging.value().ok()?.copied();
    let max_riders_present = keys.max_riders_present.value().ok()?.copied();
    let charger_power_w = charger_power(&keys, ctx, subject, sink);
    let own_ok = check_own_transformer(&keys, ctx, subject, sink);
    let transformer = keys.transformer.value().ok()?.cloned();
    slots_ok?;
    own_ok?;
    Some(Built {
        spec: SiteSpec {
            name: name?,
            town: keys.town.value().ok()?.cloned().unwrap_or_default(),
            cabinets: cabinets?,
            slots_per_cabinet: slots_per_cabinet?,
            batteries: batteries?,
            demand: demand?,
            patience: patience?,
            max_concurrent_charging,
            max_riders_present,
            charger_power_w: charger_power_w?,
            x_m: keys.x_m.or_default(0.0)?,
            y_m: keys.y_m.or_default(0.0)?,
            households: keys.households.or_default(0)?,
            ebikes: ebikes?,
            swap_adoption: swap_adoption?,
            mix: mix?,
            couriers: couriers?,
            courier_work_weight: keys
                .courier_work_weight
                .or_default(DEFAULT_COURIER_WORK_WEIGHT)?,
            pile_ports: keys.pile_ports.or_default(0)?,
            nonsub_interval_days: keys.nonsub_interval_days.value().ok()?.copied(),
            transformer: None,
        },
        transformer,
    })
}

/// The `charger_power_w` of a site: only CC-CV charging has a power.
fn charger_power(
    keys: &Keys,
    ctx: &Context<'_>,
    subject: Option<&str>,
    sink: &mut Sink<'_>,
) -> Option<Option<f64>> {
    match &keys.charger_power_w {
        Key::Set(power, at) => {
            if ctx.cc_cv == Some(false) {
                at.error(
                    sink,
                    subject,
                    format_args!(
                        "a charger power needs `[battery] charge = {{ model = \"cc_cv\", ... }}`; \
                         exponential and deterministic charging set their duration, not a power"
                    ),
                );
                return None;
            }
            Some(Some(*power))
        }
        key => key.value().ok().map(|_| None),
    }
}

/// The `patience` of a site: required with `demand`, invalid without it
/// (riders of a rider-driven site have their group's).
fn patience(
    keys: &Keys,
    subject: Option<&str>,
    missing: &Missing<'_>,
    sink: &mut Sink<'_>,
) -> Option<Patience> {
    match (&keys.demand, &keys.patience) {
        (Key::Set(..), Key::Absent) => {
            missing(
                sink,
                "patience",
                "a table like `{ model = \"none\" }` (with `demand`)",
            );
            None
        }
        (Key::Absent, Key::Set(_, at)) => {
            at.error(
                sink,
                subject,
                "`patience` is only valid with `demand`: riders of a site without `demand` \
                 take theirs from their group's `patience_minutes`",
            );
            None
        }
        (_, patience) => patience.or_default(Patience::default()),
    }
}

/// The `swap_adoption` of a site: required when it has e-bikes.
fn swap_adoption(keys: &Keys, subject: Option<&str>, sink: &mut Sink<'_>) -> Option<f64> {
    match (&keys.ebikes, &keys.swap_adoption) {
        (Key::Set(n, at), Key::Absent) if *n > 0 => {
            at.error(
                sink,
                subject,
                format_args!(
                    "{n} e-bikes need `swap_adoption`, the share on a swap subscription, \
                     expected a number in [0, 1]"
                ),
            );
            None
        }
        (_, adoption) => adoption.or_default(0.0),
    }
}

/// The (empty) `mix` and `couriers` of an analytic site, reporting either
/// when set: its swap requests do not come from riders.
fn no_riders(
    keys: &Keys,
    subject: Option<&str>,
    sink: &mut Sink<'_>,
) -> (Option<Mix>, Option<Couriers>) {
    for (key, at) in [("mix", keys.mix.at()), ("couriers", keys.couriers.at())] {
        if let Some(at) = at {
            at.error(
                sink,
                subject,
                format_args!(
                    "`{key}` is only valid for a site without `demand`, whose swap requests \
                     come from its riders"
                ),
            );
        }
    }
    let ok = keys.mix.is_absent() && keys.couriers.is_absent();
    (ok.then(Vec::new), ok.then(Vec::new))
}

/// The value of a required key; reports it when absent.
fn required<T: Clone, K: crate::walk::Kind>(
    key: &Key<T>,
    name: &'static str,
    kind: &K,
    missing: &Missing<'_>,
    sink: &mut Sink<'_>,
) -> Option<T> {
    match key {
        Key::Set(value, _) => Some(value.clone()),
        Key::Invalid => None,
        Key::Absent => {
            missing(sink, name, &kind.expected());
            None
        }
    }
}

/// Checks that a site's own transformer, which takes the site's name, does
/// not take a `[[transformer]]`'s: overrides name transformers.
fn check_own_transformer(
    keys: &Keys,
    ctx: &Context<'_>,
    subject: Option<&str>,
    sink: &mut Sink<'_>,
) -> Option<()> {
    match (&keys.transformer, &keys.name) {
        (Key::Set(TransformerRef::Own(_), at), Key::Set(name, _))
            if ctx.transformers.contains(&name.as_str()) =>
        {
            at.error(
                sink,
                subject,
                format_args!(
                    "the site's own transformer is named after the site, but a \
                     `[[transformer]]` is already called `{name}`; rename one of them"
                ),
            );
            None
        }
        _ => Some(()),
    }
}

/// Checks that the batteries leave an empty compartment in each cabinet;
/// blames the batteries, or the slots when their count overflows. `None`
/// when reported.
fn check_slots(keys: &Keys, subject: Option<&str>, sink: &mut Sink<'_>) -> Option<()> {
    let (Key::Set(cabinets, _), Key::Set(per_cabinet, per_at)) =
        (&keys.cabinets, &keys.slots_per_cabinet)
    else {
        return Some(());
    };
    if cabinets.checked_mul(*per_cabinet).is_none() {
        per_at.error(
            sink,
            subject,
            format_args!(
                "slots ({cabinets} × {per_cabinet}) exceed the limit of {}",
                u32::MAX
            ),
        );
        return None;
    }
    match &keys.batteries {
        Key::Set(batteries, at) => {
            match no_empty_compartment(*batteries, *cabinets, *per_cabinet) {
                Some(message) => {
                    at.error(sink, subject, message);
                    None
                }
                None => Some(()),
            }
        }
        _ => Some(()),
    }
}

/// Why `batteries` cannot be stocked in `cabinets` × `per_cabinet` slots,
/// or `None` when they can: a swap opens an empty compartment to take the
/// returned battery before it releases a full one, so each cabinet keeps
/// one compartment empty.
pub(crate) fn no_empty_compartment(
    batteries: u32,
    cabinets: u32,
    per_cabinet: u32,
) -> Option<String> {
    let most = u64::from(cabinets) * u64::from(per_cabinet.saturating_sub(1));
    if u64::from(batteries) <= most {
        return None;
    }
    let hint = if per_cabinet < 2 {
        "use cabinets of at least 2 slots".to_owned()
    } else {
        format!("at most {most} batteries, or add a cabinet")
    };
    Some(format!(
        "batteries ({batteries}) leave no empty compartment in {cabinets} × {per_cabinet} slots; \
         leave one per cabinet for the returned battery: {hint}"
    ))
}

/// The `mix` of a rider-driven site: as written, or all of the first group
/// that does not work across the district. A site without subscribers
/// needs none.
fn default_mix(
    keys: &Keys,
    ctx: &Context<'_>,
    subscribers: bool,
    missing: &Missing<'_>,
    sink: &mut Sink<'_>,
) -> Option<Mix> {
    match &keys.mix {
        Key::Set(mix, _) => Some(mix.clone()),
        Key::Invalid => None,
        Key::Absent => match ctx.groups.first_resident().ok()? {
            Some(group) => Some(vec![(group, 1.0)]),
            None if !subscribers => Some(Vec::new()),
            None => {
                missing(
                    sink,
                    "mix",
                    "group shares like `{ commuter = 1.0 }`: every group works across the \
                     district, so none is the default",
                );
                None
            }
        },
    }
}

/// Reads `mix = { group = share, ... }`: the shares of the resident
/// subscribers' groups, summing to 1.
fn read_mix(item: &Item<'_, '_>, ctx: &Context<'_>, sink: &mut Sink<'_>) -> Option<Mix> {
    let mut t = item.table(sink)?;
    let names = ctx.group_names();
    let groups = Reference {
        what: "group",
        defined_in: "`[[group]]`",
        hint: "",
        names: &names,
    };
    let mut mix = Some(Vec::new());
    for (name, share) in t.entries() {
        let group = groups
            .find(name)
            .map_err(|message| share.key_error(sink, message))
            .ok();
        let value = share.read(sink, &SHARE);
        match (group, value, &mut mix) {
            (Some(group), Some(value), Some(mix)) => mix.push((group, value)),
            _ => mix = None,
        }
    }
    let mix = mix?;
    if mix.is_empty() {
        item.error(
            sink,
            "expected at least one group share, like `{ commuter = 1.0 }`",
        );
        return None;
    }
    let sum: f64 = mix.iter().map(|(_, share)| share).sum();
    if (sum - 1.0).abs() > SHARE_SUM_TOLERANCE {
        // Rounded, so that 0.6 + 0.3 shows as 0.9.
        let shown = (sum * 1e9).round() / 1e9;
        item.error(sink, format_args!("the shares sum to {shown}, expected 1"));
        return None;
    }
    Some(mix)
}

/// Reads `couriers`: `{ group = count, ... }` of groups that work across
/// the district, or a count of the first such group.
pub(crate) fn read_couriers(
    item: &Item<'_, '_>,
    ctx: &Context<'_>,
    sink: &mut Sink<'_>,
) -> Option<Couriers> {
    if let DeValue::Table(_) = item.get() {
        let mut t = item.table(sink)?;
        let mut couriers = Some(Vec::new());
        for (name, count) in t.entries() {
            let group = courier_group(ctx, name)
                .map_err(|message| count.key_error(sink, message))
                .ok();
            let value = count.read(sink, &bounds::COURIERS);
            match (group, value, &mut couriers) {
                (Some(group), Some(value), Some(couriers)) => couriers.push((group, value)),
                _ => couriers = None,
            }
        }
        return couriers;
    }
    let count = item.read(sink, &bounds::COURIERS)?;
    match ctx.groups.first_courier().ok()? {
        Some(group) => Some(vec![(group, count)]),
        None => {
            item.error(
                sink,
                "no group works across the district (`works_across_district = true`) to \
                 count these couriers in",
            );
            None
        }
    }
}

/// The index of the group called `name`, which must work across the
/// district; the error message otherwise.
pub(crate) fn courier_group(ctx: &Context<'_>, name: &str) -> Result<usize, String> {
    let names = ctx.group_names();
    let index = Reference {
        what: "group",
        defined_in: "`[[group]]`",
        hint: "",
        names: &names,
    }
    .find(name)?;
    match ctx.groups.across[index] {
        Some(false) => {
            let couriers: Vec<&str> = names
                .iter()
                .zip(&ctx.groups.across)
                .filter(|(_, across)| **across == Some(true))
                .map(|(name, _)| *name)
                .collect();
            let valid = if couriers.is_empty() {
                "none does".to_owned()
            } else {
                format!("expected {}", crate::walk::one_of(&couriers))
            };
            Err(format!(
                "group `{name}` does not work across the district (`works_across_district`); \
                 {valid}"
            ))
        }
        _ => Ok(index),
    }
}

/// Reads `transformer`: the name of a `[[transformer]]`, or a table of the
/// site's own.
fn read_transformer(
    item: &Item<'_, '_>,
    ctx: &Context<'_>,
    sink: &mut Sink<'_>,
) -> Option<TransformerRef> {
    if let DeValue::Table(_) = item.get() {
        let mut t = item.table(sink)?;
        let draft = transformer::read_keys(&mut t, sink);
        t.finish(sink);
        return draft.map(|draft| TransformerRef::Own(Box::new(draft)));
    }
    if !matches!(item.get(), DeValue::String(_)) {
        let found = item.get().type_str();
        item.error(
            sink,
            format_args!(
                "expected the name of a `[[transformer]]` or a table like `{{ rating_kva = 630 }}`, \
                 found {found}"
            ),
        );
        return None;
    }
    let transformers = Reference {
        what: "transformer",
        defined_in: "`[[transformer]]`",
        hint: "; give the site its own with `transformer = { rating_kva = 630 }`",
        names: ctx.transformers,
    };
    item.read(sink, &transformers).map(TransformerRef::Named)
}

/// Reads `site[i].demand`, a table tagged by `model`.
fn read_demand(mut t: Table<'_, '_>, sink: &mut Sink<'_>) -> Option<Demand> {
    let demand = match t.model(sink, DEMAND_MODELS) {
        Some("poisson") => t
            .required(sink, "swaps_per_hour", &SWAP_RATE)
            .map(|swaps_per_hour| Demand::Poisson { swaps_per_hour }),
        other => {
            debug_assert!(other.is_none(), "demand model {other:?} has no reader");
            None
        }
    };
    t.finish(sink);
    demand
}

/// Reads `site[i].patience`, a table tagged by `model`.
fn read_patience(mut t: Table<'_, '_>, sink: &mut Sink<'_>) -> Option<Patience> {
    let patience = match t.model(sink, PATIENCE_MODELS) {
        Some("none") => Some(Patience::None),
        Some("infinite") => Some(Patience::Infinite),
        Some("exponential") => t
            .required(sink, "mean_minutes", &bounds::PATIENCE_MEAN_MINUTES)
            .map(|mean_minutes| Patience::Exponential { mean_minutes }),
        other => {
            debug_assert!(other.is_none(), "patience model {other:?} has no reader");
            None
        }
    };
    t.finish(sink);
    patience
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{VALID, edit, edits, model, problems};

    /// A second site after the first, with its own name and key overrides.
    fn two_sites(name: &str) -> String {
        let site = &VALID[VALID.find("[[site]]").unwrap()..];
        format!(
            "{VALID}\n{}",
            site.replace("name = \"A\"", &format!("name = \"{name}\""))
        )
    }

    /// Issue 10: a cabinet opens an empty compartment to take the returned
    /// battery before it releases a full one, so a full cabinet cannot swap.
    #[test]
    fn batteries_leave_one_empty_compartment_per_cabinet() {
        assert_eq!(
            problems(&edit("batteries = 11", "batteries = 14")),
            [
                "t.toml:18:13: site[0].batteries: site 'A': batteries (14) leave no empty \
             compartment in 1 × 12 slots; leave one per cabinet for the returned battery: at \
             most 11 batteries, or add a cabinet"
            ]
        );
        assert_eq!(
            problems(&edit("batteries = 11", "batteries = 12")),
            [
                "t.toml:18:13: site[0].batteries: site 'A': batteries (12) leave no empty \
             compartment in 1 × 12 slots; leave one per cabinet for the returned battery: at \
             most 11 batteries, or add a cabinet"
            ]
        );
        assert_eq!(model(VALID).sites[0].batteries, 11);
        let two = |batteries: &str| {
            edits(&[
                ("cabinets = 1", "cabinets = 2"),
                ("batteries = 11", batteries),
            ])
        };
        let two_full = model(&two("batteries = 22"));
        assert_eq!(
            (two_full.sites[0].slots(), two_full.sites[0].batteries),
            (24, 22)
        );
        assert_eq!(
            problems(&two("batteries = 23")),
            [
                "t.toml:18:13: site[0].batteries: site 'A': batteries (23) leave no empty \
             compartment in 2 × 12 slots; leave one per cabinet for the returned battery: at \
             most 22 batteries, or add a cabinet"
            ]
        );
        assert_eq!(
            problems(&edits(&[
                ("slots_per_cabinet = 12", "slots_per_cabinet = 1"),
                ("batteries = 11", "batteries = 1"),
            ])),
            [
                "t.toml:18:13: site[0].batteries: site 'A': batteries (1) leave no empty \
             compartment in 1 × 1 slots; leave one per cabinet for the returned battery: use \
             cabinets of at least 2 slots"
            ]
        );
    }

    #[test]
    fn counts_are_positive() {
        assert_eq!(
            problems(&edit("slots_per_cabinet = 12", "slots_per_cabinet = 0")),
            [
                "t.toml:17:21: site[0].slots_per_cabinet: site 'A': expected an integer from 1 to 64, found 0"
            ]
        );
        assert_eq!(
            problems(&edit("cabinets = 1", "cabinets = 0")),
            [
                "t.toml:16:12: site[0].cabinets: site 'A': expected an integer from 1 to 1000, found 0"
            ]
        );
        assert_eq!(
            problems(&edit("batteries = 11", "batteries = 0")),
            ["t.toml:18:13: site[0].batteries: site 'A': expected a positive integer, found 0"]
        );
        assert_eq!(
            problems(&edits(&[
                ("cabinets = 1", "cabinets = 65536"),
                ("slots_per_cabinet = 12", "slots_per_cabinet = 65536"),
            ])),
            [
                "t.toml:16:12: site[0].cabinets: site 'A': expected an integer from 1 to 1000, \
                 found 65536 (the largest swap stations hold tens of cabinets)",
                "t.toml:17:21: site[0].slots_per_cabinet: site 'A': expected an integer from 1 \
                 to 64, found 65536 (the largest cabinets built have 12-24 compartments)"
            ]
        );
    }

    #[test]
    fn demand_and_patience_models_read() {
        assert_eq!(
            problems(&edit("swaps_per_hour = 2.0", "swaps_per_hour = -2.0")),
            [
                "t.toml:19:48: site[0].demand.swaps_per_hour: site 'A': expected a number in \
                 (0, 3600], found -2.0"
            ]
        );
        assert_eq!(
            problems(&edit("model = \"poisson\"", "model = \"poison\"")),
            [
                "t.toml:19:20: site[0].demand.model: site 'A': expected `poisson`, found \
              `poison`; did you mean `poisson`?"
            ]
        );
        let none = r#"patience = { model = "none" }"#;
        let read = |patience: &str| model(&edit(none, patience)).sites[0].patience;
        assert_eq!(
            read(r#"patience = { model = "infinite" }"#),
            Patience::Infinite
        );
        assert_eq!(
            read(r#"patience = { model = "exponential", mean_minutes = 10 }"#),
            Patience::Exponential { mean_minutes: 10.0 }
        );
        assert_eq!(
            problems(&edit(none, r#"patience = { model = "exponential" }"#)),
            [
                "t.toml:20:12: site[0].patience.mean_minutes: site 'A': missing required key \
              `mean_minutes`, expected a number in (0, 1440]"
            ]
        );
    }

    #[test]
    fn the_charging_cap_is_optional_and_positive() {
        let capped = "max_concurrent_charging = 6\n# patience";
        let source = edit("# patience = { model = \"infinite\" }", capped);
        assert_eq!(model(&source).sites[0].max_concurrent_charging, Some(6));
        let source = edit(
            "# patience = { model = \"infinite\" }",
            "max_concurrent_charging = 0",
        );
        assert_eq!(
            problems(&source),
            [
                "t.toml:21:27: site[0].max_concurrent_charging: site 'A': expected an integer \
              from 1 to 64000, found 0"
            ]
        );
    }

    #[test]
    fn names_are_unique_and_any_utf8() {
        let m = model(&two_sites("美吉鑫小区"));
        assert_eq!(m.sites[1].name, "美吉鑫小区");
        assert_eq!(
            problems(&two_sites("A")),
            ["t.toml:26:8: site[1].name: site 'A': duplicate name, already used by site[0]"]
        );
        let mut source = two_sites("美吉鑫小区");
        let second = source.rfind("batteries = 11").unwrap();
        source.replace_range(second..second + 14, "batteries = 13");
        assert_eq!(
            problems(&source),
            [
                "t.toml:29:13: site[1].batteries: site '美吉鑫小区': batteries (13) leave no empty \
             compartment in 1 × 12 slots; leave one per cabinet for the returned battery: at \
             most 11 batteries, or add a cabinet"
            ]
        );
        // The same mistake in both sites is one problem with a count.
        let both = two_sites("美吉鑫小区").replace("batteries = 11", "batteries = 13");
        assert_eq!(
            problems(&both),
            [
                "t.toml:18:13: site[0].batteries: site 'A': batteries (13) leave no empty \
             compartment in 1 × 12 slots; leave one per cabinet for the returned battery: at \
             most 11 batteries, or add a cabinet (and 1 more like it)"
            ]
        );
    }

    #[test]
    fn sites_form_a_non_empty_array_of_tables() {
        let site = &VALID[VALID.find("[[site]]").unwrap()..];
        let no_sites = VALID.replace(site, "");
        assert_eq!(
            problems(&no_sites),
            ["t.toml:1:1: site: missing required table `[[site]]`, expected at least one"]
        );
        assert_eq!(
            problems(&format!("site = []\n{no_sites}")),
            ["t.toml:1:8: site: expected at least one `[[site]]` table, found none"]
        );
        assert_eq!(
            problems(&VALID.replace("[[site]]", "[site]")),
            ["t.toml:14:1: site: expected an array of tables `[[site]]`, found table"]
        );
        // A bad element does not hide the problems of the good ones.
        let found = problems(&format!("site = [1, {{ name = \"B\" }}]\n{no_sites}"));
        assert_eq!(
            found[0],
            "t.toml:1:9: site[0]: expected a table, found integer"
        );
        assert!(
            found[1].starts_with("t.toml:1:12: site[1].cabinets: site 'B': missing"),
            "{found:?}"
        );
    }

    #[test]
    fn rider_keys_follow_the_groups() {
        use crate::testing::riders_with;
        let all_couriers = r#"
[[group]]
name = "courier"
daily_km = 120
wh_per_km = 14
trips_per_day = 20
profile = "courier"
swap_threshold_soc = 0.2
works_across_district = true
"#;
        // No group can be the default mix of subscribers...
        let found = problems(&riders_with(all_couriers));
        assert_eq!(
            found,
            [
                "t.toml:8:1: site[0].mix: site 'A': missing required key `mix`, expected group \
                 shares like `{ commuter = 1.0 }`: every group works across the district, so \
                 none is the default"
            ]
        );
        // ...but a site without subscribers needs none.
        let m =
            model(&riders_with(all_couriers).replace("swap_adoption = 0.3", "swap_adoption = 0"));
        assert_eq!(m.sites[0].mix, []);
        // An integer counts couriers of the first group that works across.
        let m = model(&riders_with(all_couriers).replace(
            "swap_adoption = 0.3",
            "swap_adoption = 0.3\nmix = { courier = 1 }\ncouriers = 12",
        ));
        assert_eq!(m.sites[0].couriers, [(0, 12)]);
        let only_commuters = riders_with(&all_couriers.replace(
            "works_across_district = true",
            "works_across_district = false",
        ))
        .replace("swap_adoption = 0.3", "swap_adoption = 0.3\ncouriers = 12");
        assert_eq!(
            problems(&only_commuters),
            [
                "t.toml:16:12: site[0].couriers: site 'A': no group works across the district \
                 (`works_across_district = true`) to count these couriers in"
            ]
        );
    }

    #[test]
    fn analytic_sites_have_no_riders() {
        let source = edit(
            "# max_concurrent_charging = 6",
            "couriers = 3\nebikes = 10\nswap_adoption = 0.5",
        );
        assert_eq!(
            problems(&source),
            [
                "t.toml:23:12: site[0].couriers: site 'A': `couriers` is only valid for a site \
                 without `demand`, whose swap requests come from its riders"
            ]
        );
        let m = model(&edit(
            "# max_concurrent_charging = 6",
            "ebikes = 10\nswap_adoption = 0.5\npile_ports = 2",
        ));
        assert_eq!((m.sites[0].ebikes, m.sites[0].pile_ports), (10, 2));
        assert_eq!(m.sites[0].mix, []);
    }
}
