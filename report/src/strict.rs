//! What a result read back may hold: numbers within any physical range,
//! KPIs within their own, and profiles of the right shape. A hand-edited
//! `summary.json` with −1e308, or a `profiles.json` whose hours are not
//! 24, is an error naming the file and the field, not a chart drawn from
//! it or a chart silently left out.

use std::path::Path;

use serde_json::Value;

use crate::input::ReportError;

/// Largest magnitude of any number in a result: no count, energy, cost
/// or time swapsim writes comes near 10¹⁵ (a district's yearly energy
/// cost is about 10⁸ CNY).
const MAX_MAGNITUDE: f64 = 1e15;

// KPIs that are shares of something [0–1]: sim-core's list.
use sim_core::SHARES;

/// Checks the JSON result `value`, read from `path` (its file name says
/// which rules apply).
pub(crate) fn check(value: &Value, path: &Path) -> Result<(), ReportError> {
    let bad = |field: String, message: String| ReportError::Value {
        path: path.to_owned(),
        field,
        message,
    };
    walk(value, &mut String::new(), &bad)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    // A run's summary: by its name in a result directory, or by its
    // fields as a single file (a comparison's paired differences may be
    // negative, so not those).
    let summary = name == crate::input::SUMMARY_FILE
        || (value.get("network").is_some_and(Value::is_object)
            && ["scenarios", "feasible", "candidates"]
                .iter()
                .all(|k| value.get(k).is_none()));
    if summary {
        if let Some(network) = value.get("network") {
            kpis(network, "network", &bad)?;
        }
        if let Some(Value::Array(sites)) = value.get("sites") {
            for (i, site) in sites.iter().enumerate() {
                if let Some(k) = site.get("kpis") {
                    kpis(k, &format!("sites[{i}].kpis"), &bad)?;
                }
            }
        }
    }
    if name == crate::input::PROFILES_FILE {
        shape(value, &PROFILES, &mut String::new(), &bad)?;
    }
    if name == crate::input::CONTEXT_FILE {
        shape(value, &CONTEXT, &mut String::new(), &bad)?;
    }
    Ok(())
}

