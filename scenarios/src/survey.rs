//! Survey import: a town's community survey sheet (a CSV file or a sheet of
//! an `.xlsx` workbook, headers in English or Chinese) and a template
//! scenario become a scenario with one `[[site]]` per community, which
//! `swapsim plan` then sizes. The sheet comes as records of cells with
//! their positions ([`SurveySheet`]), whichever file it came from.
//!
//! The scenario is the template's text, unchanged, followed by the
//! generated sites. The template keeps its own sections and any `[[site]]`
//! the survey does not list (a public swap point, say); its optional
//! `[survey]` table says how the first-guess cabinets are drawn and what a
//! row leaves out. `run` and `check` read `[survey]` and ignore it, so the
//! generated scenario records how it was made.
//!
//! Nothing partial is returned: a bad cell, a bad template or a site the
//! scenario rejects is a [`Diagnostic`] pointing into the sheet or the
//! template, and every problem is reported in one pass.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Bound::{Excluded, Included};

use toml::de::{DeTable, DeValue};

use crate::Diagnostic;
use crate::bounds;
use crate::diag::{FileId, Sink};
use crate::overrides::toml_string;
use crate::sheet::SurveySheet;
use crate::site_table::{Cell, Record, number_cell};
use crate::walk::{Integer, Kind, Number, Span, Table, describe, did_you_mean};

/// The `[survey]` table of a template: how generated sites are first sized,
/// and the values of columns a sheet leaves out.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Settings {
    /// Slots of the first-guess cabinets.
    pub(crate) slots_per_cabinet: u32,
    /// First-guess batteries per swap user (subscriber or courier).
    pub(crate) batteries_per_subscriber: f64,
    /// Share of the lithium e-bikes on a swap subscription, for rows
    /// without one; `None`: every row with e-bikes must give it.
    pub(crate) swap_adoption: Option<f64>,
    /// Share of lithium e-bikes, for rows without one.
    pub(crate) lithium_share: f64,
    /// Residential base load at its daily peak as a share of a
    /// transformer's rating × 0.9 (its default power factor), for rows
    /// that give neither the households it feeds nor its peak.
    pub(crate) transformer_base_utilization: f64,
    /// Longitude and latitude of `x_m = 0, y_m = 0` for sheets with
    /// `lon`/`lat`; `None`: the sheet's mean.
    pub(crate) origin: Option<(f64, f64)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            slots_per_cabinet: 12,
            // The pilot's 66 batteries for about 340 swap users [E].
            batteries_per_subscriber: 0.2,
            swap_adoption: None,
            // Lead-acid bikes do not swap [S]; without the column, assume
            // the adoption is a share of every e-bike.
            lithium_share: 1.0,
            // Below the 80 % loading limit [S], leaving room for piles [E].
            transformer_base_utilization: 0.6,
            origin: None,
        }
    }
}

/// A share: [0, 1].
const SHARE: Number = Number::new(Included(0.0), Included(1.0));
/// Longitudes [°].
const LONGITUDE: Number = Number::new(Included(-180.0), Included(180.0));
/// Latitudes [°].
const LATITUDE: Number = Number::new(Included(-90.0), Included(90.0));
/// Power factor of a site's own transformer when the template does not say.
const OWN_POWER_FACTOR: f64 = crate::transformer::DEFAULT_POWER_FACTOR;

/// Reads `[survey]`, or gives the defaults when it is absent.
pub(crate) fn read_settings(t: Option<Table<'_, '_>>, sink: &mut Sink<'_>) -> Option<Settings> {
    let d = Settings::default();
    let Some(mut t) = t else {
        return Some(d);
    };
    let slots = Integer::between(2, crate::costs::MAX_SLOTS);
    let slots_per_cabinet = t.defaulted(sink, "slots_per_cabinet", &slots, d.slots_per_cabinet);
    let batteries_per_subscriber = t.defaulted(
        sink,
        "batteries_per_subscriber",
        &bounds::BATTERIES_PER_SUBSCRIBER,
        d.batteries_per_subscriber,
    );
    let swap_adoption = t.optional(sink, "swap_adoption", &SHARE);
    let lithium_share = t.defaulted(sink, "lithium_share", &SHARE, d.lithium_share);
    let utilization = Number::new(Included(0.0), Excluded(1.0));
    let transformer_base_utilization = t.defaulted(
        sink,
        "transformer_base_utilization",
        &utilization,
        d.transformer_base_utilization,
    );
    let lon = t.optional(sink, "origin_lon", &LONGITUDE);
    let lat = t.optional(sink, "origin_lat", &LATITUDE);
    let origin = match (lon, lat) {
        (Ok(Some(lon)), Ok(Some(lat))) => Some(Some((lon, lat))),
        (Ok(None), Ok(None)) => Some(None),
        (Ok(Some(_)), Ok(None)) => {
            t.error(sink, "origin_lon", "`origin_lon` needs `origin_lat` too");
            None
        }
        (Ok(None), Ok(Some(_))) => {
            t.error(sink, "origin_lat", "`origin_lat` needs `origin_lon` too");
            None
        }
        _ => None,
    };
    t.finish(sink);
    Some(Settings {
        slots_per_cabinet: slots_per_cabinet?,
        batteries_per_subscriber: batteries_per_subscriber?,
        swap_adoption: swap_adoption.ok()?,
        lithium_share: lithium_share?,
        transformer_base_utilization: transformer_base_utilization?,
        origin: origin?,
    })
}

/// Turns a survey sheet into a scenario: the template's text, then one
/// `[[site]]` per row of the sheet.
///
/// `sheet_csv` is the sheet (UTF-8 CSV, headers in English or Chinese; the
/// columns are listed in this crate's README), `template_source` a scenario
/// without `[[site_table]]`, whose optional `[survey]` table sets how the
/// sites are first sized. The names are used in the diagnostics.
///
/// On failure, returns every problem: those of the template first, then
/// those of the sheet, each in file order.
///
/// ```
/// let template = "[scenario]\nname = \"town\"\n\n[battery]\ncapacity_wh = 1000\n\
///                 charge = { model = \"cc_cv\", power_w = 400, knee_soc = 0.8, efficiency = 0.92 }\n\n\
///                 [survey]\nswap_adoption = 0.3\n";
/// let sheet = "小区名称,户数,电动车数量,锂电池占比\n美吉鑫小区,1300,1000,20%\n";
/// let scenario = scenarios::import_survey(sheet, "sheet.csv", template, "t.toml").unwrap();
/// let model = scenarios::parse(&scenario, "town.toml").unwrap();
/// // 1000 e-bikes × 20 % lithium × 30 % adoption: 60 subscribers.
/// assert_eq!(model.sites[0].swap_adoption, 0.06);
///
/// let bad = "小区名称,户数\n美吉鑫小区,many\n";
/// let problems = scenarios::import_survey(bad, "sheet.csv", template, "t.toml").unwrap_err();
/// assert_eq!(
///     problems[0].to_string(),
///     "sheet.csv:2:7: row[0].households: site '美吉鑫小区': expected an integer from 0 to \
///      200000, found `many`"
/// );
/// ```
pub fn import_survey(
    sheet_csv: &str,
    sheet_name: &str,
    template_source: &str,
    template_name: &str,
) -> Result<String, Vec<Diagnostic>> {
    import_survey_sheet(
        SurveySheet::csv(sheet_csv, sheet_name),
        template_source,
        template_name,
    )
}

