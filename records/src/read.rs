//! Reading a swap-record export, CSV or `.xlsx`, row by row into a
//! [`Tally`], with every unreadable row reported by row and column.
//!
//! A CSV is streamed: one record buffer is reused for every row, so a log
//! of millions of rows reads in flat memory. A workbook is read by
//! calamine as a whole sheet (an `.xlsx` holds at most 1,048,576 rows).
//!
//! Three things are refused whole, as no row of them can be trusted: a
//! file that is not CSV text at all (UTF-16, cells separated by
//! semicolons or tabs, a zip archive: [`scenarios::file::not_csv`], as
//! the survey import names them), text that is not UTF-8, and a quote
//! that opens a cell and never closes (the `csv` crate would read every
//! row after it as that cell). Rows far outside the log's dates are bad
//! rows ([`crate::runs`]).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{Data, Reader as _, Xlsx};
use scenarios::file::{NOT_CSV_HEAD, UNTERMINATED_QUOTE, not_csv};

use crate::format::{Column, date_text, parse_result, parse_soc, parse_time};
use crate::runs::{GAP_DAYS, Runs};
use crate::tally::{Row, Tally};

/// How to read a log.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Skip unreadable rows (and count them) instead of failing.
    pub skip_bad_rows: bool,
    /// The worksheet of a workbook to read; its first when `None`.
    pub sheet: Option<String>,
}

/// A log, read.
#[derive(Debug)]
pub struct Log {
    /// The file's name, as given.
    pub file: String,
    /// What its readable rows say.
    pub tally: Tally,
    /// Rows skipped as unreadable (with `skip_bad_rows`).
    pub skipped_rows: u64,
    /// One entry per distinct problem of the skipped rows.
    pub problems: Vec<RowProblem>,
}

/// One distinct problem in a log's rows: the first row that has it, and
/// how many more rows have the same problem in the same column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// The file's name.
    pub file: String,
    /// Row of the file or worksheet \[1-based; the header is row 1\].
    pub row: u64,
    /// Column \[1-based\].
    pub column: usize,
    /// The column's header as written.
    pub header: String,
    /// What is wrong; lowercase, no trailing period.
    pub message: String,
    /// The cell's text.
    pub found: String,
    /// Further rows with the same problem in the same column.
    pub more: u64,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: row {}, column {} ({}): {}",
            self.file, self.row, self.column, self.header, self.message
        )?;
        if !self.found.is_empty() {
            write!(f, ", found '{}'", excerpt(&self.found))?;
        }
        if self.more > 0 {
            let s = if self.more == 1 { "" } else { "s" };
            write!(f, " (and {} more row{s} like it)", self.more)?;
        }
        Ok(())
    }
}