/// What a value of a result file must be. Numbers are finite and within
/// [`MAX_MAGNITUDE`] wherever they are ([`walk`]); these are the shapes
/// of the files whose fields serde would otherwise take as defaults
/// (`{"network": {"a": 1}}` read as a network of no hours, and the report
/// left its hourly charts out without a word).
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// A string.
    Text,
    /// `true` or `false`.
    Bool,
    /// Any number.
    Number,
    /// A number, 0 or more.
    NonNegative,
    /// A whole number, 0 or more.
    Count,
    /// A number within 0–1.
    Share,
    /// `null`, or the shape.
    OrNull(&'static Shape),
    /// A list of items of the shape: exactly `Some(n)` of them, or any
    /// number.
    List(&'static Shape, Option<usize>),
    /// A list of one value of each shape, in order (`[quantile, minutes]`).
    Tuple(&'static [Shape]),
    /// An object of these fields only.
    Object(&'static [Field]),
    /// Text, or an object whose `kind` is text: an assumption's value or
    /// source, whose variants serde reads (and names the one it lacks).
    TextOrKind,
}

/// A field of a [`Shape::Object`].
#[derive(Clone, Copy, Debug)]
struct Field {
    name: &'static str,
    /// Whether swapsim always writes it (a missing one is an error).
    required: bool,
    shape: Shape,
}

/// A field swapsim always writes.
const fn required(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        required: true,
        shape,
    }
}

/// A field swapsim leaves out when empty, or did not write in files of
/// earlier versions.
const fn optional(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        required: false,
        shape,
    }
}

/// Hours of a day, from 00:00.
const HOURS: usize = 24;
/// Quarters of an hour in a day.
const QUARTERS: usize = 96;

/// `profiles.json`: `sim_core::Profiles`. The load bands are left out by
/// files written before they were added (and mean no transformers).
const PROFILES: Shape = Shape::Object(PROFILES_FIELDS);
const PROFILES_FIELDS: &[Field] = &[
    required("network", PROFILE),
    required("sites", Shape::List(&PROFILE, None)),
    optional("transformer_load", Shape::List(&LOAD_BAND, None)),
    optional("network_load", Shape::OrNull(&LOAD_BAND)),
];

/// One `sim_core::Profile`: every hourly list has 24 values per day (the
/// engine writes all of them, zeros where it keeps no count), and the wait
/// quantiles are `[quantile, minutes]` pairs (none when no request was
/// served).
const PROFILE: Shape = Shape::Object(&[
    required("name", Shape::Text),
    required(
        "requests_by_hour",
        Shape::List(&Shape::NonNegative, Some(HOURS)),
    ),
    required(
        "stockouts_by_hour",
        Shape::List(&Shape::NonNegative, Some(HOURS)),
    ),
    required(
        "pile_sessions_by_hour",
        Shape::List(&Shape::NonNegative, Some(HOURS)),
    ),
    required(
        "flying_wire_sessions_by_hour",
        Shape::List(&Shape::NonNegative, Some(HOURS)),
    ),
    required(
        "wait_quantiles_minutes",
        Shape::List(&Shape::Tuple(&[Shape::Share, Shape::NonNegative]), None),
    ),
]);

/// One `sim_core::LoadBand`: 96 quarters of the day.
const LOAD_BAND: Shape = Shape::Object(&[
    required("name", Shape::Text),
    required("samples", Shape::Count),
    required(
        "total_kw_p05",
        Shape::List(&Shape::NonNegative, Some(QUARTERS)),
    ),
    required(
        "total_kw_p95",
        Shape::List(&Shape::NonNegative, Some(QUARTERS)),
    ),
]);

/// `context.json`: [`Context`](crate::assumptions::Context). `file` and
/// `sites` are left out when unknown or empty.
const CONTEXT: Shape = Shape::Object(CONTEXT_FIELDS);
const CONTEXT_FIELDS: &[Field] = &[
    optional("file", Shape::OrNull(&Shape::Text)),
    required("targets", TARGETS),
    required("transformers", Shape::List(&TRANSFORMER, None)),
    required("assumptions", Shape::List(&ASSUMPTION, None)),
    optional("sites", Shape::List(&SITE_INFO, None)),
];

/// `sim_core::Targets`: a target missing (or `null`) is not set.
const TARGETS: Shape = Shape::Object(&[
    optional("max_lost_swap_rate", Shape::OrNull(&Shape::Share)),
    optional("max_stockout_probability", Shape::OrNull(&Shape::Share)),
    optional("max_wait_minutes_p95", Shape::OrNull(&Shape::NonNegative)),
    optional(
        "max_flying_wire_per_1000_bikes_day",
        Shape::OrNull(&Shape::NonNegative),
    ),
    optional("max_transformer_utilization", Shape::OrNull(&Shape::Share)),
]);

/// [`Transformer`](crate::assumptions::Transformer).
const TRANSFORMER: Shape = Shape::Object(&[
    required("name", Shape::Text),
    required("rating_kva", Shape::NonNegative),
    required("allowed_utilization", Shape::Share),
    required("power_factor", Shape::Share),
    optional("household_base", Shape::Bool),
]);

/// [`Assumption`](crate::assumptions::Assumption): its value and source
/// are text in files written before they were data.
const ASSUMPTION: Shape = Shape::Object(&[
    required("key", Shape::Text),
    optional("subject", Shape::OrNull(&Shape::Text)),
    required("value", Shape::TextOrKind),
    optional("source", Shape::OrNull(&Shape::TextOrKind)),
]);

/// [`SiteInfo`](crate::assumptions::SiteInfo).
const SITE_INFO: Shape = Shape::Object(&[
    required("name", Shape::Text),
    optional("town", Shape::Text),
    required("ebikes", Shape::Count),
    required("subscribers", Shape::Count),
    required("cabinets", Shape::Count),
    required("slots_per_cabinet", Shape::Count),
    required("batteries", Shape::Count),
    required("pile_ports", Shape::Count),
    optional("charger_power_w", Shape::OrNull(&Shape::NonNegative)),
    required("x_m", Shape::Number),
    required("y_m", Shape::Number),
    optional("transformer", Shape::OrNull(&Shape::Text)),
]);

/// `value`, at field path `at` (empty for the whole file), has the shape
/// `want`: each object only its fields, with every required one; each
/// list of its length; each number in its range.
fn shape(
    value: &Value,
    want: &Shape,
    at: &mut String,
    bad: &dyn Fn(String, String) -> ReportError,
) -> Result<(), ReportError> {
    let here = |at: &str| {
        if at.is_empty() {
            "(the whole file)".to_owned()
        } else {
            at.to_owned()
        }
    };
    let number = |what: &str| -> Result<f64, ReportError> {
        value
            .as_f64()
            .ok_or_else(|| bad(here(at), format!("expected {what}, {}", found(value))))
    };
    match want {
        Shape::Text if value.is_string() => {}
        Shape::Text => return Err(bad(here(at), format!("expected text, {}", found(value)))),
        Shape::Bool if value.is_boolean() => {}
        Shape::Bool => {
            return Err(bad(
                here(at),
                format!("expected true or false, {}", found(value)),
            ));
        }
        Shape::Number => {
            number("a number")?;
        }
        Shape::NonNegative => {
            let x = number("a number, 0 or more")?;
            if x < 0.0 {
                return Err(bad(
                    here(at),
                    format!("{x} is negative, expected 0 or more"),
                ));
            }
        }
        Shape::Count => {
            if !value.is_u64() {
                return Err(bad(
                    here(at),
                    format!("expected a whole number, 0 or more, {}", found(value)),
                ));
            }
        }
        Shape::Share => {
            let x = number("a share, 0–1")?;
            if !(0.0..=1.0).contains(&x) {
                return Err(bad(
                    here(at),
                    format!("{x} is outside 0–1, expected a share"),
                ));
            }
        }
        Shape::OrNull(_) if value.is_null() => {}
        Shape::OrNull(inner) => shape(value, inner, at, bad)?,
        Shape::List(item, len) => {
            let Value::Array(items) = value else {
                let count = len.map_or(String::new(), |n| format!("{n} "));
                return Err(bad(
                    here(at),
                    format!("expected a list of {count}values, {}", found(value)),
                ));
            };
            if let Some(n) = *len
                && items.len() != n
            {
                return Err(bad(
                    here(at),
                    format!("{} values, expected {n}", items.len()),
                ));
            }
            for (i, v) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("[{i}]"));
                shape(v, item, at, bad)?;
                at.truncate(len);
            }
        }
        Shape::Tuple(items) => {
            let n = items.len();
            match value {
                Value::Array(values) if values.len() == n => {
                    for (i, (v, item)) in values.iter().zip(items.iter()).enumerate() {
                        let len = at.len();
                        at.push_str(&format!("[{i}]"));
                        shape(v, item, at, bad)?;
                        at.truncate(len);
                    }
                }
                Value::Array(values) => {
                    return Err(bad(
                        here(at),
                        format!("{} values, expected {n}", values.len()),
                    ));
                }
                _ => {
                    return Err(bad(
                        here(at),
                        format!("expected a list of {n} values, {}", found(value)),
                    ));
                }
            }
        }
        Shape::Object(fields) => {
            let expected = || {
                let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                format!("expected an object of {}", names.join(", "))
            };
            let Value::Object(map) = value else {
                return Err(bad(here(at), format!("{}, {}", expected(), found(value))));
            };
            let path = |at: &str, key: &str| {
                if at.is_empty() {
                    key.to_owned()
                } else {
                    format!("{at}.{key}")
                }
            };
            if let Some(key) = map.keys().find(|k| !fields.iter().any(|f| f.name == *k)) {
                return Err(bad(path(at, key), format!("unknown field: {}", expected())));
            }
            for field in *fields {
                match map.get(field.name) {
                    None if field.required => {
                        return Err(bad(
                            path(at, field.name),
                            format!("missing: {}", expected()),
                        ));
                    }
                    None => {}
                    Some(v) => {
                        let len = at.len();
                        *at = path(at, field.name);
                        shape(v, &field.shape, at, bad)?;
                        at.truncate(len);
                    }
                }
            }
        }
        Shape::TextOrKind => {
            let tagged = value.get("kind").is_some_and(Value::is_string);
            if !value.is_string() && !tagged {
                return Err(bad(
                    here(at),
                    format!(
                        "expected text or an object with a \"kind\", {}",
                        found(value)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// What a JSON value is, for a message: `found 5`, `found an object`.
fn found(value: &Value) -> String {
    match value {
        Value::Null => "found null".to_owned(),
        Value::Bool(b) => format!("found {b}"),
        Value::Number(n) => format!("found {n}"),
        Value::String(s) if s.chars().count() <= 20 => format!("found \"{s}\""),
        Value::String(_) => "found text".to_owned(),
        Value::Array(a) => format!("found a list of {}", a.len()),
        Value::Object(_) => "found an object".to_owned(),
    }
}

/// Every number finite and within [`MAX_MAGNITUDE`].
fn walk(
    value: &Value,
    at: &mut String,
    bad: &dyn Fn(String, String) -> ReportError,
) -> Result<(), ReportError> {
    match value {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if !x.is_finite() || x.abs() > MAX_MAGNITUDE {
                return Err(bad(
                    at.clone(),
                    format!("{n} is outside any physical range (at most 1e15 in size)"),
                ));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("[{i}]"));
                walk(item, at, bad)?;
                at.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = at.len();
                if !at.is_empty() {
                    at.push('.');
                }
                at.push_str(key);
                walk(item, at, bad)?;
                at.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// A KPI's mean is not negative, and a share's is at most 1.
fn kpis(
    kpis: &Value,
    at: &str,
    bad: &dyn Fn(String, String) -> ReportError,
) -> Result<(), ReportError> {
    let Value::Object(map) = kpis else {
        return Ok(());
    };
    for (name, estimate) in map {
        let Some(mean) = estimate.get("mean").and_then(Value::as_f64) else {
            continue;
        };
        let field = format!("{at}.{name}.mean");
        if mean < 0.0 {
            return Err(bad(
                field,
                format!("{mean} is negative, expected 0 or more"),
            ));
        }
        if SHARES.contains(&name.as_str()) && mean > 1.0 {
            return Err(bad(
                field,
                format!("{mean} is a share above 1, expected 0–1"),
            ));
        }
        let end = |key: &str| estimate.get(key).and_then(Value::as_f64);
        if let (Some(low), Some(high)) = (end("ci95_low"), end("ci95_high"))
            && !(low <= mean && mean <= high)
        {
            return Err(bad(
                format!("{at}.{name}"),
                format!(
                    "the interval [{low}, {high}] does not hold its mean {mean}: \
                     expected ci95_low ≤ mean ≤ ci95_high"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use sim_core::{LoadBand, Profile, Profiles, Targets};

    use super::*;
    use crate::assumptions::{Assumption, Context, SiteInfo, Source, Transformer};

    /// Every object of `value` has exactly the fields of its shape: a
    /// field added to a type swapsim writes and not to its shape here
    /// would refuse swapsim's own files.
    fn same_fields(value: &Value, want: &Shape, at: &str) {
        match (value, want) {
            (_, Shape::OrNull(inner)) if !value.is_null() => same_fields(value, inner, at),
            (Value::Array(items), Shape::List(item, _)) => {
                for (i, v) in items.iter().enumerate() {
                    same_fields(v, item, &format!("{at}[{i}]"));
                }
            }
            (Value::Object(map), Shape::Object(fields)) => {
                let mut written: Vec<&str> = map.keys().map(String::as_str).collect();
                let mut known: Vec<&str> = fields.iter().map(|f| f.name).collect();
                written.sort_unstable();
                known.sort_unstable();
                assert_eq!(written, known, "the fields of {at}");
                for f in *fields {
                    same_fields(&map[f.name], &f.shape, &format!("{at}.{}", f.name));
                }
            }
            _ => {}
        }
    }

    fn profile(name: &str) -> Profile {
        let hours: Vec<f64> = (0..24).map(f64::from).collect();
        Profile {
            name: name.into(),
            requests_by_hour: hours.clone(),
            stockouts_by_hour: hours.clone(),
            pile_sessions_by_hour: hours.clone(),
            flying_wire_sessions_by_hour: hours,
            wait_quantiles_minutes: vec![(0.5, 0.0), (0.95, 3.5), (1.0, 12.0)],
        }
    }

    fn band(name: &str) -> LoadBand {
        LoadBand {
            name: name.into(),
            samples: 20,
            total_kw_p05: vec![100.0; 96],
            total_kw_p95: vec![180.5; 96],
        }
    }

    /// Everything a `profiles.json` can hold.
    fn profiles() -> Value {
        serde_json::to_value(Profiles {
            network: profile("network"),
            sites: vec![profile("A"), profile("B")],
            transformer_load: vec![band("T1")],
            network_load: Some(band("network")),
        })
        .expect("serialises")
    }

    /// Everything a `context.json` can hold.
    fn context() -> Value {
        let context = Context {
            file: Some("s.toml".into()),
            targets: Targets {
                max_lost_swap_rate: Some(0.02),
                max_stockout_probability: Some(0.05),
                max_wait_minutes_p95: Some(10.0),
                max_flying_wire_per_1000_bikes_day: Some(100.0),
                max_transformer_utilization: Some(0.8),
            },
            transformers: vec![Transformer {
                name: "T1".into(),
                rating_kva: 800.0,
                allowed_utilization: 0.8,
                power_factor: 0.9,
                household_base: true,
            }],
            assumptions: vec![Assumption {
                key: "daily_km".into(),
                subject: Some("commuter".into()),
                value: crate::assumptions::Value::Days { days: 3.0 },
                source: Source::Comment { text: "[E]".into() },
            }],
            sites: vec![SiteInfo {
                name: "A".into(),
                town: "碧城街道".into(),
                ebikes: 1000,
                subscribers: 340,
                cabinets: 6,
                slots_per_cabinet: 12,
                batteries: 66,
                pile_ports: 10,
                charger_power_w: Some(400.0),
                x_m: -5.0,
                y_m: 20.0,
                transformer: Some("T1".into()),
            }],
        };
        serde_json::from_str(&context.to_json()).expect("JSON")
    }

    /// Checks `value` as the file `name`: the message if refused.
    fn refused(value: &Value, name: &str) -> Option<String> {
        check(value, &PathBuf::from("out").join(name))
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn the_shapes_are_the_fields_written() {
        let (profiles, context) = (profiles(), context());
        same_fields(&profiles, &PROFILES, "profiles");
        same_fields(&context, &CONTEXT, "context");
        assert_eq!(refused(&profiles, "profiles.json"), None);
        assert_eq!(refused(&context, "context.json"), None);
        // Without transformers: no bands, a `null` network band.
        let bare = serde_json::to_value(Profiles {
            network: profile("network"),
            ..Profiles::default()
        })
        .expect("JSON");
        assert_eq!(refused(&bare, "profiles.json"), None);
        // The context of a model, as `run --out` writes it.
        let model = Context::from_model(&sim_core::Model::default());
        let model = serde_json::from_str(&model.to_json()).expect("JSON");
        assert_eq!(refused(&model, "context.json"), None);
    }

    #[test]
    fn a_profile_of_another_shape_names_its_field() {
        let cases: [(&str, Value, &str); 8] = [
            (
                "/network",
                serde_json::json!({"a": 1}),
                "network.a: unknown field: expected an object of name, requests_by_hour, ",
            ),
            (
                "/network/requests_by_hour",
                serde_json::json!([]),
                "network.requests_by_hour: 0 values, expected 24",
            ),
            (
                "/sites/1/stockouts_by_hour",
                Value::Null,
                "sites[1].stockouts_by_hour: expected a list of 24 values, found null",
            ),
            (
                "/network/pile_sessions_by_hour/3",
                serde_json::json!(-1.0),
                "network.pile_sessions_by_hour[3]: -1 is negative, expected 0 or more",
            ),
            (
                "/network/wait_quantiles_minutes/1",
                serde_json::json!([0.95]),
                "network.wait_quantiles_minutes[1]: 1 values, expected 2",
            ),
            (
                "/network/wait_quantiles_minutes/1/0",
                serde_json::json!(95),
                "network.wait_quantiles_minutes[1][0]: 95 is outside 0–1",
            ),
            (
                "/transformer_load/0/total_kw_p95",
                serde_json::json!(vec![1.0; 24]),
                "transformer_load[0].total_kw_p95: 24 values, expected 96",
            ),
            (
                "/network_load/samples",
                serde_json::json!(2.5),
                "network_load.samples: expected a whole number, 0 or more, found 2.5",
            ),
        ];
        for (pointer, replacement, says) in cases {
            let mut value = profiles();
            *value.pointer_mut(pointer).expect(pointer) = replacement;
            let message = refused(&value, "profiles.json").unwrap_or_default();
            assert!(
                message.contains(&format!("profiles.json': {says}")),
                "{pointer}: {message}"
            );
        }
        let mut value = profiles();
        value["sites"][0]
            .as_object_mut()
            .expect("a site")
            .remove("flying_wire_sessions_by_hour");
        let message = refused(&value, "profiles.json").unwrap_or_default();
        assert!(
            message.contains("sites[0].flying_wire_sessions_by_hour: missing: expected an object"),
            "{message}"
        );
    }

    #[test]
    fn a_context_of_another_shape_names_its_field() {
        let cases: [(&str, Value, &str); 6] = [
            (
                "/sites/0",
                serde_json::json!({"a": 1}),
                "sites[0].a: unknown field: expected an object of name, town, ebikes",
            ),
            (
                "/targets/max_lost_swap_rate",
                serde_json::json!(2),
                "targets.max_lost_swap_rate: 2 is outside 0–1",
            ),
            (
                "/targets",
                serde_json::json!({"max_lost": 0.02}),
                "targets.max_lost: unknown field",
            ),
            (
                "/transformers/0/power_factor",
                serde_json::json!("0.9"),
                "transformers[0].power_factor: expected a share, 0–1, found \"0.9\"",
            ),
            (
                "/assumptions/0/value",
                serde_json::json!(3),
                "assumptions[0].value: expected text or an object with a \"kind\", found 3",
            ),
            (
                "/sites/0/ebikes",
                serde_json::json!(-3),
                "sites[0].ebikes: expected a whole number, 0 or more, found -3",
            ),
        ];
        for (pointer, replacement, says) in cases {
            let mut value = context();
            *value.pointer_mut(pointer).expect(pointer) = replacement;
            let message = refused(&value, "context.json").unwrap_or_default();
            assert!(
                message.contains(&format!("context.json': {says}")),
                "{pointer}: {message}"
            );
        }
        let mut value = context();
        value
            .as_object_mut()
            .expect("context")
            .remove("assumptions");
        let message = refused(&value, "context.json").unwrap_or_default();
        assert!(
            message.contains("context.json': assumptions: missing: expected an object of file"),
            "{message}"
        );
        // Files of earlier versions: text values and sources, no sites.
        let old = serde_json::json!({
            "targets": {},
            "transformers": [],
            "assumptions": [{"key": "sites", "value": "3", "source": null}],
        });
        assert_eq!(refused(&old, "context.json"), None);
    }
}
