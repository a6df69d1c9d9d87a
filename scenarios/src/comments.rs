//! The comments beside a scenario's keys: where its values come from.
//!
//! Scenario files cite their sources in comments (`allowed_utilization =
//! 0.8   # loading ≤ 80 % [S]`). [`comments`] collects them by field path,
//! so that a report can show each value's source next to it.

use std::collections::{BTreeMap, HashMap};
use std::iter;
use std::ops::Bound;

use toml::de::{DeTable, DeValue};
use toml_parser::lexer::TokenKind;

use crate::walk::{Span, field};

/// Every key a scenario file sets, by field path as in the diagnostics
/// (`battery.charge`, `site[0].swap_adoption`, `transformer[1]`), with its
/// comment: the whole-line comments directly above the key, then the
/// comment that ends its line (and the line where its value ends), joined
/// by spaces; empty when there is none.
///
/// A table with a header (`[battery]`, each `[[site]]`) is a key too, with
/// the comments around its header. The keys of an inline table share its
/// line, and so its comment. Values from the CSV of a `[[site_table]]` are
/// not here; its `defaults` are.
///
/// A key that a `[[site_override]]` sets (`site_override[0].swap_adoption`)
/// is also the key of the site it names, at `site[i].swap_adoption` where
/// `i` is the site's index in the model (its `[[site]]`, or past them a
/// row of a site table), with the override's comment in place of the
/// site's own: overrides apply last, so that is where the site's value
/// comes from (`swapsim calibrate` writes each estimate's interval there,
/// a plan its sizing).
pub type Comments = BTreeMap<String, String>;

/// The [`Comments`] of scenario `source`; none if it is not valid TOML.
///
/// ```
/// let source = "\
/// [battery]
/// ## Commuter pack, 48 V 20 Ah [E].
/// capacity_wh = 1100
/// dispense_soc = 0.95   # dispensable from 95 %
/// retire_soh = 0.7
/// ";
/// let comments = scenarios::comments(source);
/// assert_eq!(comments["battery.capacity_wh"], "Commuter pack, 48 V 20 Ah [E].");
/// assert_eq!(comments["battery.dispense_soc"], "dispensable from 95 %");
/// assert_eq!(comments["battery.retire_soh"], "");
/// assert!(!comments.contains_key("battery.fade_per_cycle"));
/// ```
///
/// Without the model, the overrides of the file's `[[site]]`s are known,
/// not those of its site tables' rows.
pub fn comments(source: &str) -> Comments {
    match crate::pieces::parse(source) {
        (document, errors) if errors.is_empty() => {
            let document = document.get_ref();
            let names = written_sites(document);
            of_document(source, document, &names)
        }
        _ => Comments::new(),
    }
}

/// The [`Comments`] of scenario `source`, read as `model`: the overrides
/// of its site tables' rows too.
pub(crate) fn of_model(source: &str, model: &sim_core::Model) -> Comments {
    match crate::pieces::parse(source) {
        (document, errors) if errors.is_empty() => {
            let names: Vec<&str> = model.sites.iter().map(|s| s.name.as_str()).collect();
            of_document(source, document.get_ref(), &names)
        }
        _ => Comments::new(),
    }
}

/// The [`Comments`] of `document`, already parsed from `source`, whose
/// sites are named `sites` in model order.
pub(crate) fn of_document(source: &str, document: &DeTable<'_>, sites: &[&str]) -> Comments {
    let mut out = Comments::new();
    collect(document, "", &Lines::new(source), &mut out);
    overrides(document, sites, &mut out);
    out
}

/// The value of `key` in `table`.
fn get<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t DeValue<'i>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref() == key)
        .map(|(_, v)| v.get_ref())
}

/// The tables of the array of tables `key` of `document`.
fn tables<'t, 'i>(
    document: &'t DeTable<'i>,
    key: &str,
) -> impl Iterator<Item = Option<&'t DeTable<'i>>> {
    let list = match get(document, key) {
        Some(DeValue::Array(list)) => list.iter().collect(),
        _ => Vec::new(),
    };
    list.into_iter().map(|element| match element.get_ref() {
        DeValue::Table(table) => Some(table),
        _ => None,
    })
}

/// The names of the `[[site]]`s of `document`, in order (empty where one
/// has none).
fn written_sites<'t>(document: &'t DeTable<'_>) -> Vec<&'t str> {
    tables(document, "site")
        .map(|table| match table.and_then(|t| get(t, "name")) {
            Some(DeValue::String(name)) => name.as_ref(),
            _ => "",
        })
        .collect()
}