/// [`import_survey`] of a sheet read by [`SurveySheet::read`]: a CSV, or a
/// worksheet of an `.xlsx` workbook, whose diagnostics name their cell
/// (`survey.xlsx:Sheet1!C3: row[1].households: ...`) and quote its row.
///
/// ```
/// let template = "[scenario]\nname = \"town\"\n\n[battery]\ncapacity_wh = 1000\n\
///                 charge = { model = \"cc_cv\", power_w = 400, knee_soc = 0.8, efficiency = 0.92 }\n";
/// let sheet = scenarios::SurveySheet::csv("name,households\nA,many\n", "sheet.csv");
/// let problems = scenarios::import_survey_sheet(sheet, template, "t.toml").unwrap_err();
/// assert_eq!(problems[0].to_string(), "sheet.csv:2:3: row[0].households: site 'A': \
///     expected an integer from 0 to 200000, found `many`");
/// ```
pub fn import_survey_sheet(
    sheet: SurveySheet,
    template_source: &str,
    template_name: &str,
) -> Result<String, Vec<Diagnostic>> {
    crate::prescan::prescan(template_source, template_name)?;
    // Where the sites come from, in the scenario's comment.
    let source = match sheet.sheet_name() {
        Some(name) => format!("{}, sheet '{name}'", sheet.file),
        None => sheet.file.clone(),
    };
    let SurveySheet {
        file: sheet_name,
        text: sheet_text,
        records,
        cells,
    } = sheet;
    let mut template_sink = Sink::new(template_name, template_source);
    let template = read_template(template_source, &mut template_sink);
    let mut sheet_sink = Sink::new(&sheet_name, &sheet_text);
    if let Some(cells) = cells {
        sheet_sink.set_sheet_cells(cells);
    }
    let sheet = read_sheet(&records, template.settings.as_ref(), &mut sheet_sink);
    // Read: the cells are no longer needed (190 MB at 100,000 rows).
    drop(records);

    let mut text = template_source.to_owned();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    let template_lines = text.lines().count();
    // The sites of the valid rows; with the default settings when the
    // template's are invalid, to check the template all the same.
    let settings = template.settings.clone().unwrap_or_default();
    let mut generated = Vec::new();
    if let Some(sheet) = &sheet {
        write_sites(&mut text, &source, sheet, &settings, &mut generated);
    }
    // The rows are written; free them before the scenario is parsed.
    drop(sheet);
    let mut template_problems = template_sink.finish();
    // The scenario as a whole: problems in the template's text are the
    // template's, those in a site its row's.
    if template.checkable {
        let checked: Cow<'_, str> = if generated.is_empty() {
            format!("{text}{PLACEHOLDER_SITE}").into()
        } else {
            text.as_str().into()
        };
        if let Err(problems) = crate::parse(&checked, template_name) {
            for problem in problems {
                if problem.line <= template_lines {
                    // `[survey]` was checked above, with the same words.
                    if !problem.field.starts_with("survey") {
                        template_problems.push(problem);
                    }
                } else if template.settings.is_some() && !generated.is_empty() {
                    blame_row(&problem, &generated, &mut sheet_sink);
                }
            }
        }
    }
    template_problems.sort_by_key(|p| (p.line, p.column));
    let mut problems = template_problems;
    problems.extend(sheet_sink.finish());
    if problems.is_empty() {
        Ok(text)
    } else {
        Err(problems)
    }
}

/// A site appended to check a template when no row made one: the
/// template may have no sites of its own.
const PLACEHOLDER_SITE: &str = "\n[[site]]\nname = \"import-survey placeholder\"\ncabinets = 1\n\
                                slots_per_cabinet = 1\nbatteries = 1\n";

/// What the import needs of the template.
struct Template {
    /// Its `[survey]`; `None` when invalid (reported).
    settings: Option<Settings>,
    /// Whether the scenario can be checked as a whole: the template is
    /// valid TOML and names no files.
    checkable: bool,
}

/// Checks what the import itself needs of the template: valid TOML, no
/// `[[site_table]]`, a valid `[survey]`.
fn read_template(source: &str, sink: &mut Sink<'_>) -> Template {
    let (document, syntax_errors) = DeTable::parse_recoverable(source);
    if !syntax_errors.is_empty() {
        for error in syntax_errors {
            sink.error(error.span().unwrap_or(0..0), "syntax", error.message());
        }
        return Template {
            settings: None,
            checkable: false,
        };
    }
    let mut root = Table::root(&document);
    let checkable = !root.has("site_table");
    if !checkable {
        root.error(
            sink,
            "site_table",
            "a survey template cannot have `[[site_table]]`: the survey's rows are its sites; \
             list other sites as `[[site]]`",
        );
    }
    let settings = root
        .optional_table(sink, "survey")
        .ok()
        .and_then(|table| read_settings(table, sink));
    Template {
        settings,
        checkable,
    }
}

/// What a column of the sheet gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Col {
    /// A row number, ignored.
    Index,
    Name,
    Town,
    Households,
    Ebikes,
    SwapAdoption,
    LithiumShare,
    Couriers,
    PilePorts,
    TransformerKva,
    TransformerHouseholds,
    TransformerPeakKw,
    XM,
    YM,
    Lon,
    Lat,
    /// Daily charging sessions: sets the site's `nonsub_interval_days`.
    DailyCharges,
    /// Survey figures the model does not use: kept as a comment.
    ChargingHours,
    Fee,
    Notes,
}

/// A column: its English name and the Chinese headers that mean it.
struct Column {
    col: Col,
    key: &'static str,
    chinese: &'static [&'static str],
}

