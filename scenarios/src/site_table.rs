//! `[[site_table]]`: sites as the rows of a CSV file next to the scenario,
//! for a district of hundreds of communities.
//!
//! ```toml
//! [[site_table]]
//! file = "bishan-district-sites.csv"    # relative to the scenario file
//! defaults = { slots_per_cabinet = 12 } # any [[site]] key but `name`
//! ```
//!
//! The first CSV row names the columns; each further row is a site. A row
//! takes a key from its cell, else from `defaults`, else the schema's
//! default. Each row becomes a table whose values are its cells, and is
//! read like a `[[site]]`, so a bad cell is reported at the CSV's own line
//! and column with the path `site_table[0].row[12].batteries` (rows count
//! from 0 after the header).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{FileId, Sink};
use crate::site::{self, Built, Context, Key, Keys, SiteNames, TransformerRef};
use crate::transformer::Draft;
use crate::walk::{At, Span, Table, Text, did_you_mean, one_of};

/// The columns a CSV may have, in the order messages list them.
pub(crate) const COLUMNS: &[&str] = &[
    "name",
    "town",
    "x_m",
    "y_m",
    "households",
    "ebikes",
    "swap_adoption",
    "cabinets",
    "slots_per_cabinet",
    "batteries",
    "pile_ports",
    "transformer_kva",
    "transformer_households",
    "transformer",
    "courier_work_weight",
    "couriers",
    "max_concurrent_charging",
    "max_riders_present",
    "charger_power_w",
    "nonsub_interval_days",
];

/// Columns whose cells are text; every other cell is a number.
const TEXT_COLUMNS: &[&str] = &["name", "town", "transformer"];

/// Keys every row needs, from its cell or from `defaults`.
const REQUIRED: &[&str] = &["cabinets", "slots_per_cabinet", "batteries"];

/// How the scenario's other files are found and read.
pub(crate) struct Files<'f> {
    /// Directory of the scenario file; `file` is relative to it.
    pub(crate) dir: &'f Path,
    /// Reads a file, given `dir` joined with `file`.
    pub(crate) read: &'f dyn Fn(&Path) -> io::Result<String>,
}

/// Reads every `[[site_table]]`: the sites of all their rows, in order.
pub(crate) fn read_all(
    tables: Vec<Option<Table<'_, '_>>>,
    ctx: &Context<'_>,
    names: &mut SiteNames,
    files: &Files<'_>,
    sink: &mut Sink<'_>,
) -> Option<Vec<Built>> {
    let mut sites = Some(Vec::new());
    for t in tables {
        let read = t.and_then(|t| read(t, ctx, names, files, sink));
        match (read, &mut sites) {
            (Some(rows), Some(sites)) => sites.extend(rows),
            _ => sites = None,
        }
    }
    sites
}

/// Reads one `[[site_table]]` and its CSV.
fn read(
    mut t: Table<'_, '_>,
    ctx: &Context<'_>,
    names: &mut SiteNames,
    files: &Files<'_>,
    sink: &mut Sink<'_>,
) -> Option<Vec<Built>> {
    let table_path = t.path().to_owned();
    let file = t.required(sink, "file", &Text);
    let file_at = t.at("file");
    let defaults = match t.optional_table(sink, "defaults") {
        Ok(Some(mut d)) => {
            let keys = site::read_keys(&mut d, ctx, false, names, sink);
            d.finish(sink);
            Some(keys)
        }
        Ok(None) => Some(Keys::default()),
        Err(_) => None,
    };
    t.finish(sink);
    let path = files.dir.join(file?);
    let text = match (files.read)(&path) {
        Ok(text) => text,
        Err(error) => {
            file_at.error(
                sink,
                None,
                format_args!("cannot read '{}': {error}", path.display()),
            );
            return None;
        }
    };
    // Counted before the rows are parsed and checked: a table of three
    // million rows took 24 s and 3.7 GB to refuse.
    let rows = count_rows(&text).saturating_sub(1);
    if rows > crate::bounds::MAX_SITES {
        file_at.error(
            sink,
            None,
            format_args!(
                "'{}' has {rows} rows: {}",
                path.display(),
                crate::bounds::too_many_sites(rows)
            ),
        );
        return None;
    }
    let csv = sink.add_file(path.display().to_string(), text.clone(), file_at.span.start);
    let records = match records(&text) {
        Ok(records) => records,
        Err((at, message)) => {
            let at = At {
                file: csv,
                span: at..at,
                field: table_path,
            };
            at.error(sink, None, message);
            return None;
        }
    };
    let Some((header, rows)) = records.split_first() else {
        file_at.error(
            sink,
            None,
            format_args!(
                "'{}' is empty, expected a header row naming the columns",
                path.display()
            ),
        );
        return None;
    };
    let table = CsvTable {
        path: table_path,
        file: csv,
        defaults: defaults?,
    };
    let header = table.header(header, sink)?;
    if rows.is_empty() {
        file_at.error(
            sink,
            None,
            format_args!(
                "'{}' has a header but no rows, expected one row per site",
                path.display()
            ),
        );
        return None;
    }
    let mut sites = Some(Vec::new());
    for (index, row) in rows.iter().enumerate() {
        let site = table.row(index, row, &header, ctx, names, sink);
        match (site, &mut sites) {
            (Some(site), Some(sites)) => sites.push(site),
            _ => sites = None,
        }
    }
    sites
}

