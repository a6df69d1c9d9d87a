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

/// KPIs that are shares of something \[0–1\].
const SHARES: &[&str] = &[
    "stockout_probability",
    "lost_swap_rate",
    "balk_rate",
    "prob_wait",
    "cabinet_utilization",
    "door_utilization",
];

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
        keys(value, PROFILES_KEYS, &["network", "sites"], &bad)?;
        profiles(value, &bad)?;
    }
    if name == crate::input::CONTEXT_FILE {
        keys(value, CONTEXT_KEYS, &[], &bad)?;
    }
    Ok(())
}

/// The fields of `profiles.json` (`sim_core::Profiles`).
const PROFILES_KEYS: &[&str] = &["network", "sites", "transformer_load", "network_load"];

/// The fields of `context.json` (`Context`).
const CONTEXT_KEYS: &[&str] = &["file", "targets", "transformers", "assumptions", "sites"];

/// `value` is an object of the fields `known` only, with every one of
/// `required`: `{"foo": 1}` or `[]` as `profiles.json` once read as a
/// file of no profiles, and the report left its charts out silently.
fn keys(
    value: &Value,
    known: &[&str],
    required: &[&str],
    bad: &dyn Fn(String, String) -> ReportError,
) -> Result<(), ReportError> {
    let expected = || format!("expected an object of {}", known.join(", "));
    let Value::Object(map) = value else {
        return Err(bad("(the whole file)".to_owned(), expected()));
    };
    if let Some(key) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(bad(key.clone(), format!("unknown field: {}", expected())));
    }
    if let Some(key) = required.iter().find(|k| !map.contains_key(**k)) {
        return Err(bad((*key).to_owned(), format!("missing: {}", expected())));
    }
    Ok(())
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

/// Hour profiles of 24 values (or none), load bands of 96 quarters.
fn profiles(value: &Value, bad: &dyn Fn(String, String) -> ReportError) -> Result<(), ReportError> {
    let length = |v: &Value, field: String, want: usize| -> Result<(), ReportError> {
        match v {
            Value::Array(a) if a.is_empty() || a.len() == want => Ok(()),
            Value::Array(a) => Err(bad(field, format!("{} values, expected {want}", a.len()))),
            _ => Err(bad(field, format!("expected a list of {want} numbers"))),
        }
    };
    let mut profiles: Vec<(String, &Value)> = Vec::new();
    if let Some(n) = value.get("network") {
        profiles.push(("network".into(), n));
    }
    if let Some(Value::Array(sites)) = value.get("sites") {
        profiles.extend(
            sites
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("sites[{i}]"), s)),
        );
    }
    for (at, p) in profiles {
        for key in [
            "requests_by_hour",
            "stockouts_by_hour",
            "pile_sessions_by_hour",
            "flying_wire_sessions_by_hour",
        ] {
            if let Some(v) = p.get(key) {
                length(v, format!("{at}.{key}"), 24)?;
            }
        }
    }
    let mut bands: Vec<(String, &Value)> = Vec::new();
    if let Some(Value::Array(t)) = value.get("transformer_load") {
        bands.extend(
            t.iter()
                .enumerate()
                .map(|(i, b)| (format!("transformer_load[{i}]"), b)),
        );
    }
    if let Some(b) = value.get("network_load").filter(|b| !b.is_null()) {
        bands.push(("network_load".into(), b));
    }
    for (at, band) in bands {
        for key in ["total_kw_p05", "total_kw_p95"] {
            if let Some(v) = band.get(key) {
                length(v, format!("{at}.{key}"), 96)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields of an object as serde writes it.
    fn fields_of(value: &impl serde::Serialize) -> Vec<String> {
        match serde_json::to_value(value).expect("serialises") {
            Value::Object(map) => map.keys().cloned().collect(),
            other => panic!("not an object: {other}"),
        }
    }

    /// The key lists are the fields swapsim writes: a field added to
    /// `Profiles` or `Context` and not here would refuse swapsim's own
    /// files.
    #[test]
    fn the_known_fields_are_those_written() {
        let mut profiles = fields_of(&sim_core::Profiles::default());
        profiles.sort();
        let mut known: Vec<String> = PROFILES_KEYS.iter().map(|k| (*k).to_owned()).collect();
        known.sort();
        assert_eq!(profiles, known);
        let context = crate::assumptions::Context {
            file: Some("s.toml".into()),
            sites: vec![Default::default()],
            ..Default::default()
        };
        let mut fields = fields_of(&context);
        fields.sort();
        let mut known: Vec<String> = CONTEXT_KEYS.iter().map(|k| (*k).to_owned()).collect();
        known.sort();
        assert_eq!(fields, known);
    }
}