/// Lists each key of each `[[site_override]]` again at the path of the
/// site it names, in file order (a later override of a key wins), with
/// what was under the site's own key removed: see [`Comments`].
fn overrides(document: &DeTable<'_>, sites: &[&str], out: &mut Comments) {
    let mut index: Option<HashMap<&str, usize>> = None;
    for (j, table) in tables(document, "site_override").enumerate() {
        let Some(table) = table else {
            continue;
        };
        let Some(DeValue::String(name)) = get(table, "site") else {
            continue;
        };
        let index = index.get_or_insert_with(|| {
            let mut index = HashMap::with_capacity(sites.len());
            for (i, name) in sites.iter().enumerate() {
                index.entry(*name).or_insert(i);
            }
            index
        });
        let Some(&i) = index.get(name.as_ref()) else {
            continue;
        };
        let (from, to) = (format!("site_override[{j}]"), format!("site[{i}]"));
        for (key, _) in table {
            let key = key.get_ref();
            if key == "site" {
                continue;
            }
            let (from, to) = (field(&from, key), field(&to, key));
            for path in under(out, &to)
                .map(|(path, _)| path.clone())
                .collect::<Vec<_>>()
            {
                out.remove(&path);
            }
            let moved: Vec<(String, String)> = under(out, &from)
                .map(|(path, comment)| (format!("{to}{}", &path[from.len()..]), comment.clone()))
                .collect();
            out.extend(moved);
        }
    }
}

/// The entries of `key` and of the paths under it (`key.x`, `key[0]`), in
/// a few steps of the map, not a pass over it (a district's overrides).
fn under<'c>(out: &'c Comments, key: &str) -> impl Iterator<Item = (&'c String, &'c String)> {
    out.range::<str, _>((Bound::Included(key), Bound::Unbounded))
        .take_while(move |(path, _)| path.starts_with(key))
        .filter(move |(path, _)| {
            let rest = &path[key.len()..];
            rest.is_empty() || rest.starts_with(['.', '['])
        })
}