/// One CSV file of a `[[site_table]]`.
struct CsvTable {
    /// Path of the `[[site_table]]`, like `site_table[0]`.
    path: String,
    file: FileId,
    /// The keys of `defaults`.
    defaults: Keys,
}

/// The header row, and the column each of its cells names (`None` for a
/// bad one, reported).
struct Header<'r> {
    record: &'r Record,
    columns: Vec<Option<&'static str>>,
}

impl CsvTable {
    /// `span` of the CSV, as the field `field` of the table.
    fn at(&self, span: Span, field: &str) -> At {
        At {
            file: self.file,
            span,
            field: format!("{}.{field}", self.path),
        }
    }

    /// Reads the header row, checking that the rows can have every key
    /// they need; `None` when a needed column is missing (reported).
    fn header<'r>(&self, header: &'r Record, sink: &mut Sink<'_>) -> Option<Header<'r>> {
        let defaults = &self.defaults;
        let mut columns: Vec<Option<&'static str>> = Vec::new();
        for (i, cell) in header.cells.iter().enumerate() {
            let at = self.at(cell.span.clone(), &format!("header[{i}]"));
            let known = COLUMNS.iter().find(|c| **c == cell.text).copied();
            let column = match known {
                Some(column) if columns.contains(&Some(column)) => {
                    at.error(sink, None, format_args!("duplicate column `{column}`"));
                    None
                }
                Some(column) => Some(column),
                None if cell.text.is_empty() => {
                    at.error(
                        sink,
                        None,
                        format_args!("empty column name, expected {}", one_of(COLUMNS)),
                    );
                    None
                }
                None => {
                    at.error(
                        sink,
                        None,
                        format_args!(
                            "unknown column `{}`, expected {}{}",
                            cell.text,
                            one_of(COLUMNS),
                            did_you_mean(&cell.text, COLUMNS)
                        ),
                    );
                    None
                }
            };
            columns.push(column);
        }
        let has = |column: &str| columns.contains(&Some(column));
        let mut ok = true;
        let header_at = self.at(header.span.clone(), "header");
        if !has("name") {
            header_at.error(
                sink,
                None,
                "missing column `name`, expected one naming each site",
            );
            ok = false;
        }
        for (key, default) in REQUIRED.iter().zip([
            &defaults.cabinets,
            &defaults.slots_per_cabinet,
            &defaults.batteries,
        ]) {
            if !has(key) && matches!(default, Key::Absent) {
                header_at.error(
                    sink,
                    None,
                    format_args!("missing column `{key}`, expected it in the CSV or in `defaults`"),
                );
                ok = false;
            }
        }
        ok.then_some(Header {
            record: header,
            columns,
        })
    }

