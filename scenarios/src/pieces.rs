//! A large scenario parsed in pieces cut before its `[[site]]` headers.
//!
//! toml lexes a whole document into an array of tokens, and then an array
//! of events, before it builds the table: about 11 bytes for each byte of
//! source, 685 MB for the 60 MB scenario of a 100,000-row survey, on top
//! of the table itself. Cut before `[[site]]` headers into pieces of about
//! [`PIECE_BYTES`], those arrays never hold more than one piece, and the
//! pieces' tables join into the table a whole parse gives: the same keys,
//! values and spans (spans into the whole source).
//!
//! A document the cuts could change is parsed whole, as are small ones:
//! any piece with a syntax error (a multi-line string across a cut, say),
//! or a later piece with a top-level key other than `site` that an earlier
//! piece has (a second `[planner]`, or `[[transformer]]` between sites).
//! The whole parse then gives its own errors, at their own positions.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeArray, DeString, DeTable, DeValue};

/// The source bytes in one piece, at least (a piece ends before the first
/// `[[site]]` header past this size). toml's arrays for a piece take about
/// 11 times this.
pub(crate) const PIECE_BYTES: usize = 4 << 20;

/// The document parsed as [`DeTable::parse_recoverable`] parses it, in
/// pieces when it is larger than [`PIECE_BYTES`].
pub(crate) fn parse(source: &str) -> (Spanned<DeTable<'_>>, Vec<toml::de::Error>) {
    parse_in_pieces(source, PIECE_BYTES)
}

/// [`parse`] with pieces of `piece_bytes`.
fn parse_in_pieces(
    source: &str,
    piece_bytes: usize,
) -> (Spanned<DeTable<'_>>, Vec<toml::de::Error>) {
    let cuts = cuts(source, piece_bytes);
    if !cuts.is_empty()
        && let Some(table) = joined(source, &cuts)
    {
        return (table, Vec::new());
    }
    DeTable::parse_recoverable(source)
}

/// Where the pieces start, after the first: at a line that is `[[site]]`
/// (but not the first such line, so the first piece makes `site` an array
/// of tables), once the piece before is `piece_bytes` long.
fn cuts(source: &str, piece_bytes: usize) -> Vec<usize> {
    let mut cuts = Vec::new();
    if source.len() <= piece_bytes {
        return cuts;
    }
    let mut piece_start = 0;
    let mut first_site = true;
    let mut at = 0;
    for line in source.split_inclusive('\n') {
        if line.trim_end() == "[[site]]" {
            if first_site {
                first_site = false;
            } else if at - piece_start >= piece_bytes {
                cuts.push(at);
                piece_start = at;
            }
        }
        at += line.len();
    }
    cuts
}

/// The pieces' tables joined, or `None` when the cuts could change the
/// document (a piece has a syntax error, or keys collide).
fn joined<'s>(source: &'s str, cuts: &[usize]) -> Option<Spanned<DeTable<'s>>> {
    let (first, errors) = DeTable::parse_recoverable(&source[..cuts[0]]);
    if !errors.is_empty() {
        return None;
    }
    let span = first.span();
    let mut table = first.into_inner();
    let ends = cuts.iter().skip(1).copied().chain([source.len()]);
    for (start, end) in cuts.iter().copied().zip(ends) {
        let (piece, errors) = DeTable::parse_recoverable(&source[start..end]);
        if !errors.is_empty() {
            return None;
        }
        for (key, value) in piece.into_inner() {
            let key = shifted_key(key, start);
            if key.get_ref() == "site" {
                let Some(DeValue::Array(sites)) = table.get_mut("site").map(Spanned::get_mut)
                else {
                    return None;
                };
                let DeValue::Array(more) = value.into_inner() else {
                    return None;
                };
                for site in more {
                    sites.push(shifted(site, start));
                }
            } else if table.contains_key(&**key.get_ref()) {
                return None;
            } else {
                table.insert(key, shifted(value, start));
            }
        }
    }
    Some(Spanned::new(span, table))
}

fn moved(span: Range<usize>, by: usize) -> Range<usize> {
    span.start + by..span.end + by
}