/// Adds the keys of `table`, at `path`, and of the tables under it.
fn collect(table: &DeTable<'_>, path: &str, lines: &Lines<'_>, out: &mut Comments) {
    for (key, value) in table {
        let path = field(path, key.get_ref());
        // A table from a header spans its header, on the key's line.
        out.insert(path.clone(), lines.around(key.span(), value.span()));
        match value.get_ref() {
            DeValue::Table(table) => collect(table, &path, lines, out),
            DeValue::Array(array) => {
                for (index, element) in array.iter().enumerate() {
                    if let DeValue::Table(table) = element.get_ref() {
                        let path = format!("{path}[{index}]");
                        out.insert(path.clone(), lines.around(element.span(), element.span()));
                        collect(table, &path, lines, out);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The source's lines and the comment on each.
struct Lines<'s> {
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// Each line's comment, if it has one.
    comments: Vec<Option<LineComment<'s>>>,
}

/// A comment and where it sits on its line.
#[derive(Clone, Copy)]
struct LineComment<'s> {
    /// The text after `#`, trimmed.
    text: &'s str,
    /// Whether the line holds nothing else.
    whole_line: bool,
}

impl<'s> Lines<'s> {
    fn new(source: &'s str) -> Self {
        let starts: Vec<usize> = iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut lines = Lines {
            comments: vec![None; starts.len()],
            starts,
        };
        // The lexer knows strings, so a `#` inside one is no comment.
        for token in toml_parser::Source::new(source).lex() {
            if token.kind() != TokenKind::Comment {
                continue;
            }
            let (start, end) = (token.span().start(), token.span().end());
            let line = lines.line(start);
            lines.comments[line] = Some(LineComment {
                text: source[start + 1..end].trim(),
                whole_line: source[lines.starts[line]..start].trim().is_empty(),
            });
        }
        lines
    }

    /// The 0-based line of byte `offset`.
    fn line(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// The comment of a key at `key` whose value is at `value`: the block
    /// of whole-line comments directly above it, then the end-of-line
    /// comments of its first and last lines.
    fn around(&self, key: Span, value: Span) -> String {
        let first = self.line(key.start.min(value.start));
        let last = self.line(value.end.saturating_sub(1).max(value.start));
        // A commented-out key (`# strategy = ...`) ends the block: the
        // comments above it are about that key.
        let mut top = first;
        while top > 0
            && self.comments[top - 1].is_some_and(|c| c.whole_line && !is_assignment(c.text))
        {
            top -= 1;
        }
        let above = (top..first).filter_map(|l| self.comments[l]);
        let trailing = [first, last]
            .into_iter()
            .enumerate()
            .filter(|&(i, l)| i == 0 || l != first)
            .filter_map(|(_, l)| self.comments[l].filter(|c| !c.whole_line));
        let parts: Vec<&str> = above
            .chain(trailing)
            .map(|c| c.text)
            .filter(|t| !t.is_empty())
            .collect();
        parts.join(" ")
    }
}

/// Whether a comment's text is a commented-out key, `key = value`.
fn is_assignment(text: &str) -> bool {
    text.split_once('=').is_some_and(|(key, _)| {
        let key = key.trim();
        key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '"')
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.\"' ".contains(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r##"# The file's header, not any key's.

[scenario]   # the header's own
name = "a # not a comment"

# The pack [E];
# two lines.
[battery]
capacity_wh = 1100
charge = { model = "cc_cv", power_w = 400 }   # 400 W [E]
dispense_soc = 0.95
# above a value
#
# with an empty line
retire_soh = 0.7    # and after [S]
# About the commented-out key below, not return_soc.
# fade_per_cycle = 0.0002   # its default
return_soc = 0.2

[[site]]
name = "A"
demand = { model = "poisson", swaps_per_hour = 2.0 }

[[site]]   # the second site
name = "B"
hours = [
  "0-8",   # inside
]   # after the array
[site.patience]
model = "none"   # [D]
"容量" = 3   # a quoted key
"##;

    #[test]
    fn every_key_has_its_comment_by_path() {
        let c = comments(SOURCE);
        let get = |path: &str| c.get(path).map(String::as_str);
        assert_eq!(get("scenario"), Some("the header's own"));
        assert_eq!(get("scenario.name"), Some(""));
        assert_eq!(get("battery"), Some("The pack [E]; two lines."));
        assert_eq!(get("battery.capacity_wh"), Some(""));
        assert_eq!(get("battery.charge"), Some("400 W [E]"));
        assert_eq!(get("battery.charge.power_w"), Some("400 W [E]"));
        assert_eq!(get("battery.dispense_soc"), Some(""));
        assert_eq!(
            get("battery.retire_soh"),
            Some("above a value with an empty line and after [S]")
        );
        assert_eq!(get("battery.return_soc"), Some(""));
        assert_eq!(get("site[0]"), Some(""));
        assert_eq!(get("site[0].demand.swaps_per_hour"), Some(""));
        assert_eq!(get("site[1]"), Some("the second site"));
        assert_eq!(get("site[1].hours"), Some("after the array"));
        assert_eq!(get("site[1].patience.model"), Some("[D]"));
        assert_eq!(get("site[1].patience.\"容量\""), Some("a quoted key"));
        assert_eq!(get("battery.fade_per_cycle"), None);
    }

    /// What a `[[site_override]]` sets is the site's key, with the
    /// override's comment: `swapsim calibrate` writes its estimates there.
    #[test]
    fn an_overridden_key_is_the_sites_with_the_overrides_comment() {
        let source = r#"
[[site]]
name = "A"
swap_adoption = 0.3                 # the pilot's target [E]
couriers = { courier = 40 }         # a guess [E]
cabinets = 6                        # [S]

[[site]]
name = "B"
swap_adoption = 0.2                 # B's [E]

[[site_override]]
site = "A"
# 300 of 340 users (95 % 0.80–0.93, n = 340 users)
swap_adoption = 0.3
couriers = { courier = 38 }   # measured
cabinets = 7

[[site_override]]
site = "A"
# the later override wins
swap_adoption = 0.31

[[site_override]]
site = "C"   # a row of a site table, or no site
swap_adoption = 0.5           # C's
"#;
        let c = comments(source);
        let get = |path: &str| c.get(path).map(String::as_str);
        assert_eq!(
            get("site[0].swap_adoption"),
            Some("the later override wins")
        );
        assert_eq!(get("site[0].couriers"), Some("measured"));
        assert_eq!(get("site[0].couriers.courier"), Some("measured"));
        // Set without a comment: the site's own comment is gone too.
        assert_eq!(get("site[0].cabinets"), Some(""));
        assert_eq!(get("site[1].swap_adoption"), Some("B's [E]"));
        // The overrides' own keys stay.
        assert_eq!(
            get("site_override[0].swap_adoption"),
            Some("300 of 340 users (95 % 0.80–0.93, n = 340 users)")
        );
        assert_eq!(get("site_override[2].swap_adoption"), Some("C's"));
        // Without the model a name not of a [[site]] is no site; with it,
        // the site's index in the model.
        assert!(!c.keys().any(|k| k.starts_with("site[2]")), "{c:?}");
        let (document, errors) = crate::pieces::parse(source);
        assert!(errors.is_empty());
        let c = of_document(source, document.get_ref(), &["A", "B", "C"]);
        assert_eq!(c["site[2].swap_adoption"], "C's");
        assert!(!c.contains_key("site[2]"));
    }

    #[test]
    fn invalid_toml_has_no_comments() {
        assert!(comments("[battery\nx = 1 # c\n").is_empty());
    }

    #[test]
    fn the_shipped_pilot_cites_its_sources() {
        let c = comments(include_str!("../bishan-pilot.toml"));
        assert_eq!(
            c["transformer[0].allowed_utilization"],
            "loading ≤ 80 % [S]"
        );
        assert!(c["site[0].swap_adoption"].contains("[E]"));
        assert!(c["tariff.peak"].starts_with("Chongqing TOU proposal"));
    }
}