/// The columns a sheet may have, in the order messages list them.
const COLUMNS: &[Column] = &[
    Column {
        col: Col::Name,
        key: "name",
        chinese: &["小区名称", "小区", "小区名"],
    },
    Column {
        col: Col::Town,
        key: "town",
        chinese: &["街道", "镇", "镇街", "所属镇街", "所属街道"],
    },
    Column {
        col: Col::Households,
        key: "households",
        chinese: &["户数", "总户数"],
    },
    Column {
        col: Col::Ebikes,
        key: "ebikes",
        chinese: &["电动车数量", "电动自行车数量", "电动车数"],
    },
    Column {
        col: Col::SwapAdoption,
        key: "swap_adoption",
        chinese: &["换电意愿"],
    },
    Column {
        col: Col::LithiumShare,
        key: "lithium_share",
        chinese: &["锂电池占比", "锂电占比"],
    },
    Column {
        col: Col::Couriers,
        key: "couriers",
        chinese: &["外卖骑手", "外卖骑手数", "骑手数量"],
    },
    Column {
        col: Col::PilePorts,
        key: "pile_ports",
        chinese: &["现有充电桩端口", "充电桩端口数", "充电端口数"],
    },
    Column {
        col: Col::TransformerKva,
        key: "transformer_kva",
        chinese: &["变压器容量"],
    },
    Column {
        col: Col::TransformerHouseholds,
        key: "transformer_households",
        chinese: &["变压器供电户数"],
    },
    Column {
        col: Col::TransformerPeakKw,
        key: "transformer_peak_kw",
        chinese: &["变压器最大负荷"],
    },
    Column {
        col: Col::XM,
        key: "x_m",
        chinese: &[],
    },
    Column {
        col: Col::YM,
        key: "y_m",
        chinese: &[],
    },
    Column {
        col: Col::Lon,
        key: "lon",
        chinese: &["经度"],
    },
    Column {
        col: Col::Lat,
        key: "lat",
        chinese: &["纬度"],
    },
    Column {
        col: Col::DailyCharges,
        key: "daily_charges",
        chinese: &["日均充电车次"],
    },
    Column {
        col: Col::ChargingHours,
        key: "charging_hours",
        chinese: &["充电时段"],
    },
    Column {
        col: Col::Fee,
        key: "fee",
        chinese: &["充电费用", "收费标准"],
    },
    Column {
        col: Col::Notes,
        key: "notes",
        chinese: &["备注"],
    },
    Column {
        col: Col::Index,
        key: "index",
        chinese: &["序号"],
    },
];

impl Col {
    fn column(self) -> &'static Column {
        COLUMNS
            .iter()
            .find(|c| c.col == self)
            .expect("every column is listed")
    }

    fn key(self) -> &'static str {
        self.column().key
    }
}

/// A header as matched: without a unit in brackets at its end
/// ("户数（户）", "变压器容量(kVA)"), English in lower case.
fn normalise(header: &str) -> String {
    let mut text = header.trim();
    for (open, close) in [('(', ')'), ('（', '）')] {
        if text.ends_with(close)
            && let Some(at) = text.rfind(open)
        {
            text = text[..at].trim_end();
        }
    }
    text.to_lowercase()
}

/// The column a header names.
fn column_of(header: &str) -> Option<Col> {
    let header = normalise(header);
    COLUMNS
        .iter()
        .find(|c| c.key == header || c.chinese.contains(&header.as_str()))
        .map(|c| c.col)
}

/// The columns for messages: "`name` (小区名称), `town` (街道), ...".
fn column_list() -> String {
    let names: Vec<String> = COLUMNS
        .iter()
        .map(|c| match c.chinese.first() {
            Some(chinese) => format!("`{}` ({chinese})", c.key),
            None => format!("`{}`", c.key),
        })
        .collect();
    names.join(", ")
}

/// One row of the sheet, read.
struct Row {
    /// Row number, from 0 after the header.
    index: usize,
    record_span: Span,
    /// The cell of each column the row fills.
    cells: HashMap<Col, Span>,
    name: String,
    town: Option<String>,
    households: Option<u32>,
    ebikes: Option<u32>,
    adoption: Option<f64>,
    lithium: Option<f64>,
    couriers: Option<u32>,
    pile_ports: Option<u32>,
    transformer_kva: Option<f64>,
    transformer_households: Option<u32>,
    transformer_peak_kw: Option<f64>,
    /// `x_m, y_m` or `lon, lat`, as written.
    position: Option<(f64, f64)>,
    /// Charging sessions a day, with the column's header as written.
    daily_charges: Option<(String, f64)>,
    /// Survey figures kept as a comment: (header as written, text).
    figures: Vec<(String, String)>,
}

/// The sheet, read.
struct Sheet {
    rows: Vec<Row>,
    /// Whether positions are longitude and latitude (else metres).
    lon_lat: bool,
}

/// Reads the header and every row: the valid rows (the others are
/// reported), `None` when the header is unusable (reported).
fn read_sheet(
    records: &Result<Vec<Record>, (usize, String)>,
    settings: Option<&Settings>,
    sink: &mut Sink<'_>,
) -> Option<Sheet> {
    let records = match records {
        Ok(records) => records,
        Err((at, message)) => {
            sink.error(*at..*at, "sheet", message.clone());
            return None;
        }
    };
    let Some((header, rows)) = records.split_first() else {
        sink.error(
            0..0,
            "header",
            "the sheet is empty, expected a header row naming the columns",
        );
        return None;
    };
    let columns = read_header(header, sink);
    if rows.is_empty() {
        sink.error(
            header.span.clone(),
            "header",
            "the sheet has a header but no rows, expected one row per community",
        );
        return None;
    }
    let columns = columns?;
    let lon_lat = columns.contains(&Some(Col::Lon));
    let mut read = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (index, record) in rows.iter().enumerate() {
        let reader = RowReader {
            index,
            record,
            header,
            columns: &columns,
        };
        read.extend(reader.read(settings, &mut names, sink));
    }
    Some(Sheet {
        rows: read,
        lon_lat,
    })
}