fn shifted_key(key: Spanned<DeString<'_>>, by: usize) -> Spanned<DeString<'_>> {
    Spanned::new(moved(key.span(), by), key.into_inner())
}

/// `value` with its spans, and those of everything in it, moved `by`
/// bytes: from a piece's to the whole source's.
fn shifted(value: Spanned<DeValue<'_>>, by: usize) -> Spanned<DeValue<'_>> {
    let span = moved(value.span(), by);
    let inner = match value.into_inner() {
        DeValue::Array(items) => DeValue::Array(
            items
                .into_iter()
                .map(|item| shifted(item, by))
                .collect::<DeArray<'_>>(),
        ),
        DeValue::Table(entries) => DeValue::Table(
            entries
                .into_iter()
                .map(|(key, value)| (shifted_key(key, by), shifted(value, by)))
                .collect::<DeTable<'_>>(),
        ),
        scalar => scalar,
    };
    Spanned::new(span, inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key and value of two tables, with their spans, in order.
    fn flat(table: &DeTable<'_>, path: &str, out: &mut Vec<String>) {
        for (key, value) in table {
            let path = format!("{path}.{}", key.get_ref());
            out.push(format!("{path} key {:?}", key.span()));
            flat_value(value, &path, out);
        }
    }

    fn flat_value(value: &Spanned<DeValue<'_>>, path: &str, out: &mut Vec<String>) {
        out.push(format!("{path} value {:?}", value.span()));
        match value.get_ref() {
            DeValue::Table(table) => flat(table, path, out),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    flat_value(item, &format!("{path}[{i}]"), out);
                }
            }
            DeValue::String(s) => out.push(format!("{path} = {s:?}")),
            DeValue::Integer(i) => out.push(format!("{path} = {}", i.as_str())),
            DeValue::Float(f) => out.push(format!("{path} = {}", f.as_str())),
            DeValue::Boolean(b) => out.push(format!("{path} = {b}")),
            DeValue::Datetime(d) => out.push(format!("{path} = {d}")),
        }
    }

    fn flattened(source: &str, piece_bytes: usize) -> (Vec<String>, usize) {
        let (table, errors) = parse_in_pieces(source, piece_bytes);
        let mut out = Vec::new();
        flat(table.get_ref(), "", &mut out);
        (out, errors.len())
    }

    const SITES: &str = "[scenario]\nname = \"pieces\"\n\n\
        [[site]]\nname = \"a\"\ncabinets = 1\n\n\
        [[site]]\nname = \"b\"\nposition = { x_m = 1.0, y_m = 2 }\n[site.extra]\nk = [1, 2]\n\n\
        [[site]]\r\nname = \"c\"\r\n\r\n\
        [[site]]\nname = \"d\"\n\n\
        [planner]\nslot_catalogue = [12, 16]\n";

    #[test]
    fn pieces_join_into_the_table_a_whole_parse_gives() {
        let whole = flattened(SITES, usize::MAX);
        assert_eq!(whole.1, 0);
        // Every piece size from one site per piece to none cut.
        let mut cut_at_least_twice = false;
        for piece_bytes in 1..SITES.len() + 1 {
            cut_at_least_twice |= cuts(SITES, piece_bytes).len() >= 2;
            assert_eq!(
                flattened(SITES, piece_bytes),
                whole,
                "pieces of {piece_bytes}"
            );
        }
        assert!(cut_at_least_twice);
        assert_eq!(cuts(SITES, 1).len(), 3, "every [[site]] after the first");
    }

    #[test]
    fn documents_the_cuts_could_change_are_parsed_whole() {
        // A second `[planner]` is an error of the whole document, and a
        // `[[transformer]]` between sites is valid: neither may be joined.
        for source in [
            format!("{SITES}\n[[site]]\nname = \"e\"\n\n[planner]\nx = 1\n"),
            format!(
                "[[transformer]]\nname = \"t\"\n{SITES}\n[[site]]\nname = \"e\"\n[[transformer]]\nname = \"u\"\n"
            ),
            // A multi-line string across a cut.
            format!("{SITES}\n[[site]]\nname = \"\"\"\n[[site]]\n\"\"\"\n"),
        ] {
            let pieces = cuts(&source, 1);
            assert!(pieces.len() >= 3, "{source}");
            assert!(joined(&source, &pieces).is_none(), "{source}");
            assert_eq!(flattened(&source, 1), flattened(&source, usize::MAX));
        }
    }

    /// Text the property test splices into a scenario: cut points, headers
    /// that collide across pieces, strings that span lines, broken syntax.
    const SPLICES: [&str; 15] = [
        // Valid where they land, at a line's start: the first five keep a
        // valid document valid.
        "\n[[site]]\n",
        "\n[[site]]\nname = \"x\"\ncabinets = 2\n",
        "\n[[site]]\r\n",
        "\n[site.extra]\nk = 1\n",
        "\n[[transformer]]\nname = \"t\"\n",
        // A cut line inside a multi-line string.
        "\nnote = \"\"\"\n[[site]]\n\"\"\"\n",
        "\n[planner]\nmax_iterations = 3\n",
        "\nnote = \"\"\"\n",
        "\"\"\"\n",
        "'''",
        "\n[site]\n",
        "\nsite = [1, 2]\n",
        "[[site]]",
        " = ",
        "\n[scenario]\n",
    ];

    proptest::proptest! {
        /// Any text, valid or not, made from a shipped scenario with
        /// splices: the pieces give what the whole parse gives, keys,
        /// values, spans and the number of errors, at any piece size.
        #[test]
        fn any_document_parses_the_same_in_pieces(
            edits in proptest::collection::vec((0.0..1.0f64, 0..3 * SPLICES.len()), 0..8),
            piece_bytes in 1usize..400,
        ) {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let mut source = std::fs::read_to_string(dir.join("bishan-pilot.toml"))
                .expect("the pilot scenario");
            for (at, splice) in edits {
                // At a line's start: a splice in mid-line breaks the line
                // it lands in, and a broken document is parsed whole.
                let at = (at * source.len() as f64) as usize;
                let at = source.as_bytes()[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |n| n + 1);
                // Two in three keep a valid document valid.
                let splice = if splice < SPLICES.len() { splice } else { splice % 5 };
                source.insert_str(at, SPLICES[splice]);
            }
            proptest::prop_assert_eq!(
                flattened(&source, piece_bytes),
                flattened(&source, usize::MAX)
            );
        }
    }

    #[test]
    fn every_shipped_scenario_parses_the_same_in_pieces() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut compared = 0;
        for entry in std::fs::read_dir(dir).expect("the scenarios directory") {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                let source = std::fs::read_to_string(&path).expect("a scenario");
                let whole = flattened(&source, usize::MAX);
                for piece_bytes in [1, 1000, 10_000] {
                    assert_eq!(flattened(&source, piece_bytes), whole, "{}", path.display());
                }
                compared += 1;
            }
        }
        assert!(compared >= 10, "{compared} scenarios");
    }
}