/// At most 40 chars of a cell.
fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// Why a log cannot be read. Each is fatal to the command that reads it.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file cannot be opened or read.
    #[error("cannot read '{file}': {message}")]
    Io {
        /// The file's name.
        file: String,
        /// What the operating system said.
        message: String,
    },
    /// A CSV log is not UTF-8 text.
    #[error(
        "'{file}': row {row} is not UTF-8 text: save the export as \"CSV UTF-8\", or convert it (iconv -f GBK -t UTF-8)"
    )]
    NotUtf8 {
        /// The file's name.
        file: String,
        /// The row \[1-based\].
        row: u64,
    },
    /// A file given as a CSV log is something else: UTF-16 text, cells
    /// separated by semicolons or tabs, a zip archive.
    #[error("'{file}' is {what}")]
    NotCsv {
        /// The file's name.
        file: String,
        /// What it is, and what to do ([`scenarios::file::not_csv`]).
        what: &'static str,
    },
    /// A quote opens a cell and never closes. Fatal even with
    /// `skip_bad_rows`: every row after it would be read as that cell, so
    /// skipping it would skip them all.
    #[error(
        "'{file}': row {row}, column {column}{}: {UNTERMINATED_QUOTE}; --skip-bad-rows cannot \
         skip it, as the rows after it would be lost",
        header.as_ref().map_or(String::new(), |h| format!(" ({h})"))
    )]
    UnterminatedQuote {
        /// The file's name.
        file: String,
        /// The row where the quote opens \[1-based; the header is row 1\].
        row: u64,
        /// Its column \[1-based\].
        column: usize,
        /// The column's header, when the header names it.
        header: Option<String>,
    },
    /// A CSV log is malformed otherwise.
    #[error("'{file}': row {row}: {message}")]
    Csv {
        /// The file's name.
        file: String,
        /// The row \[1-based\].
        row: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// The workbook cannot be read, or has no such sheet.
    #[error("cannot read the workbook '{file}': {message}")]
    Workbook {
        /// The file's name.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// The log has no header row.
    #[error(
        "'{file}' is empty: expected a header row naming the columns ({})",
        expected_columns()
    )]
    Empty {
        /// The file's name.
        file: String,
    },
    /// Required columns are missing from the header.
    #[error(
        "'{file}' has no column {}; its header names {}",
        missing.iter().map(|c| format!("'{}' (or '{}')", c.en(), c.zh())).collect::<Vec<_>>().join(", "),
        found.iter().map(|h| format!("'{h}'")).collect::<Vec<_>>().join(", ")
    )]
    MissingColumns {
        /// The file's name.
        file: String,
        /// The required columns not found.
        missing: Vec<Column>,
        /// The headers found.
        found: Vec<String>,
    },
    /// Two headers name one column.
    #[error("'{file}': columns {first} and {second} both name '{column}'")]
    DuplicateColumn {
        /// The file's name.
        file: String,
        /// The column.
        column: Column,
        /// Its first position \[1-based\].
        first: usize,
        /// Its second position \[1-based\].
        second: usize,
    },
    /// Rows that cannot be read, without `skip_bad_rows`.
    #[error(
        "'{file}': {bad_rows} row{} cannot be read (--skip-bad-rows skips them)",
        if *bad_rows == 1 { "" } else { "s" }
    )]
    BadRows {
        /// The file's name.
        file: String,
        /// Rows with a problem.
        bad_rows: u64,
        /// One per distinct problem.
        problems: Vec<RowProblem>,
    },
    /// No readable row.
    #[error("'{file}' has no swap records{}", if *skipped > 0 { format!(" that can be read ({skipped} rows skipped)") } else { String::new() })]
    NoRows {
        /// The file's name.
        file: String,
        /// Rows skipped as unreadable.
        skipped: u64,
    },
}