/// The column of each header cell (`None`: ignored or bad); `None` when a
/// needed column is missing or the columns contradict each other.
fn read_header(header: &Record, sink: &mut Sink<'_>) -> Option<Vec<Option<Col>>> {
    let mut columns: Vec<Option<Col>> = Vec::new();
    let mut ok = true;
    for (i, cell) in header.cells.iter().enumerate() {
        let field = format!("header[{i}]");
        let col = column_of(&cell.text);
        match col {
            Some(col) if col != Col::Index && columns.contains(&Some(col)) => {
                let first = columns.iter().position(|c| *c == Some(col)).unwrap_or(0);
                let message = format!(
                    "duplicate column: `{}` gives `{}`, as `{}` does",
                    cell.text,
                    col.key(),
                    header.cells[first].text
                );
                sink.error(cell.span.clone(), field, message);
                ok = false;
            }
            Some(_) => {}
            None => {
                let aliases: Vec<&str> = COLUMNS
                    .iter()
                    .flat_map(|c| std::iter::once(c.key).chain(c.chinese.iter().copied()))
                    .collect();
                let message = if cell.text.is_empty() {
                    format!("empty column name, expected one of {}", column_list())
                } else {
                    format!(
                        "unknown column `{}`, expected one of {}{}",
                        cell.text,
                        column_list(),
                        did_you_mean(&normalise(&cell.text), &aliases)
                    )
                };
                sink.error(cell.span.clone(), field, message);
                ok = false;
            }
        }
        columns.push(col);
    }
    let has = |col: Col| columns.contains(&Some(col));
    let mut problem = |message: String| {
        sink.error(header.span.clone(), "header", message);
        ok = false;
    };
    if !has(Col::Name) {
        problem("missing column `name` (小区名称), expected one naming each community".into());
    }
    for (a, b) in [(Col::XM, Col::YM), (Col::Lon, Col::Lat)] {
        match (has(a), has(b)) {
            (true, false) => problem(format!(
                "column `{}` needs column `{}` too",
                a.key(),
                b.key()
            )),
            (false, true) => problem(format!(
                "column `{}` needs column `{}` too",
                b.key(),
                a.key()
            )),
            _ => {}
        }
    }
    if (has(Col::XM) || has(Col::YM)) && (has(Col::Lon) || has(Col::Lat)) {
        problem(
            "positions are either `x_m`/`y_m` (metres) or `lon`/`lat` (经度/纬度), not both".into(),
        );
    }
    ok.then_some(columns)
}

/// Reads one data row.
struct RowReader<'r> {
    index: usize,
    record: &'r Record,
    header: &'r Record,
    columns: &'r [Option<Col>],
}

impl RowReader<'_> {
    fn field(&self, col: Col) -> String {
        format!("row[{}].{}", self.index, col.key())
    }

    /// The non-empty cell of `col`, if the sheet has the column.
    fn cell(&self, col: Col) -> Option<&Cell> {
        let at = self.columns.iter().position(|c| *c == Some(col))?;
        self.record.cells.get(at).filter(|c| !c.text.is_empty())
    }

    /// Where a missing value of `col` is: its empty cell, or the row's end.
    fn empty_at(&self, col: Col) -> Span {
        let at = self.columns.iter().position(|c| *c == Some(col));
        match at.and_then(|at| self.record.cells.get(at)) {
            Some(cell) => cell.span.clone(),
            None => self.record.span.end..self.record.span.end,
        }
    }

    /// The header of `col` as the sheet writes it.
    fn header_of(&self, col: Col) -> &str {
        let at = self.columns.iter().position(|c| *c == Some(col));
        at.and_then(|at| self.header.cells.get(at))
            .map_or(col.key(), |c| c.text.as_str())
    }

    fn read(
        &self,
        settings: Option<&Settings>,
        names: &mut HashMap<String, usize>,
        sink: &mut Sink<'_>,
    ) -> Option<Row> {
        let mut ok = true;
        if self.record.cells.len() > self.columns.len() {
            let extra = &self.record.cells[self.columns.len()];
            sink.error(
                extra.span.clone(),
                format!("row[{}]", self.index),
                format!(
                    "{} cells, but the header names {} columns",
                    self.record.cells.len(),
                    self.columns.len()
                ),
            );
            ok = false;
        }
        let name = match self.cell(Col::Name) {
            Some(cell) => Some(cell.text.clone()),
            None => {
                sink.error(
                    self.empty_at(Col::Name),
                    self.field(Col::Name),
                    "empty cell, expected the community's name",
                );
                None
            }
        };
        let subject = name.as_ref().map(|n| format!("site '{n}'"));
        let subject = subject.as_deref();
        if let (Some(name), Some(cell)) = (&name, self.cell(Col::Name)) {
            if let Some(first) = names.get(name) {
                let message = format!("duplicate name, already used by row[{first}]");
                self.error(sink, cell.span.clone(), Col::Name, subject, message);
                ok = false;
            } else {
                names.insert(name.clone(), self.index);
            }
        }
        let mut read = Reads {
            row: self,
            subject,
            sink,
            ok: true,
        };
        let households = read.value(Col::Households, &bounds::EBIKES);
        let ebikes = read.value(Col::Ebikes, &bounds::EBIKES);
        let adoption = read.value(Col::SwapAdoption, &Share);
        let lithium = read.value(Col::LithiumShare, &Share);
        let couriers = read.value(Col::Couriers, &bounds::COURIERS);
        let pile_ports = read.value(Col::PilePorts, &bounds::PILE_PORTS);
        let transformer_kva = read.value(Col::TransformerKva, &bounds::RATING_KVA);
        let transformer_households = read.value(Col::TransformerHouseholds, &bounds::EBIKES);
        let transformer_peak_kw = read.value(Col::TransformerPeakKw, &bounds::BASE_PEAK_KW);
        let daily_charges = read
            .value(Col::DailyCharges, &bounds::DAILY_CHARGES)
            .map(|n| (self.header_of(Col::DailyCharges).to_owned(), n));
        let position = if self.columns.contains(&Some(Col::Lon)) {
            let (lon, lat) = (&LONGITUDE, &LATITUDE);
            read.pair(
                (Col::Lon, lon),
                (Col::Lat, lat),
                "a longitude",
                "a latitude",
            )
        } else if self.columns.contains(&Some(Col::XM)) {
            let any = Number::ANY;
            read.pair(
                (Col::XM, &any),
                (Col::YM, &any),
                "metres east",
                "metres north",
            )
        } else {
            None
        };
        ok &= read.ok;
        if transformer_kva.is_none() && self.cell(Col::TransformerKva).is_none() {
            for col in [Col::TransformerHouseholds, Col::TransformerPeakKw] {
                if let Some(cell) = self.cell(col) {
                    let message = format!(
                        "`{}` describes the transformer in `transformer_kva` ({}), which this \
                         row leaves empty",
                        col.key(),
                        self.header_of(Col::TransformerKva)
                    );
                    self.error(sink, cell.span.clone(), col, subject, message);
                    ok = false;
                }
            }
        }
        let needs_adoption = ebikes.is_some_and(|n| n > 0)
            && adoption.is_none()
            && self.cell(Col::SwapAdoption).is_none()
            && settings.is_some_and(|s| s.swap_adoption.is_none());
        if needs_adoption {
            let message = format!(
                "{} e-bikes need a swap adoption, expected a share like `30%` in the `{}` \
                 column or `swap_adoption` in the template's `[survey]`",
                ebikes.unwrap_or(0),
                self.header_of(Col::SwapAdoption)
            );
            let at = self.empty_at(Col::SwapAdoption);
            self.error(sink, at, Col::SwapAdoption, subject, message);
            ok = false;
        }
        let figures = [Col::ChargingHours, Col::Fee, Col::Notes]
            .into_iter()
            .filter_map(|col| {
                let cell = self.cell(col)?;
                // One comment line: a quoted cell may span lines.
                let text = cell.text.split_whitespace().collect::<Vec<_>>().join(" ");
                Some((self.header_of(col).to_owned(), text))
            })
            .collect();
        let cells = self
            .columns
            .iter()
            .zip(&self.record.cells)
            .filter_map(|(col, cell)| Some(((*col)?, cell.span.clone())))
            .collect();
        if !ok {
            return None;
        }
        Some(Row {
            index: self.index,
            record_span: self.record.span.clone(),
            cells,
            name: name?,
            town: self.cell(Col::Town).map(|c| c.text.clone()),
            households,
            ebikes,
            adoption,
            lithium,
            couriers,
            pile_ports,
            transformer_kva,
            transformer_households,
            transformer_peak_kw,
            position,
            daily_charges,
            figures,
        })
    }

    fn error(
        &self,
        sink: &mut Sink<'_>,
        span: Span,
        col: Col,
        subject: Option<&str>,
        message: String,
    ) {
        sink.error_about(FileId::MAIN, span, self.field(col), subject, message);
    }
}

