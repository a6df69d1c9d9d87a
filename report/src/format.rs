//! Numbers as the report shows them, and HTML escaping.

use sim_core::Estimate;

/// `mean` with two significant digits of the interval's half-width, and
/// the interval `[low, high]` with the same decimals; a point interval
/// (one replication, or a KPI that never varies) shows four significant
/// digits of the mean and no interval.
pub(crate) fn estimate(e: Estimate, scale: f64) -> (String, Option<String>) {
    let (mean, low, high) = (e.mean * scale, e.ci95_low * scale, e.ci95_high * scale);
    if !(mean.is_finite() && low.is_finite() && high.is_finite()) {
        return (format!("{mean}"), Some(format!("[{low}, {high}]")));
    }
    let half_width = (high - low) / 2.0;
    // Rounding noise of a KPI that never varies is no interval.
    if half_width > 1e-9 * mean.abs() {
        let d = decimals(half_width, 2);
        (
            format!("{mean:.d$}"),
            Some(format!("[{low:.d$}, {high:.d$}]")),
        )
    } else {
        (value(mean), None)
    }
}

/// `x` with four significant digits, at most six decimals.
pub(crate) fn value(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let d = decimals(x.abs(), 4);
    let text = format!("{x:.d$}");
    if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_owned()
    } else {
        text
    }
}

/// `x` with at most `max` decimals and no trailing zeros: `1.67`, `630`.
pub(crate) fn trim(x: f64, max: usize) -> String {
    let text = format!("{x:.max$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    if text == "-0" { "0" } else { text }.to_owned()
}

/// A limit or value with the KPI's scale and unit: `2%`, `10 min`.
pub(crate) fn with_unit(x: f64, scale: f64, unit: &str) -> String {
    let shown = trim(x * scale, 4);
    match unit {
        "" => shown,
        "%" => format!("{shown}%"),
        u => format!("{shown} {u}"),
    }
}

/// A value with four significant digits, × `scale`, and its unit: `2.31%`,
/// `12.4 min`.
pub(crate) fn shown(x: f64, scale: f64, unit: &str) -> String {
    let v = value(x * scale);
    match unit {
        "" => v,
        "%" => format!("{v}%"),
        u => format!("{v} {u}"),
    }
}

/// Decimals that show `significant` significant digits of `x` (≥ 0), at
/// most 6.
fn decimals(x: f64, significant: i32) -> usize {
    if x == 0.0 {
        return 0;
    }
    let magnitude = x.log10().floor() as i32;
    // Clamped to 0..=6, so the cast cannot wrap.
    (significant - 1 - magnitude).clamp(0, 6) as usize
}

/// A label ending in a unit, `Energy [kWh/d]`, as HTML whose unit never
/// breaks across lines: a no-break space, then the unit in a `<span
/// class="unit">` that the page keeps on one line. Other text is just
/// escaped.
pub(crate) fn labelled(text: &str) -> String {
    match text.rfind(" [") {
        Some(at) if text.ends_with(']') => format!(
            "{}&#160;<span class=\"unit\">{}</span>",
            escape(&text[..at]),
            escape(&text[at + 1..])
        ),
        _ => escape(text),
    }
}

/// `text` safe inside HTML or XML text and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML; a site name
            // should not hold them, but must not break the file either.
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(mean: f64, low: f64, high: f64) -> Estimate {
        Estimate {
            mean,
            ci95_low: low,
            ci95_high: high,
        }
    }

    #[test]
    fn units_stay_on_one_line() {
        assert_eq!(
            labelled("用电量 [kWh/天]"),
            "用电量&#160;<span class=\"unit\">[kWh/天]</span>"
        );
        assert_eq!(labelled("a <b>"), "a &lt;b&gt;");
    }

    #[test]
    fn estimates_round_to_two_digits_of_the_half_width() {
        assert_eq!(
            estimate(e(48.023, 47.1, 48.94), 1.0),
            ("48.02".to_owned(), Some("[47.10, 48.94]".to_owned()))
        );
        assert_eq!(
            estimate(e(0.0241, 0.0201, 0.0281), 100.0),
            ("2.41".to_owned(), Some("[2.01, 2.81]".to_owned()))
        );
        assert_eq!(estimate(e(0.0, 0.0, 0.0), 100.0), ("0".to_owned(), None));
        // Summing the same ratio over replications leaves rounding noise.
        let x = 1.194_118_2;
        assert_eq!(
            estimate(e(x, x - 2e-16, x + 2e-16), 1.0),
            ("1.194".to_owned(), None)
        );
    }

    #[test]
    fn limits_drop_trailing_zeros() {
        assert_eq!(with_unit(0.02, 100.0, "%"), "2%");
        assert_eq!(with_unit(10.0, 1.0, "min"), "10 min");
        assert_eq!(trim(630.0, 2), "630");
        assert_eq!(trim(-0.0001, 2), "0");
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape("<b>\"A&B's\"</b>\u{7}"),
            "&lt;b&gt;&quot;A&amp;B&#39;s&quot;&lt;/b&gt;\u{FFFD}"
        );
    }
}