/// `time (换电时间), ...` for messages.
fn expected_columns() -> String {
    Column::ALL
        .iter()
        .filter(|c| c.required())
        .map(|c| format!("{} or {}", c.en(), c.zh()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the log at `path`: an `.xlsx` workbook when it is one (a zip
/// archive, or a name ending in `.xlsx`), else UTF-8 CSV.
pub fn read_log(path: &Path, options: &ReadOptions) -> Result<Log, ReadError> {
    let file = path.display().to_string();
    let io = |e: std::io::Error| ReadError::Io {
        file: file.clone(),
        message: e.to_string(),
    };
    // Streamed, so no size bound; but a device would stream for ever.
    scenarios::file::check_regular(path, "swap log").map_err(io)?;
    let mut f = File::open(path).map_err(io)?;
    let mut magic = [0u8; 4];
    let n = f.read(&mut magic).map_err(io)?;
    let lower = file.to_lowercase();
    let is_xlsx =
        &magic[..n] == b"PK\x03\x04" || lower.ends_with(".xlsx") || lower.ends_with(".xlsm");
    drop(f);
    if is_xlsx {
        let bytes = std::fs::read(path).map_err(io)?;
        read_xlsx(&bytes, &file, options)
    } else {
        let f = File::open(path).map_err(io)?;
        read_csv(BufReader::with_capacity(1 << 16, f), &file, options)
    }
}

/// Reads a CSV log from `input`, named `file` in messages.
pub fn read_csv(input: impl Read, file: &str, options: &ReadOptions) -> Result<Log, ReadError> {
    let mut input = input;
    let mut head = Vec::with_capacity(NOT_CSV_HEAD);
    input
        .by_ref()
        .take(NOT_CSV_HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|e| ReadError::Io {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
    if let Some(what) = not_csv(&head) {
        return Err(ReadError::NotCsv {
            file: file.to_owned(),
            what,
        });
    }
    let watch = QuoteWatch::new(std::io::Cursor::new(head).chain(input));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(watch);
    let mut record = csv::StringRecord::new();
    let mut reading = Reading::new(file, options);
    let csv_error = |e: csv::Error, row: u64| match e.kind() {
        csv::ErrorKind::Utf8 { .. } => ReadError::NotUtf8 {
            file: file.to_owned(),
            row,
        },
        csv::ErrorKind::Io(io) => ReadError::Io {
            file: file.to_owned(),
            message: io.to_string(),
        },
        _ => ReadError::Csv {
            file: file.to_owned(),
            row,
            message: e.to_string(),
        },
    };
    // A quote left open swallows the rest of the file into the last
    // record read, whatever else that record then looks wrong for. Rows
    // are numbered by the watch: the csv crate's record positions are
    // where the record before ended, so after a CRLF or a blank line one
    // line short.
    let mut row = 0;
    loop {
        let read = reader.read_record(&mut record);
        if !matches!(read, Ok(false)) {
            row = reader.get_mut().starts.pop_front().unwrap_or(row + 1);
        }
        let error = match read {
            Ok(false) => break,
            Ok(true) => match reading.row(row, record.iter()) {
                Ok(()) => continue,
                Err(e) => e,
            },
            Err(e) => csv_error(e, row),
        };
        return Err(reading.unterminated(reader.get_ref()).unwrap_or(error));
    }
    if let Some(error) = reading.unterminated(reader.get_ref()) {
        return Err(error);
    }
    reading.finish()
}

/// Watches the bytes that the CSV reader reads for a quote that opens a
/// cell and never closes, as the `csv` crate reads quotes (RFC 4180: a
/// quote opens a cell only as its first byte, `""` inside is a quote,
/// a UTF-8 byte-order mark is not text). The crate ends such a quote at
/// the end of the input without a word, so this is the only way to tell.
struct QuoteWatch<R> {
    inner: R,
    state: Where,
    /// Bytes of a leading byte-order mark seen (3 once past it).
    bom: usize,
    /// The line being read \[1-based\], as the `csv` crate counts them.
    line: u64,
    /// The line where the current record starts \[1-based\].
    record_line: u64,
    /// The field of the current record \[0-based\].
    field: usize,
    /// The record line and field of the quote open last.
    open: (u64, usize),
    /// The lines where the records seen and not yet taken start: the
    /// watch runs ahead of the csv reader by its buffer, no more.
    starts: VecDeque<u64>,
    /// Whether the input has ended.
    eof: bool,
}

/// Where in a record [`QuoteWatch`] is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Where {
    /// Before a record: line endings are blank lines.
    RecordStart,
    /// At a cell's first byte.
    FieldStart,
    /// In a cell without quotes (or after its closing quote).
    Unquoted,
    /// Inside quotes.
    Quoted,
    /// Just after a quote inside quotes: it closed the cell, or it is the
    /// first of a `""`.
    AfterQuote,
}

impl<R> QuoteWatch<R> {
    fn new(inner: R) -> Self {
        QuoteWatch {
            inner,
            state: Where::RecordStart,
            bom: 0,
            line: 1,
            record_line: 1,
            field: 0,
            open: (1, 0),
            starts: VecDeque::new(),
            eof: false,
        }
    }

    fn step(&mut self, b: u8) {
        const BOM: &[u8; 3] = b"\xEF\xBB\xBF";
        if self.bom < BOM.len() {
            if b == BOM[self.bom] {
                self.bom += 1;
                return;
            }
            self.bom = BOM.len();
        }
        if self.state == Where::RecordStart {
            match b {
                b'\n' => {
                    self.line += 1;
                    return;
                }
                b'\r' => return,
                _ => {
                    self.record_line = self.line;
                    self.starts.push_back(self.line);
                    self.field = 0;
                    self.state = Where::FieldStart;
                }
            }
        }
        self.state = match (self.state, b) {
            (Where::Quoted, b'"') => Where::AfterQuote,
            (Where::Quoted, b) => {
                self.line += u64::from(b == b'\n');
                Where::Quoted
            }
            (Where::FieldStart, b'"') => {
                self.open = (self.record_line, self.field);
                Where::Quoted
            }
            (Where::AfterQuote, b'"') => Where::Quoted,
            (_, b',') => {
                self.field += 1;
                Where::FieldStart
            }
            (_, b'\n') => {
                self.line += 1;
                Where::RecordStart
            }
            (_, b'\r') => Where::RecordStart,
            _ => Where::Unquoted,
        };
    }

    /// [`QuoteWatch::step`] through `bytes`, skipping inside a cell to
    /// the next byte that can end it: on a million-row log 0.10 s against
    /// 0.15 s for a step a byte, about what the `csv` crate's own parse
    /// takes, in a read of 1.2 s.
    fn scan(&mut self, mut bytes: &[u8]) {
        while let Some(&b) = bytes.first() {
            let next = match self.state {
                Where::Unquoted => bytes
                    .iter()
                    .position(|&b| matches!(b, b',' | b'\n' | b'\r')),
                Where::Quoted => bytes.iter().position(|&b| matches!(b, b'"' | b'\n')),
                _ => {
                    self.step(b);
                    bytes = &bytes[1..];
                    continue;
                }
            };
            let Some(i) = next else { return };
            self.step(bytes[i]);
            bytes = &bytes[i + 1..];
        }
    }

    /// The record line and field of a quote still open at the end of the
    /// input.
    fn unterminated(&self) -> Option<(u64, usize)> {
        (self.eof && self.state == Where::Quoted).then_some(self.open)
    }
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.eof |= n == 0 && !buf.is_empty();
        self.scan(&buf[..n]);
        Ok(n)
    }
}

/// Reads a workbook log from its bytes, named `file` in messages.
pub fn read_xlsx(bytes: &[u8], file: &str, options: &ReadOptions) -> Result<Log, ReadError> {
    let unreadable = |message: String| ReadError::Workbook {
        file: file.to_owned(),
        message,
    };
    let mut workbook =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let sheets = workbook.sheet_names();
    let name = match &options.sheet {
        Some(name) if sheets.contains(name) => name.clone(),
        Some(name) => {
            return Err(unreadable(format!(
                "no sheet '{name}', expected one of {}",
                sheets
                    .iter()
                    .map(|s| format!("'{s}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        None => sheets
            .first()
            .cloned()
            .ok_or_else(|| unreadable("it has no sheets".into()))?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| unreadable(e.to_string()))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut reading = Reading::new(file, options);
    let mut cells: Vec<String> = Vec::new();
    for (r, row) in (u64::from(first_row) + 1..).zip(range.rows()) {
        cells.clear();
        cells.extend(row.iter().map(cell_text));
        reading.row(r, cells.iter().map(String::as_str))?;
    }
    reading.finish()
}

/// A worksheet cell as the text a CSV export would have.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::Bool(true) => "TRUE".to_owned(),
        Data::Bool(false) => "FALSE".to_owned(),
        other => other.to_string(),
    }
}

/// The state of one read: the header's columns, the tally, the problems.
struct Reading<'o> {
    file: String,
    options: &'o ReadOptions,
    /// Per field of a row: its column, if the header named one.
    columns: Option<Vec<Option<Column>>>,
    /// The header's cells as written.
    headers: Vec<String>,
    /// Where each column is \[0-based field\].
    at: HashMap<Column, usize>,
    /// The readable rows, by runs of days.
    runs: Runs,
    /// Whether the header names a `result` column.
    has_result: bool,
    bad_rows: u64,
    problems: Vec<RowProblem>,
    /// The problem already kept for (column, message).
    seen: HashMap<(usize, &'static str), usize>,
}

impl<'o> Reading<'o> {
    fn new(file: &str, options: &'o ReadOptions) -> Self {
        Reading {
            file: file.to_owned(),
            options,
            columns: None,
            headers: Vec::new(),
            at: HashMap::new(),
            runs: Runs::default(),
            has_result: false,
            bad_rows: 0,
            problems: Vec::new(),
            seen: HashMap::new(),
        }
    }

    /// One row of the file, number `row` \[1-based\].
    fn row<'c>(&mut self, row: u64, cells: impl Iterator<Item = &'c str>) -> Result<(), ReadError> {
        if self.columns.is_none() {
            let cells: Vec<&str> = cells.collect();
            if cells.iter().all(|c| c.trim().is_empty()) {
                return Ok(());
            }
            return self.header(&cells);
        }
        // Up to 16 fields on the stack's reused buffer: the fields the
        // header names, by column.
        let mut fields: [&str; 9] = [""; 9];
        let mut any = false;
        let columns = self.columns.as_deref().unwrap_or_default();
        for (i, cell) in cells.enumerate() {
            any |= !cell.trim().is_empty();
            if let Some(Some(column)) = columns.get(i) {
                fields[*column as usize] = cell;
            }
        }
        if !any {
            return Ok(());
        }
        let get = |c: Column| fields[c as usize].trim();
        let mut bad = false;
        let mut problem = |reading: &mut Self, column: Column, message: &'static str| {
            bad = true;
            let field = reading.at[&column];
            reading.problem(row, field, message, fields[column as usize]);
        };
        let time = parse_time(get(Column::Time));
        if let Err(m) = time {
            problem(self, Column::Time, m);
        }
        for column in [Column::Site, Column::CabinetId, Column::UserId] {
            if get(column).is_empty() {
                problem(
                    self,
                    column,
                    "empty: every swap names its site, cabinet and user",
                );
            }
        }
        let swapped = if self.at.contains_key(&Column::Result) {
            parse_result(get(Column::Result)).unwrap_or_else(|m| {
                problem(self, Column::Result, m);
                true
            })
        } else {
            true
        };
        // A failed attempt may leave the hand-in charge empty.
        let soc_in = if !swapped && get(Column::SocIn).is_empty() {
            None
        } else {
            match parse_soc(get(Column::SocIn)) {
                Ok(soc) => Some(soc),
                Err(m) => {
                    problem(self, Column::SocIn, m);
                    None
                }
            }
        };
        let soc_out = if self.at.contains_key(&Column::SocOut) && !get(Column::SocOut).is_empty() {
            match parse_soc(get(Column::SocOut)) {
                Ok(soc) => Some(soc),
                Err(m) => {
                    problem(self, Column::SocOut, m);
                    None
                }
            }
        } else {
            None
        };
        if bad {
            self.bad_rows += 1;
            return Ok(());
        }
        let Ok(time) = time else {
            return Ok(());
        };
        self.runs.add(
            row,
            get(Column::Time),
            &Row {
                time,
                site: get(Column::Site),
                cabinet: get(Column::CabinetId),
                user: get(Column::UserId),
                soc_in,
                soc_out,
                swapped,
            },
        );
        Ok(())
    }

    /// The header row: which field is which column.
    fn header(&mut self, cells: &[&str]) -> Result<(), ReadError> {
        let mut columns = Vec::with_capacity(cells.len());
        for (i, cell) in cells.iter().enumerate() {
            let column = Column::from_header(cell);
            if let Some(column) = column {
                if let Some(&first) = self.at.get(&column) {
                    return Err(ReadError::DuplicateColumn {
                        file: self.file.clone(),
                        column,
                        first: first + 1,
                        second: i + 1,
                    });
                }
                self.at.insert(column, i);
            }
            columns.push(column);
        }
        let missing: Vec<Column> = Column::ALL
            .into_iter()
            .filter(|c| c.required() && !self.at.contains_key(c))
            .collect();
        if !missing.is_empty() {
            return Err(ReadError::MissingColumns {
                file: self.file.clone(),
                missing,
                found: cells.iter().map(|c| c.trim().to_owned()).collect(),
            });
        }
        self.has_result = self.at.contains_key(&Column::Result);
        self.headers = cells.iter().map(|c| c.trim().to_owned()).collect();
        self.columns = Some(columns);
        Ok(())
    }

    /// Keeps a problem unless the same one in the same column is kept.
    fn problem(&mut self, row: u64, field: usize, message: &'static str, found: &str) {
        if let Some(&i) = self.seen.get(&(field, message)) {
            self.problems[i].more += 1;
            return;
        }
        self.seen.insert((field, message), self.problems.len());
        self.problems.push(RowProblem {
            file: self.file.clone(),
            row,
            column: field + 1,
            header: self.headers[field].clone(),
            message: message.to_owned(),
            found: found.trim().to_owned(),
            more: 0,
        });
    }

    /// The error for a quote that `watch` saw open at the end of the
    /// input, if it did.
    fn unterminated<R>(&self, watch: &QuoteWatch<R>) -> Option<ReadError> {
        let (row, field) = watch.unterminated()?;
        // The header names the columns of the rows after it (in the
        // header itself, the cell is what the quote swallowed).
        let header = (row > 1)
            .then(|| self.headers.get(field))
            .flatten()
            .filter(|h| !h.is_empty())
            .cloned();
        Some(ReadError::UnterminatedQuote {
            file: self.file.clone(),
            row,
            column: field + 1,
            header,
        })
    }

    /// The rows of runs of days other than the bulk's, as bad rows: one
    /// problem for those before it and one for those after.
    fn outliers(&mut self, bulk: (i32, i32), sides: [Vec<crate::runs::Run>; 2]) {
        let field = self.at[&Column::Time];
        let (first, last) = bulk;
        for side in sides {
            let Some(earliest) = side.iter().min_by_key(|r| r.first_row) else {
                continue;
            };
            let rows: u64 = side.iter().map(|r| r.tally.rows).sum();
            self.bad_rows += rows;
            self.problems.push(RowProblem {
                file: self.file.clone(),
                row: earliest.first_row,
                column: field + 1,
                header: self.headers[field].clone(),
                message: format!(
                    "more than {GAP_DAYS} days from the rest of the log ({} to {}): expected a \
                     time from {} to {}",
                    date_text(first),
                    date_text(last),
                    date_text(first - GAP_DAYS),
                    date_text(last + GAP_DAYS)
                ),
                found: earliest.first_time.clone(),
                more: rows - 1,
            });
        }
        self.problems.sort_by_key(|p| p.row);
    }

    fn finish(mut self) -> Result<Log, ReadError> {
        if self.columns.is_none() {
            return Err(ReadError::Empty { file: self.file });
        }
        let mut tally = match std::mem::take(&mut self.runs).split() {
            Some((bulk, before, after)) => {
                self.outliers((bulk.first, bulk.last), [before, after]);
                bulk.tally
            }
            None => Tally::default(),
        };
        tally.has_result |= self.has_result;
        if self.bad_rows > 0 && !self.options.skip_bad_rows {
            return Err(ReadError::BadRows {
                file: self.file,
                bad_rows: self.bad_rows,
                problems: self.problems,
            });
        }
        if tally.rows == 0 {
            return Err(ReadError::NoRows {
                file: self.file,
                skipped: self.bad_rows,
            });
        }
        Ok(Log {
            file: self.file,
            tally,
            skipped_rows: self.bad_rows,
            problems: self.problems,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "time,site,cabinet_id,user_id,soc_in,soc_out,result\n";

    fn read(text: &str, skip: bool) -> Result<Log, ReadError> {
        let options = ReadOptions {
            skip_bad_rows: skip,
            sheet: None,
        };
        read_csv(text.as_bytes(), "swaps.csv", &options)
    }

    #[test]
    fn bad_rows_are_reported_once_per_problem_with_row_and_column() {
        let text = format!(
            "{HEADER}2024-03-25 07:00,A,C1,u1,35,98,成功\n\
             2024-03-25 07:10,A,C1,u2,abc,98,成功\n\
             2024-03-25 07:20,A,C1,u3,xyz,98,成功\n\
             2024-03-32 07:30,A,C1,u4,30,98,成功\n\
             2024-03-25 07:40,A,C1,u5,30,98,maybe\n"
        );
        let Err(ReadError::BadRows {
            bad_rows, problems, ..
        }) = read(&text, false)
        else {
            panic!("bad rows must fail");
        };
        assert_eq!(bad_rows, 4);
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "swaps.csv: row 3, column 5 (soc_in): expected a charge 0–100 (%) or 0–1, found 'abc' (and 1 more row like it)",
                "swaps.csv: row 5, column 1 (time): not a calendar date: expected `YYYY-MM-DD` from 1970, found '2024-03-32 07:30'",
                "swaps.csv: row 6, column 7 (result): expected `成功`/`success` or `无电池`/`no_battery`, found 'maybe'",
            ]
        );
        let log = read(&text, true).unwrap();
        assert_eq!((log.tally.rows, log.skipped_rows), (1, 4));
    }

    #[test]
    fn rows_are_the_files_lines_with_crlf_and_blank_lines() {
        let rows = "2024-03-25 07:00,A,C1,u1,35,98,成功\n\
                    2024-03-25 07:10,A,C1,u2,abc,98,成功\n\
                    \n\
                    2024-03-32 07:20,A,C1,u3,36,98,成功\n";
        let lf = format!("{HEADER}{rows}");
        let crlf = lf.replace('\n', "\r\n");
        for text in [lf.clone(), crlf.clone(), format!("{}{crlf}", '\u{feff}')] {
            let Err(ReadError::BadRows { problems, .. }) = read(&text, false) else {
                panic!("bad rows must fail");
            };
            let rows: Vec<u64> = problems.iter().map(|p| p.row).collect();
            assert_eq!(rows, [3, 5], "{text:?}");
            let log = format!("\r\n{}", text.replace(",36,", ",\"36,"));
            let err = read(&log, true).unwrap_err().to_string();
            assert!(err.contains("row 6, column 5 (soc_in)"), "{log:?}: {err}");
        }
    }

    #[test]
    fn missing_columns_name_both_headers() {
        let err = read("time,site\n2024-03-25 07:00,A\n", false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "'swaps.csv' has no column 'cabinet_id' (or '柜机编号'), 'user_id' (or '用户ID'), \
             'soc_in' (or '换入SOC'); its header names 'time', 'site'"
        );
        assert!(matches!(read("", false), Err(ReadError::Empty { .. })));
        assert!(matches!(read(HEADER, false), Err(ReadError::NoRows { .. })));
    }

    /// Rows of day `day` of March 2024, one a minute from 07:00.
    fn rows(day: u32, n: usize) -> String {
        (0..n)
            .map(|i| format!("2024-03-{day:02} 07:{i:02},A,C1,u{i},35,98,成功\n"))
            .collect()
    }

    #[test]
    fn an_unterminated_quote_is_an_error_where_it_opens_even_when_skipping() {
        // Rows 2–8, then row 9 opens a quote in `result` that never closes.
        let text = format!(
            "{HEADER}{}2024-03-25 08:00,A,C1,u9,35,98,\"success\n{}",
            rows(25, 7),
            rows(26, 20)
        );
        for skip in [false, true] {
            let err = read(&text, skip).expect_err("an unterminated quote never reads");
            assert_eq!(
                err.to_string(),
                "'swaps.csv': row 9, column 7 (result): unterminated quote: the `\"` that \
                 opens this cell never closes, so every row after it would be read as part \
                 of the cell; close it, or double a quote inside a cell (`\"\"`); \
                 --skip-bad-rows cannot skip it, as the rows after it would be lost",
                "skip: {skip}"
            );
        }
        // Closed quotes, with a doubled one and a line break inside, read.
        let text = format!(
            "{HEADER}2024-03-25 07:00,\"A\",C1,\"u \"\"1\"\"\n\",35,98,成功\n{}\
             2024-03-25 09:00,A,C1,u2,35,98,\"成功\"",
            rows(25, 2)
        );
        let log = read(&text, false).unwrap();
        assert_eq!(log.tally.rows, 4);
        // In the header, the column has no name yet.
        let err = read("time,\"site\ncabinet_id\n", false)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("'swaps.csv': row 1, column 2: unterminated quote"),
            "{err}"
        );
    }

    /// Hands out `step` bytes a read at most, as a slow pipe would.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(self.1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn quotes_are_followed_as_the_csv_crate_reads_them_in_reads_of_any_size() {
        let cases: [(&str, Option<(u64, usize)>); 8] = [
            ("a,b\nc,d\n", None),
            ("a,\"b\"\"\n\",c\n\"d\"\n", None),
            // A quote inside a cell is text; one after a closing quote too.
            ("a,b\"c\nd,\"e\"f\"\n", None),
            ("a,b\nc,\"d\ne,f\n", Some((2, 1))),
            // Blank lines, CRLF and a byte-order mark, as the crate counts.
            ("\u{feff}\"a\",b\r\n\r\n\nc,d,\"e\r\n", Some((4, 2))),
            ("\u{feff}\"a,b\n", Some((1, 0))),
            // A record spanning lines starts where it starts.
            ("a,\"b\nc\"\nd,e,\"\"\"f\n", Some((3, 2))),
            ("a,\"\"", None),
        ];
        for (text, open) in cases {
            for step in [1, 2, 3, 7, 4096] {
                let mut watch = QuoteWatch::new(Trickle(text.as_bytes(), step));
                std::io::copy(&mut watch, &mut std::io::sink()).unwrap();
                assert_eq!(watch.unterminated(), open, "{text:?} by {step}");
            }
        }
    }

    #[test]
    fn utf16_semicolons_and_tabs_are_named_instead_of_the_gbk_hint() {
        let text = format!("{HEADER}{}", rows(25, 3));
        let utf16 = |bom: bool| -> Vec<u8> {
            let bom = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
            bom.into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect()
        };
        let options = ReadOptions::default();
        for bytes in [utf16(true), utf16(false)] {
            let err = read_csv(&bytes[..], "swaps.csv", &options)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("'swaps.csv' is UTF-16 text"), "{err}");
            assert!(!err.contains("GBK"), "{err}");
        }
        for (separator, named) in [
            (";", "separated by semicolons"),
            ("\t", "separated by tabs"),
        ] {
            let err = read(&text.replace(',', separator), false)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(&format!("'swaps.csv' is {named}")), "{err}");
        }
        let zip = read_csv(&b"PK\x03\x04rest"[..], "swaps.csv", &options)
            .unwrap_err()
            .to_string();
        assert!(zip.starts_with("'swaps.csv' is a zip archive"), "{zip}");
        // Text that is not UTF-8 and none of those keeps the GBK advice.
        let mut gbk = HEADER.as_bytes().to_vec();
        gbk.extend(b"2024-03-25 07:00,\xC3\xC0\xBC\xAA,C1,u1,35,98,\n");
        let err = read_csv(&gbk[..], "swaps.csv", &options)
            .unwrap_err()
            .to_string();
        assert!(err.contains("iconv -f GBK"), "{err}");
        // Wherever the head looked at is cut, inside a character or not,
        // the log reads.
        let row = "2024-03-25 07:00,美吉鑫小区,C1,u1,35,98,成功\n";
        for pad in 0..row.len() {
            let long = format!("time{}{}{}", " ".repeat(pad), &HEADER[4..], row.repeat(100));
            assert_eq!(read(&long, false).unwrap().tally.rows, 100, "pad {pad}");
        }
    }

    #[test]
    fn rows_far_outside_the_logs_dates_are_bad_rows() {
        // Four weeks of March 2024, and two rows whose clock was wrong:
        // one at the end of time (row 5), one at the epoch (row 12).
        let mut lines: Vec<String> = (1..=28).map(|d| rows(d, 1)).collect();
        lines.insert(3, "9999-12-31 23:59,A,C1,u1,35,98,成功\n".into());
        lines.insert(10, "1970-01-01 00:00,A,C1,u1,35,98,成功\n".into());
        lines.insert(15, "9999-12-30 10:00,A,C1,u1,35,98,成功\n".into());
        let text = format!("{HEADER}{}", lines.concat());
        let Err(ReadError::BadRows {
            bad_rows, problems, ..
        }) = read(&text, false)
        else {
            panic!("rows far outside the log must fail");
        };
        assert_eq!(bad_rows, 3);
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "swaps.csv: row 5, column 1 (time): more than 31 days from the rest of the \
                 log (2024-03-01 to 2024-03-28): expected a time from 2024-01-30 to \
                 2024-04-28, found '9999-12-31 23:59' (and 1 more row like it)",
                "swaps.csv: row 12, column 1 (time): more than 31 days from the rest of the \
                 log (2024-03-01 to 2024-03-28): expected a time from 2024-01-30 to \
                 2024-04-28, found '1970-01-01 00:00'",
            ]
        );
        let log = read(&text, true).unwrap();
        assert_eq!((log.tally.rows, log.skipped_rows), (28, 3));
        assert_eq!(log.tally.window().map(|w| w.2), Some(28));
        // A month's gap in a log is no outlier: 31 days from the rest.
        let text = format!(
            "{HEADER}{}{}",
            rows(1, 5),
            "2024-04-01 07:00,A,C1,u1,35,98,成功\n"
        );
        assert_eq!(read(&text, false).unwrap().tally.rows, 6);
        // Unordered rows whose runs meet are one run, whatever the order:
        // 15 May starts a run of its own, 20 April joins it, and 1 April
        // joins it to March's.
        let text = format!(
            "{HEADER}{}2024-05-15 07:00,A,C2,u9,35,98,成功\n{}\
             2024-04-20 07:00,A,C2,u8,35,98,成功\n2024-04-01 07:00,A,C1,u1,35,98,成功\n",
            rows(1, 5),
            rows(2, 5)
        );
        let log = read(&text, false).unwrap();
        assert_eq!(log.tally.rows, 13);
        assert_eq!(log.tally.window().map(|w| w.2), Some(76));
        assert_eq!(log.tally.cabinets("A"), ["C1", "C2"]);
    }

    #[test]
    fn a_failed_attempt_needs_no_hand_in_charge() {
        let text =
            format!("{HEADER}2024-03-25 07:00,A,C1,u1,,,无电池\n2024-03-25 07:05,A,C1,u1,31,,\n");
        let log = read(&text, false).unwrap();
        let site = &log.tally.sites[0];
        assert_eq!((site.user[0].swaps, site.user[0].no_battery), (1, 1));
        assert_eq!(site.user[0].soc_in_n, 1);
    }
}