/// Reads the cells of one row, noting whether all were valid.
struct Reads<'r, 's, 'k> {
    row: &'r RowReader<'r>,
    subject: Option<&'r str>,
    sink: &'k mut Sink<'s>,
    ok: bool,
}

impl Reads<'_, '_, '_> {
    /// The value of `col`'s cell; `None` when empty or invalid (reported).
    fn value<K: Kind>(&mut self, col: Col, kind: &K) -> Option<K::Out> {
        let cell = self.row.cell(col)?;
        let value = number_cell(&cell.text);
        match kind.read(&value, &cell.text) {
            Ok(value) => Some(value),
            Err(message) => {
                // A sheet shows its cell, not a TOML type: "found 2.5".
                let message = match value {
                    DeValue::Integer(_) | DeValue::Float(_) => message
                        .strip_suffix(&format!("found {}", value.type_str()))
                        .map_or(message.clone(), |m| format!("{m}found {}", cell.text)),
                    _ => message,
                };
                self.row
                    .error(self.sink, cell.span.clone(), col, self.subject, message);
                self.ok = false;
                None
            }
        }
    }

    /// A position: both cells must be filled.
    fn pair(
        &mut self,
        (a, a_kind): (Col, &Number),
        (b, b_kind): (Col, &Number),
        a_what: &str,
        b_what: &str,
    ) -> Option<(f64, f64)> {
        let mut get = |col: Col, kind: &Number, what: &str| {
            if self.row.cell(col).is_none() {
                let message = format!("empty cell, expected {what}: {}", kind.expected());
                self.row.error(
                    self.sink,
                    self.row.empty_at(col),
                    col,
                    self.subject,
                    message,
                );
                self.ok = false;
                return None;
            }
            self.value(col, kind)
        };
        let a = get(a, a_kind, a_what);
        let b = get(b, b_kind, b_what);
        Some((a?, b?))
    }
}

/// A share of 0 to 1, or a percentage: `0.3`, `30%`, `30％`.
struct Share;

impl Kind for Share {
    type Out = f64;

    fn expected(&self) -> String {
        "a share from 0 to 1 or a percentage like `30%`".into()
    }

    fn read(&self, value: &DeValue<'_>, raw: &str) -> Result<f64, String> {
        let percent = raw
            .strip_suffix(['%', '％'])
            .and_then(|number| number.trim().parse::<f64>().ok())
            .filter(|p| p.is_finite());
        let share = match (percent, value) {
            (Some(p), _) => Some(p / 100.0),
            (None, DeValue::Integer(_) | DeValue::Float(_)) => raw.parse::<f64>().ok(),
            _ => None,
        };
        match share {
            Some(share) if (0.0..=1.0).contains(&share) => Ok(share),
            Some(_) => Err(format!("expected {}, found {raw}", self.expected())),
            None => Err(format!(
                "expected {}, found {}",
                self.expected(),
                describe(value, raw)
            )),
        }
    }
}

/// Where each generated `[[site]]` is in the scenario text, and its row.
struct Generated {
    /// Lines of the `[[site]]` table [1-based, inclusive].
    lines: std::ops::RangeInclusive<usize>,
    row: usize,
    record_span: Span,
    cells: HashMap<Col, Span>,
}

/// Appends one `[[site]]` per row to `text`, recording where each is.
fn write_sites(
    text: &mut String,
    source: &str,
    sheet: &Sheet,
    settings: &Settings,
    generated: &mut Vec<Generated>,
) {
    // Writing to a String cannot fail.
    let _ = writeln!(
        text,
        "\n# ---- sites imported by `swapsim import-survey` from {source}: one [[site]] per \
         row ----\n# Cabinets and batteries are a first guess from [survey]; `swapsim plan` \
         sizes them."
    );
    let mean = || {
        let n = sheet.rows.len().max(1) as f64;
        let positions = sheet.rows.iter().filter_map(|r| r.position);
        let (lon, lat) = positions.fold((0.0, 0.0), |(x, y), (lon, lat)| (x + lon, y + lat));
        (round(lon / n, 1e6), round(lat / n, 1e6))
    };
    let origin = sheet.lon_lat.then(|| settings.origin.unwrap_or_else(mean));
    if let Some((lon, lat)) = origin {
        let whose = if settings.origin.is_some() {
            "[survey]'s origin"
        } else {
            "the sheet's mean"
        };
        let _ = writeln!(
            text,
            "# Positions: metres east and north of {whose}, longitude {lon}, latitude {lat}."
        );
    }
    // `text` ends with a newline here and after every site, so its lines
    // are its newlines; counted as they are written (counting the whole
    // text again for every row made the import quadratic in the rows).
    let mut lines = text.matches('\n').count();
    for row in &sheet.rows {
        text.push('\n');
        lines += 1;
        let first = lines + 1;
        let start = text.len();
        write_site(text, row, settings, origin);
        lines += text[start..].matches('\n').count();
        generated.push(Generated {
            lines: first..=lines,
            row: row.index,
            record_span: row.record_span.clone(),
            cells: row.cells.clone(),
        });
    }
}