    /// Reads data row `index` as a site.
    fn row(
        &self,
        index: usize,
        row: &Record,
        header: &Header<'_>,
        ctx: &Context<'_>,
        names: &mut SiteNames,
        sink: &mut Sink<'_>,
    ) -> Option<Built> {
        let columns = &header.columns;
        let path = format!("{}.row[{index}]", self.path);
        let mut ok = true;
        if row.cells.len() > columns.len() {
            let extra = &row.cells[columns.len()];
            At {
                file: self.file,
                span: extra.span.clone(),
                field: path.clone(),
            }
            .error(
                sink,
                None,
                format_args!(
                    "{} cells, but the header names {} columns",
                    row.cells.len(),
                    columns.len()
                ),
            );
            ok = false;
        }
        // The row as a table: the key spans are the header cells, the
        // values the non-empty cells.
        let mut cells = DeTable::new();
        let mut empty: HashMap<&str, Span> = HashMap::new();
        for ((column, name), cell) in columns.iter().zip(&header.record.cells).zip(&row.cells) {
            let Some(column) = column else { continue };
            if cell.text.is_empty() {
                empty.insert(column, cell.span.clone());
                continue;
            }
            let key = Spanned::new(name.span.clone(), Cow::Borrowed(*column));
            cells.insert(
                key,
                Spanned::new(cell.span.clone(), cell_value(column, &cell.text)),
            );
        }
        // A short row leaves its last cells empty.
        let row_span = row.span.clone();
        for column in columns.iter().skip(row.cells.len()).flatten() {
            empty.insert(column, row_span.end..row_span.end);
        }
        let mut t = Table::new(path, None, row_span, self.file, &cells);
        let kva = t.optional(sink, "transformer_kva", &crate::bounds::RATING_KVA);
        let households = t.optional(sink, "transformer_households", &crate::bounds::EBIKES);
        let mut keys = site::read_keys(&mut t, ctx, true, names, sink);
        match (kva, households) {
            (Ok(Some(kva)), Ok(households)) => {
                if t.has("transformer") {
                    t.error(
                        sink,
                        "transformer_kva",
                        "a site has either `transformer` or `transformer_kva`, not both",
                    );
                    ok = false;
                }
                let draft = Draft {
                    households,
                    ..Draft::rated(kva)
                };
                let own = TransformerRef::Own(Box::new(draft));
                keys.transformer = Key::Set(own, t.at("transformer_kva"));
            }
            (Ok(None), Ok(Some(_))) => {
                t.error(
                    sink,
                    "transformer_households",
                    "`transformer_households` are those of the transformer in `transformer_kva`, \
                     which this row leaves empty",
                );
                ok = false;
            }
            (Ok(None), Ok(None)) => {}
            _ => ok = false,
        }
        let keys = keys.or(self.defaults.clone());
        let missing = |sink: &mut Sink<'_>, key: &'static str, expected: &str| {
            match empty.get(key) {
                Some(span) => At {
                    span: span.clone(),
                    ..t.at(key)
                }
                .error(
                    sink,
                    t.subject(),
                    format_args!("empty cell, expected {expected} here or in `defaults`"),
                ),
                // The header check reported a missing column of its own.
                None if key == "name" || REQUIRED.contains(&key) => {}
                None => t.here().error(
                    sink,
                    t.subject(),
                    format_args!("missing `{key}`, expected {expected} in `defaults`"),
                ),
            }
        };
        let built = site::build(keys, ctx, &missing, sink);
        ok.then_some(built?)
    }
}

/// The value of a non-empty cell of `column`: text for a text column, else
/// the number it spells (as TOML would read it), or the text to reject.
fn cell_value<'c>(column: &str, text: &'c str) -> DeValue<'c> {
    if TEXT_COLUMNS.contains(&column) {
        DeValue::String(Cow::Borrowed(text))
    } else {
        number_cell(text)
    }
}

/// The number a cell spells, as TOML would read it, or its text to reject.
pub(crate) fn number_cell(text: &str) -> DeValue<'_> {
    if let Ok(value) = DeValue::parse(text)
        && matches!(value.get_ref(), DeValue::Integer(_) | DeValue::Float(_))
    {
        return value.into_inner();
    }
    DeValue::String(Cow::Borrowed(text))
}

/// One CSV record.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) cells: Vec<Cell>,
    /// From the first cell's start to the last cell's end.
    pub(crate) span: Span,
}

/// One CSV cell: its text without quotes and surrounding blanks, and where
/// that text is.
#[derive(Debug)]
pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) span: Span,
}

/// Records of `text` whose cells are not all blank (the header among
/// them), as [`records`] keeps them, counted in one pass that keeps none:
/// a bound can be checked before the rows are parsed. A malformed record
/// stops the count (`records` reports it).
fn count_rows(text: &str) -> usize {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::ByteRecord::new();
    let mut rows = 0;
    while let Ok(true) = reader.read_byte_record(&mut record) {
        let blank = |cell: &[u8]| std::str::from_utf8(cell).is_ok_and(|c| c.trim().is_empty());
        if !record.iter().all(blank) {
            rows += 1;
        }
    }
    rows
}

/// The records of a CSV text (RFC 4180: commas, double quotes, any line
/// ending), or the byte offset and message of a malformed one. Rows whose
/// cells are all blank are skipped; a UTF-8 byte-order mark is not text.
///
/// The `csv` crate parses; it gives each record's start but not each
/// cell's, so the cells' spans are measured here from their raw widths.
pub(crate) fn records(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&text.as_bytes()[bom..]);
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| {
            let at = error.position().map_or(0, |p| p.byte() as usize);
            (bom + at, format!("malformed CSV: {error}"))
        })?;
        // The reported start can still be on the line endings before it.
        let mut start = bom + record.position().map_or(0, |p| p.byte() as usize);
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let mut cursor = start;
        let mut cells = Vec::new();
        for field in &record {
            let quoted = text.as_bytes().get(cursor) == Some(&b'"');
            let (raw_len, content) = if quoted {
                let raw_len = field.len() + field.matches('"').count() + 2;
                // The csv crate ends a quote that never closes at the end
                // of the text, so a stray `"` would swallow every row after
                // it into one cell.
                if text.as_bytes().get(cursor + raw_len - 1) != Some(&b'"') {
                    return Err((cursor, crate::file::UNTERMINATED_QUOTE.to_owned()));
                }
                (raw_len, cursor + 1)
            } else {
                (field.len(), cursor)
            };
            let trimmed = field.trim();
            let lead = field.len() - field.trim_start().len();
            let from = (content + lead).min(text.len());
            cells.push(Cell {
                text: trimmed.to_owned(),
                span: from..(from + trimmed.len()).min(text.len()),
            });
            cursor += raw_len + 1;
        }
        if cells.iter().all(|c| c.text.is_empty()) {
            continue;
        }
        let end = cells.last().map_or(start, |c| c.span.end.max(start));
        records.push(Record {
            cells,
            span: start..end,
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{model_with, parse_files, problems_with};

    fn cells(text: &str) -> Vec<Vec<(String, String)>> {
        records(text)
            .unwrap()
            .iter()
            .map(|r| {
                r.cells
                    .iter()
                    .map(|c| (c.text.clone(), text[c.span.clone()].to_owned()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn an_unterminated_quote_is_an_error_where_it_opens() {
        let text = "name,note\na,ok\nb,\"stray\nc,x\nd,y\n";
        let (at, message) = records(text).unwrap_err();
        assert_eq!(at, text.find('"').unwrap());
        assert!(message.starts_with("unterminated quote"), "{message}");
        assert!(records("a,\"closed \"\"here\"\"\"\nb,c\n").is_ok());
    }

    #[test]
    fn cell_spans_point_at_their_text() {
        let text = "\u{feff}name,x_m\r\n\"美吉, \"\"鑫\"\"\", 12 \n\nb,\n";
        let found = cells(text);
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(found[0], [pair("name", "name"), pair("x_m", "x_m")]);
        assert_eq!(found[1][0].0, "美吉, \"鑫\"");
        assert_eq!(found[1][1], pair("12", "12"));
        assert_eq!(found[2], [pair("b", "b"), pair("", "")]);
        assert_eq!(found.len(), 3, "blank lines are skipped");
    }

    const TOML: &str = include_str!("../../tests/fixtures/scenarios/valid/site-table.toml");
    const CSV: &str = include_str!("../../tests/fixtures/scenarios/valid/site-table.csv");

    #[test]
    fn rows_take_their_cells_then_the_defaults() {
        let m = model_with(TOML, &[("site-table.csv", CSV)]);
        let names: Vec<_> = m.sites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["hub", "美吉鑫小区", "北苑, 二期", "南门小区"]);
        let pilot = &m.sites[1];
        assert_eq!(
            (pilot.cabinets, pilot.slots_per_cabinet, pilot.batteries),
            (4, 12, 40)
        );
        assert_eq!(
            (pilot.swap_adoption, pilot.couriers.clone()),
            (0.3, vec![(1, 40)])
        );
        assert_eq!(
            (pilot.transformer, pilot.mix.clone()),
            (Some(0), vec![(0, 1.0)])
        );
        let north = &m.sites[2];
        assert_eq!((north.households, north.swap_adoption), (800, 0.2));
        assert_eq!(
            (north.x_m, north.pile_ports, north.courier_work_weight),
            (600.0, 0, 1.0)
        );
        // Its own transformer, named after it, after the [[transformer]]s.
        assert_eq!(north.transformer, Some(1));
        let own = &m.grid.transformers[1];
        assert_eq!((own.name.as_str(), own.rating_kva), ("北苑, 二期", 800.0));
        assert_eq!(own.base_peak_kw, 150.0 * 6.0 * 0.6);
        // T1 feeds the two other rows: 1300 + 700 households.
        assert_eq!(m.grid.transformers[0].base_peak_kw, 2000.0 * 6.0 * 0.5);
        assert_eq!(m.sites[3].couriers, []);
    }

    #[test]
    fn a_missing_or_empty_file_is_reported_at_its_name() {
        let found = problems_with(TOML, &[]);
        assert_eq!(
            found,
            [
                "t.toml:25:8: site_table[0].file: cannot read 'site-table.csv': scenarios::parse \
              reads no files, use scenarios::load"
            ]
        );
        assert_eq!(
            problems_with(TOML, &[("site-table.csv", " \n")]),
            [
                "d/t.toml:25:8: site_table[0].file: 'd/site-table.csv' is empty, expected a \
              header row naming the columns"
            ]
        );
        assert_eq!(
            problems_with(TOML, &[("site-table.csv", "name,cabinets,batteries\n")]),
            [
                "d/t.toml:25:8: site_table[0].file: 'd/site-table.csv' has a header but no rows, \
              expected one row per site"
            ]
        );
    }

    #[test]
    fn cell_problems_point_into_the_csv_after_the_scenario_before_them() {
        let csv = "name,cabinets,batteries,swap_adoption\nA,1,12.5,0.3\nB,1,30,\n";
        let toml = TOML.replace("\"hub\"", "\"A\"");
        assert_eq!(
            problems_with(&toml, &[("site-table.csv", csv)]),
            [
                "d/site-table.csv:2:1: site_table[0].row[0].name: site 'A': duplicate name, \
                 already used by site[0]",
                "d/site-table.csv:2:5: site_table[0].row[0].batteries: site 'A': expected a \
                 positive integer, found float",
                "d/site-table.csv:3:5: site_table[0].row[1].batteries: site 'B': batteries (30) \
                 leave no empty compartment in 1 × 12 slots; leave one per cabinet for the \
                 returned battery: at most 11 batteries, or add a cabinet",
            ]
        );
    }

    /// Issue 13: the same mistake in every row was one error per row (23
    /// MB of stderr for a table of 100,000 rows). It is one problem per
    /// column and kind of mistake, at its first row, with a count of the
    /// others, as in the scenario; the site each row is about makes no
    /// difference.
    #[test]
    fn the_same_mistake_in_many_rows_is_one_problem_with_a_count() {
        let mut csv = String::from("name,cabinets,batteries,swap_adoption\n");
        for i in 0..1000 {
            let adoption = if i % 100 == 7 { "1.5" } else { "0.3" };
            csv.push_str(&format!("s{i},1,12.5,{adoption}\n"));
        }
        assert_eq!(
            problems_with(TOML, &[("site-table.csv", &csv)]),
            [
                "d/site-table.csv:2:6: site_table[0].row[0].batteries: site 's0': expected a \
                 positive integer, found float (and 999 more like it)",
                "d/site-table.csv:9:11: site_table[0].row[7].swap_adoption: site 's7': expected a \
                 number in [0, 1], found 1.5 (and 9 more like it)",
            ]
        );
        // Another value is another problem; so is another column.
        let csv = "name,cabinets,batteries,x_m\nA,1,12.5,0\nB,1,twelve,0\nC,1,12.5,x\n";
        assert_eq!(
            problems_with(TOML, &[("site-table.csv", csv)]),
            [
                "d/site-table.csv:2:5: site_table[0].row[0].batteries: site 'A': expected a \
                 positive integer, found float (and 1 more like it)",
                "d/site-table.csv:3:5: site_table[0].row[1].batteries: site 'B': expected a \
                 positive integer, found `twelve`",
                "d/site-table.csv:4:10: site_table[0].row[2].x_m: site 'C': expected a \
                 number, found `x`",
            ]
        );
    }

    /// Mangles the CSV char by char: parsing must return, and every
    /// diagnostic must point inside its file.
    #[test]
    fn never_panics_on_mangled_csv() {
        let chars: Vec<char> = CSV.chars().collect();
        for i in 0..chars.len() {
            for replacement in ["", "\"", ",", "\n", "\r", "x", "-1", "美"] {
                let mut mangled: String = chars[..i].iter().collect();
                mangled.push_str(replacement);
                mangled.extend(&chars[i + 1..]);
                if let Err(problems) = parse_files(TOML, &[("site-table.csv", &mangled)]) {
                    assert!(!problems.is_empty());
                    for p in &problems {
                        let text = if p.file.ends_with(".csv") {
                            &mangled
                        } else {
                            TOML
                        };
                        let lines = text.lines().count().max(1);
                        assert!(p.line >= 1 && p.line <= lines, "{p} in {mangled:?}");
                        assert!(p.column >= 1 && p.span_len >= 1, "{p} in {mangled:?}");
                    }
                }
            }
        }
    }

    /// `max_riders_present` from a row's cell, else from the table's
    /// `defaults`, else no cap; a bad cell is reported in the CSV.
    #[test]
    fn a_line_cap_comes_from_its_column_or_the_defaults() {
        let toml = "[scenario]\nname = \"caps\"\n\n\
                    [battery]\ncapacity_wh = 1000\n\
                    charge = { model = \"exponential\", mean_hours = 1 }\n\n\
                    [[site_table]]\nfile = \"caps.csv\"\n\
                    defaults = { slots_per_cabinet = 12, max_riders_present = 9 }\n";
        let csv = "name,cabinets,batteries,max_riders_present\nA,1,10,4\nB,2,20,\n";
        let m = model_with(toml, &[("caps.csv", csv)]);
        let caps: Vec<_> = m.sites.iter().map(|s| s.max_riders_present).collect();
        assert_eq!(caps, [Some(4), Some(9)]);
        let no_default = toml.replace(", max_riders_present = 9", "");
        let m = model_with(&no_default, &[("caps.csv", csv)]);
        let caps: Vec<_> = m.sites.iter().map(|s| s.max_riders_present).collect();
        assert_eq!(caps, [Some(4), None]);
        let bad = csv.replace(",4\n", ",0\n");
        assert_eq!(
            problems_with(toml, &[("caps.csv", &bad)]),
            [
                "d/caps.csv:2:8: site_table[0].row[0].max_riders_present: site 'A': expected an \
                 integer from 1 to 300000, found 0"
            ]
        );
    }

    #[test]
    fn cells_become_numbers_or_text_by_column() {
        assert!(matches!(cell_value("batteries", "12"), DeValue::Integer(_)));
        assert!(matches!(
            cell_value("swap_adoption", "0.3"),
            DeValue::Float(_)
        ));
        assert!(matches!(
            cell_value("batteries", "twelve"),
            DeValue::String(_)
        ));
        assert!(matches!(
            cell_value("batteries", "true"),
            DeValue::String(_)
        ));
        assert!(matches!(cell_value("name", "12"), DeValue::String(_)));
    }
}