/// Mean radius of the earth [m], for local metres from degrees.
const EARTH_RADIUS_M: f64 = 6_371_000.0;

/// Writes the `[[site]]` of one row.
fn write_site(text: &mut String, row: &Row, settings: &Settings, origin: Option<(f64, f64)>) {
    let _ = writeln!(text, "[[site]]");
    let mut line = |key: &str, value: String, comment: Option<String>| {
        let pair = format!("{key} = {value}");
        let _ = match comment {
            // Comments line up at column 33, as in the shipped scenarios.
            Some(comment) => {
                let pad = 32_usize.saturating_sub(pair.chars().count()).max(1);
                writeln!(text, "{pair}{:pad$}# {comment}", "")
            }
            None => writeln!(text, "{pair}"),
        };
    };
    line("name", toml_string(&row.name), None);
    if let Some(town) = &row.town {
        line("town", toml_string(town), None);
    }
    if let Some(households) = row.households {
        line("households", households.to_string(), None);
    }
    let ebikes = row.ebikes.unwrap_or(0);
    let adoption = row.adoption.or(settings.swap_adoption).unwrap_or(0.0);
    let lithium = row.lithium.unwrap_or(settings.lithium_share);
    let share = round(adoption * lithium, 1e6);
    if let Some(ebikes) = row.ebikes {
        line("ebikes", ebikes.to_string(), None);
        let from = |cell: Option<f64>| if cell.is_some() { "" } else { " ([survey])" };
        let comment = format!(
            "adoption {}{} × lithium share {}{}",
            round(adoption, 1e6),
            from(row.adoption),
            round(lithium, 1e6),
            from(row.lithium)
        );
        line("swap_adoption", number(share), Some(comment));
    }
    if let Some(couriers) = row.couriers {
        line("couriers", couriers.to_string(), None);
    }
    if let Some(ports) = row.pile_ports {
        line("pile_ports", ports.to_string(), None);
    }
    // The sessions a day set the interval of the bikes not on a
    // subscription, as the engine counts them; none counted (0) or no bike
    // to charge leaves `[home_charging]`'s, and the figure a comment.
    let subscribers = ((f64::from(ebikes) * share).round() as u32).min(ebikes);
    let nonsub = ebikes - subscribers;
    let mut figures = Vec::new();
    match &row.daily_charges {
        Some((header, sessions)) if *sessions > 0.0 && nonsub > 0 => {
            let days = round(f64::from(nonsub) / sessions, 1e3);
            let comment = format!(
                "{header} {}: ({ebikes} e-bikes − {subscribers} subscribers) ÷ {} a day",
                number(*sessions),
                number(*sessions)
            );
            line("nonsub_interval_days", number(days), Some(comment));
        }
        Some((header, sessions)) => figures.push(format!("{header} {}", number(*sessions))),
        None => {}
    }
    match (row.position, origin) {
        (Some((lon, lat)), Some((lon0, lat0))) => {
            let x = (lon - lon0).to_radians() * lat0.to_radians().cos() * EARTH_RADIUS_M;
            let y = (lat - lat0).to_radians() * EARTH_RADIUS_M;
            let comment = format!("lon {lon}, lat {lat}");
            line("x_m", number(x.round()), Some(comment));
            line("y_m", number(y.round()), None);
        }
        (Some((x, y)), None) => {
            line("x_m", number(x), None);
            line("y_m", number(y), None);
        }
        _ => {}
    }
    if let Some(kva) = row.transformer_kva {
        let mut keys = format!("rating_kva = {}", number(kva));
        let mut comment = None;
        if let Some(peak) = row.transformer_peak_kw {
            let _ = write!(keys, ", base_peak_kw = {}", number(peak));
        } else if let Some(households) = row.transformer_households {
            let _ = write!(keys, ", households = {households}");
        } else {
            let peak = round(
                kva * OWN_POWER_FACTOR * settings.transformer_base_utilization,
                10.0,
            );
            let _ = write!(keys, ", base_peak_kw = {}", number(peak));
            comment = Some(format!(
                "base load assumed: {} × {kva} kVA × {OWN_POWER_FACTOR} ([survey])",
                settings.transformer_base_utilization
            ));
        }
        line("transformer", format!("{{ {keys} }}"), comment);
    }
    // First guess: enough batteries for the swap users, in cabinets that
    // keep one slot free for a hand-in.
    let users = (f64::from(ebikes) * share).round() + f64::from(row.couriers.unwrap_or(0));
    let batteries = ((users * settings.batteries_per_subscriber).ceil() as u32).max(1);
    let slots = settings.slots_per_cabinet;
    // `[survey] slots_per_cabinet` is at least 2.
    let cabinets = batteries.div_ceil(slots - 1).max(1);
    let comment = format!("first guess for {users} swap users; `swapsim plan` sizes it");
    line("cabinets", cabinets.to_string(), Some(comment));
    line("slots_per_cabinet", slots.to_string(), None);
    line("batteries", batteries.to_string(), None);
    figures.extend(
        row.figures
            .iter()
            .map(|(header, value)| format!("{header} {value}")),
    );
    if !figures.is_empty() {
        let _ = writeln!(text, "# survey: {}", figures.join("; "));
    }
}

/// `x` rounded to `1 / per_unit`.
fn round(x: f64, per_unit: f64) -> f64 {
    (x * per_unit).round() / per_unit
}

/// A number as TOML reads it back: `12`, `0.063`, `-3.5`.
fn number(x: f64) -> String {
    // `-0` would read back as 0 anyway; write what a person expects.
    if x == 0.0 { "0".into() } else { x.to_string() }
}

/// Reports a problem the scenario found in a generated site at the row it
/// came from: the cell behind the key when there is one.
fn blame_row(problem: &Diagnostic, generated: &[Generated], sink: &mut Sink<'_>) {
    let Some(site) = generated.iter().find(|g| g.lines.contains(&problem.line)) else {
        debug_assert!(false, "a problem outside the generated sites: {problem}");
        sink.error(0..0, problem.field.clone(), problem.message.clone());
        return;
    };
    // `site[12].transformer.rating_kva` → `row[3].transformer.rating_kva`.
    let rest = problem
        .field
        .strip_prefix("site[")
        .and_then(|f| f.split_once(']'))
        .map_or("", |(_, rest)| rest);
    let key = rest
        .trim_start_matches('.')
        .split(['.', '['])
        .next()
        .unwrap_or_default();
    let cols: &[Col] = match key {
        "name" => &[Col::Name],
        "town" => &[Col::Town],
        "households" => &[Col::Households],
        "ebikes" => &[Col::Ebikes],
        "swap_adoption" => &[Col::SwapAdoption, Col::LithiumShare],
        "couriers" => &[Col::Couriers],
        "pile_ports" => &[Col::PilePorts],
        "transformer" => &[Col::TransformerKva],
        "x_m" => &[Col::XM, Col::Lon],
        "y_m" => &[Col::YM, Col::Lat],
        _ => &[],
    };
    let span = cols
        .iter()
        .find_map(|col| site.cells.get(col))
        .unwrap_or(&site.record_span);
    let field = format!("row[{}]{rest}", site.row);
    sink.error(span.clone(), field, problem.message.clone());
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "[scenario]\nname = \"t\"\n\n[battery]\ncapacity_wh = 1000\n\
        charge = { model = \"cc_cv\", power_w = 400, knee_soc = 0.8, efficiency = 0.92 }\n\n\
        [survey]\nswap_adoption = 0.3\n";

    fn import(sheet: &str) -> Result<String, Vec<String>> {
        import_survey(sheet, "s.csv", TEMPLATE, "t.toml")
            .map_err(|problems| problems.iter().map(ToString::to_string).collect())
    }

    fn model(sheet: &str) -> sim_core::Model {
        let text = import(sheet).unwrap_or_else(|p| panic!("{p:#?}"));
        crate::parse(&text, "out.toml").unwrap_or_else(|p| panic!("{p:#?}\n{text}"))
    }

    #[test]
    fn headers_are_english_or_chinese_with_or_without_units() {
        assert_eq!(column_of("小区名称"), Some(Col::Name));
        assert_eq!(column_of(" Households "), Some(Col::Households));
        assert_eq!(column_of("变压器容量（kVA）"), Some(Col::TransformerKva));
        assert_eq!(column_of("变压器容量(kVA)"), Some(Col::TransformerKva));
        assert_eq!(column_of("户数(户)"), Some(Col::Households));
        assert_eq!(column_of("联系人"), None);
    }

    #[test]
    fn subscribers_are_lithium_bikes_that_adopt_swapping() {
        let m = model("name,ebikes,换电意愿,锂电池占比\nA,1000,30%,0.2\nB,500,,\nC,0,,\n");
        let shares: Vec<f64> = m.sites.iter().map(|s| s.swap_adoption).collect();
        // B and C take the template's adoption and a lithium share of 1.
        assert_eq!(shares, [0.06, 0.3, 0.3]);
        // 60 subscribers × 0.2: 12 batteries in two 12-slot cabinets.
        let a = &m.sites[0];
        assert_eq!((a.cabinets, a.slots_per_cabinet, a.batteries), (2, 12, 12));
        let c = &m.sites[2];
        assert_eq!((c.cabinets, c.batteries), (1, 1));
    }

    /// Issue 10: a swap needs an empty compartment, so the first guess
    /// keeps one free in every cabinet, and a one-slot cabinet is refused.
    #[test]
    fn first_guess_cabinets_keep_one_compartment_empty() {
        // 55, 60 and 110 swap users × 0.2: 11, 12 and 22 batteries.
        let m = model("name,ebikes,换电意愿\nA,55,100%\nB,60,100%\nC,110,100%\n");
        let sizes: Vec<(u32, u32, u32)> = m
            .sites
            .iter()
            .map(|s| (s.cabinets, s.slots_per_cabinet, s.batteries))
            .collect();
        assert_eq!(sizes, [(1, 12, 11), (2, 12, 12), (2, 12, 22)]);
        for site in &m.sites {
            assert!(site.batteries <= site.max_batteries(), "{}", site.name);
        }
        let one_slot = TEMPLATE.replace("[survey]\n", "[survey]\nslots_per_cabinet = 1\n");
        let problems: Vec<String> = import_survey("name\nA\n", "s.csv", &one_slot, "t.toml")
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            ["t.toml:9:21: survey.slots_per_cabinet: expected an integer from 2 to 64, found 1"]
        );
    }

    #[test]
    fn longitude_and_latitude_become_metres_around_the_mean() {
        let m = model("name,经度,纬度\nA,106.0,29.0\nB,106.01,29.0\nC,106.005,29.009\n");
        let (a, b, c) = (&m.sites[0], &m.sites[1], &m.sites[2]);
        // 0.01° of longitude at 29° N is about 973 m.
        assert!(((b.x_m - a.x_m) - 973.0).abs() < 2.0, "{} {}", a.x_m, b.x_m);
        assert!(
            ((c.y_m - a.y_m) - 1001.0).abs() < 2.0,
            "{} {}",
            a.y_m,
            c.y_m
        );
        assert!((a.x_m + b.x_m + c.x_m).abs() <= 1.0);
    }

    #[test]
    fn transformers_take_their_households_peak_or_an_assumed_base_load() {
        let m = model(
            "name,households,变压器容量,变压器供电户数,变压器最大负荷\n\
             A,1000,800,140,\nB,600,630,,300\nC,300,400,,\nD,300,,,\n",
        );
        let t = &m.grid.transformers;
        assert_eq!(t.len(), 3);
        assert_eq!((t[0].name.as_str(), t[0].rating_kva), ("A", 800.0));
        assert_eq!(t[0].base_peak_kw, 140.0 * 6.0 * 0.6);
        assert_eq!(t[1].base_peak_kw, 300.0);
        assert_eq!(t[2].base_peak_kw, 400.0 * 0.9 * 0.6);
        assert_eq!(m.sites[3].transformer, None);
    }

    #[test]
    fn survey_figures_become_comments() {
        let text =
            import("小区名称,日均充电车次,充电时段,充电费用\nA,400,\"18:00-\n23:00\",1元/次\n")
                .unwrap();
        assert!(
            text.contains("# survey: 日均充电车次 400; 充电时段 18:00- 23:00; 充电费用 1元/次\n"),
            "{text}"
        );
    }

    #[test]
    fn daily_sessions_set_the_interval_of_bikes_not_on_a_subscription() {
        let sheet = "name,ebikes,换电意愿,锂电池占比,日均充电车次\n\
                     A,990,30%,25%,330\nB,600,30%,25%,0\nC,0,30%,25%,50\nD,600,30%,25%,\n";
        let text = import(sheet).unwrap();
        // 990 × 0.075 = 74.25: 74 subscribers, 916 others, 330 a day.
        assert!(
            text.contains(
                "nonsub_interval_days = 2.776    # 日均充电车次 330: (990 e-bikes − 74 \
                 subscribers) ÷ 330 a day\n"
            ),
            "{text}"
        );
        let sites = model(sheet).sites;
        assert_eq!(sites[0].nonsub_interval_days, Some(2.776));
        // None counted, no bike to charge, or no figure: [home_charging]'s.
        for site in &sites[1..] {
            assert_eq!(site.nonsub_interval_days, None, "{}", site.name);
        }
        assert!(text.contains("# survey: 日均充电车次 0\n"), "{text}");
        assert!(text.contains("# survey: 日均充电车次 50\n"), "{text}");
        let problems = import("name,日均充电车次\nA,约200\n").unwrap_err();
        assert_eq!(
            problems,
            [
                "s.csv:2:3: row[0].daily_charges: site 'A': expected a number in [0, 4000000], found `约200`"
            ]
        );
    }

    #[test]
    fn every_bad_cell_is_reported_and_nothing_is_returned() {
        let sheet = "name,户数,ebikes,换电意愿,x_m,y_m,变压器供电户数\n\
                     A,abc,10,130%,0,,\nA,-1,5,0.2,1,2,30\n,3,,,1,2,\n";
        assert_eq!(
            import(sheet).unwrap_err(),
            [
                "s.csv:2:3: row[0].households: site 'A': expected an integer from 0 to 200000, \
                 found `abc`",
                "s.csv:2:10: row[0].swap_adoption: site 'A': expected a share from 0 to 1 or a \
                 percentage like `30%`, found 130%",
                "s.csv:2:17: row[0].y_m: site 'A': empty cell, expected metres north: a number",
                "s.csv:3:1: row[1].name: site 'A': duplicate name, already used by row[0]",
                "s.csv:3:3: row[1].households: site 'A': expected an integer from 0 to 200000, \
                 found -1",
                "s.csv:3:16: row[1].transformer_households: site 'A': `transformer_households` \
                 describes the transformer in `transformer_kva` (transformer_kva), which this \
                 row leaves empty",
                "s.csv:4:1: row[2].name: empty cell, expected the community's name",
            ]
        );
    }

    #[test]
    fn headers_must_name_known_columns() {
        assert_eq!(
            import("名称,户数,户数,lon\nA,1,2,3\n").unwrap_err(),
            [
                format!(
                    "s.csv:1:1: header[0]: unknown column `名称`, expected one of {}",
                    column_list()
                ),
                "s.csv:1:1: header: missing column `name` (小区名称), expected one naming each \
                 community"
                    .to_owned(),
                "s.csv:1:1: header: column `lon` needs column `lat` too".to_owned(),
                "s.csv:1:7: header[2]: duplicate column: `户数` gives `households`, as `户数` \
                 does"
                    .to_owned(),
            ]
        );
        assert_eq!(
            import("").unwrap_err(),
            ["s.csv:1:1: header: the sheet is empty, expected a header row naming the columns"]
        );
        assert_eq!(
            import("name\n").unwrap_err(),
            [
                "s.csv:1:1: header: the sheet has a header but no rows, expected one row per \
              community"
            ]
        );
    }

    #[test]
    fn adoption_is_needed_for_bikes_without_a_template_default() {
        let template = TEMPLATE.replace("swap_adoption = 0.3", "");
        let problems =
            import_survey("name,ebikes\nA,100\nB,0\n", "s.csv", &template, "t.toml").unwrap_err();
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "s.csv:2:6: row[0].swap_adoption: site 'A': 100 e-bikes need a swap adoption, \
              expected a share like `30%` in the `swap_adoption` column or `swap_adoption` in \
              the template's `[survey]`"
            ]
        );
    }

    #[test]
    fn template_problems_come_first_and_site_problems_at_their_row() {
        let template = TEMPLATE
            .replace("capacity_wh = 1000", "capacity_wh = -1")
            .replace("swap_adoption = 0.3", "swap_adoption = 0.3\nslots = 12");
        let problems =
            import_survey("name,couriers\nA,\nB,3\n", "s.csv", &template, "t.toml").unwrap_err();
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "t.toml:5:15: battery.capacity_wh: expected a number in (0, 100000], found -1",
                "t.toml:10:1: survey.slots: unknown key, expected one of `slots_per_cabinet`, \
                 `batteries_per_subscriber`, `swap_adoption`, `lithium_share`, \
                 `transformer_base_utilization`, `origin_lon`, `origin_lat`; did you mean \
                 `slots_per_cabinet`?",
            ]
        );
        // With a valid template, a problem only the scenario sees is put
        // at the row's cell: couriers need a group that works across.
        let template = format!(
            "{TEMPLATE}\n[[group]]\nname = \"c\"\ndaily_km = 25\nwh_per_km = 15\n\
             trips_per_day = 2\nprofile = \"flat\"\nswap_threshold_soc = 0.3\n"
        );
        let problems =
            import_survey("name,couriers\nA,\nB,3\n", "s.csv", &template, "t.toml").unwrap_err();
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "s.csv:3:3: row[1].couriers: site 'B': no group works across the district \
              (`works_across_district = true`) to count these couriers in"
            ]
        );
        let problems = import_survey(
            "name\nA\n",
            "s.csv",
            &format!("{TEMPLATE}[[site_table]]\nfile = \"x.csv\"\n"),
            "t.toml",
        )
        .unwrap_err();
        assert_eq!(problems[0].field, "site_table");
        let problems = import_survey("name\nA\n", "s.csv", "[scenario", "t.toml").unwrap_err();
        assert_eq!(
            (problems[0].file.as_str(), problems[0].field.as_str()),
            ("t.toml", "syntax")
        );
    }

    #[test]
    fn survey_settings_are_checked_and_ignored_by_the_model() {
        let source = format!(
            "{}\n[survey]\nslots_per_cabinet = 8\nbatteries_per_subscriber = 0\n",
            crate::testing::VALID
        );
        assert_eq!(
            crate::testing::problems(&source),
            [
                "t.toml:27:28: survey.batteries_per_subscriber: expected a number in (0, 10], found 0"
            ]
        );
        let valid = source.replace("subscriber = 0", "subscriber = 0.3");
        assert_eq!(
            crate::testing::model(&valid),
            crate::testing::model(crate::testing::VALID)
        );
    }
}
