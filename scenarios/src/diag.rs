//! Diagnostics: one problem in a scenario file, with its position and a caret.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use unicode_width::UnicodeWidthChar;

/// One problem in a scenario file.
///
/// `Display` gives the one-line form `{file}:{line}:{column}: {field}: {message}`
/// (`{file}:{cell}: ...` for a cell of a worksheet, as Excel names it:
/// `survey.xlsx:Sheet1!C7: ...`), after `warning: ` for a warning;
/// [`Diagnostic::render`] adds the source line and a caret under the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether the scenario is invalid, or only a value implausible.
    pub severity: Severity,
    /// File name as given to [`crate::parse`], or the path given to [`crate::load`].
    pub file: String,
    /// Line of the problem [1-based]; in a worksheet, its row.
    pub line: usize,
    /// Column of the problem [1-based, in chars of `source_line`].
    pub column: usize,
    /// The worksheet cell of the problem, as Excel names it
    /// (`Sheet1!C7`), when the file is a workbook; `None` in a text file.
    pub cell: Option<String>,
    /// Dotted path of the offending field, like `site[0].demand.swaps_per_hour`;
    /// `syntax` for a TOML syntax error and `encoding` for bytes that are not UTF-8.
    pub field: String,
    /// What is wrong and what would be valid; lowercase, no trailing period.
    pub message: String,
    /// Text of line `line`, without its line ending; in a worksheet, the
    /// row's cells as CSV text. A line longer than 160 chars is cut to
    /// 120 chars around the problem, with `…` where text was left out.
    pub source_line: String,
    /// Column of the problem in `source_line` [1-based, in chars]: `column`
    /// unless the line was cut.
    pub excerpt_column: usize,
    /// Length of the offending text on that line [chars, ≥ 1].
    pub span_len: usize,
}

/// Most chars of a source line a diagnostic quotes whole: a generated file
/// with one 80 KB line and thousands of problems on it printed gigabytes
/// when every diagnostic quoted the whole line.
pub(crate) const MAX_QUOTED_CHARS: usize = 160;
/// Chars of a longer line a diagnostic quotes, around the problem.
pub(crate) const MAX_EXCERPT_CHARS: usize = 120;
/// Chars an excerpt keeps before the problem.
const EXCERPT_BEFORE: usize = 40;

/// How bad a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The scenario is invalid: there is no model to run.
    Error,
    /// The scenario is valid, but a value is outside the plausible range
    /// of an e-bike network (see [`crate::plausible`]); the model runs.
    Warning,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        match &self.cell {
            Some(cell) => write!(f, "{}:{cell}: {}: {}", self.file, self.field, self.message),
            None => write!(
                f,
                "{}:{}:{}: {}: {}",
                self.file, self.line, self.column, self.field, self.message
            ),
        }
    }
}

impl std::error::Error for Diagnostic {}

impl Diagnostic {
    /// The `Display` line, then the source line, then a caret line under the
    /// offending text, in the style of rustc:
    ///
    /// ```text
    /// scenario.toml:3:8: scenario.days: expected a positive integer, found string
    /// 3 | days = "many"
    ///   |        ^^^^^^
    /// ```
    ///
    /// No line has trailing whitespace and the result has no final newline.
    pub fn render(&self) -> String {
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        let mut out = format!("{self}\n{number} |");
        if !self.source_line.is_empty() {
            out.push(' ');
            out.push_str(&self.source_line);
        }
        out.push_str(&format!("\n{gutter} | "));
        let mut chars = self.source_line.chars();
        for c in chars.by_ref().take(self.excerpt_column.saturating_sub(1)) {
            // Keep tabs so the caret lines up with the source line above it;
            // a CJK char takes two terminal columns.
            match c {
                '\t' => out.push('\t'),
                c => out.extend(std::iter::repeat_n(' ', c.width().unwrap_or(0))),
            }
        }
        for i in 0..self.span_len.max(1) {
            match chars.next() {
                Some(c) => out.extend(std::iter::repeat_n('^', c.width().unwrap_or(0).max(1))),
                // Past the end of the line (an error at a line end): one caret.
                None if i == 0 => out.push('^'),
                None => break,
            }
        }
        out
    }
}

/// A file the diagnostics can point into: the scenario itself, or a file it
/// names, such as the CSV of a `[[site_table]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileId(usize);

impl FileId {
    /// The scenario file given to [`crate::parse`].
    pub(crate) const MAIN: FileId = FileId(0);
}

/// Collects the diagnostics of a scenario and the files it names; turns
/// byte spans into positions.
pub(crate) struct Sink<'s> {
    /// Indexed by [`FileId`]; the scenario file first.
    files: Vec<SourceFile<'s>>,
    /// Errors with the key they sort by, in report order.
    found: Vec<(Order, Diagnostic)>,
    /// Warnings likewise.
    warnings: Vec<(Order, Diagnostic)>,
    /// Where each distinct problem is in `found` or `warnings`, and how
    /// many more like it were reported (see [`Like`]).
    distinct: HashMap<Like, (usize, usize)>,
}

/// What makes two problems alike: the same severity and file, and the
/// same message at the same field, both up to their indices
/// (`slot_catalogue[]`, `site_table[].row[].batteries`, "already used by
/// row[]") and whatever entity the message is about (`site 'A': `, see
/// [`Sink::error_about`]). Only the first is kept; its message counts the
/// others ("and 19,998 more like it"), so N repeats of one mistake give
/// one diagnostic, not N: in one array of the scenario, in its sites, and
/// in the rows of a site table. A different value is a different message,
/// so "found 0" and "found 65" stay two.
type Like = (Severity, usize, String, String);

/// Where a diagnostic sorts: by its position in the scenario file; one in
/// another file sorts where the scenario names that file, then by its own
/// position there.
type Order = (usize, usize, usize);

struct SourceFile<'s> {
    name: Cow<'s, str>,
    source: Cow<'s, str>,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
    /// Byte offset in the scenario file where this file's diagnostics sort.
    anchor: usize,
    /// For a worksheet rendered as text: where each of its cells is.
    cells: Option<SheetCells>,
}

/// Where the cells of a worksheet are in its text rendering (see
/// [`crate::sheet`]), to name the cell of a diagnostic as Excel does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SheetCells {
    /// The worksheet's name.
    pub(crate) sheet: String,
    /// Each cell's first byte in the text and its row and column in the
    /// worksheet [0-based], in text order.
    pub(crate) starts: Vec<(usize, u32, u32)>,
}

impl SheetCells {
    /// The cell at byte `at` of the text, as `Sheet1!C7`: the last cell
    /// starting at or before it (a separator or a row's end belongs to
    /// the cell before it), else the first cell.
    fn reference(&self, at: usize) -> String {
        let i = self.starts.partition_point(|&(start, _, _)| start <= at);
        let (_, row, col) = self
            .starts
            .get(i.saturating_sub(1))
            .copied()
            .unwrap_or((0, 0, 0));
        format!("{}!{}", sheet_name(&self.sheet), cell_name(row, col))
    }
}

/// A sheet's name as a reference writes it: quoted when it is not a plain
/// word (`'Survey 2024'!A1`).
fn sheet_name(name: &str) -> Cow<'_, str> {
    if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        name.into()
    } else {
        format!("'{}'", name.replace('\'', "''")).into()
    }
}

/// The A1 name of the cell at `row` and `col` [0-based]: `C7` for (6, 2).
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        // 0..26, so the cast cannot truncate.
        letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    let column: String = letters.iter().rev().collect();
    format!("{column}{}", row + 1)
}

impl<'s> SourceFile<'s> {
    fn new(name: Cow<'s, str>, source: Cow<'s, str>, anchor: usize) -> Self {
        let line_starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name,
            source,
            line_starts,
            anchor,
            cells: None,
        }
    }

    /// The diagnostic for byte range `span` of this file.
    fn diagnostic(
        &self,
        severity: Severity,
        span: Range<usize>,
        field: String,
        message: String,
    ) -> (usize, Diagnostic) {
        let source: &str = &self.source;
        let mut at = span.start.min(source.len());
        while !source.is_char_boundary(at) {
            at -= 1;
        }
        // An error at the very end of a file that ends with a newline belongs
        // to the last line, not to the empty line after it.
        if at == source.len() && source.ends_with('\n') {
            at -= 1;
        }
        let line_index = self.line_starts.partition_point(|&start| start <= at) - 1;
        let mut line_start = self.line_starts[line_index];
        if line_start == 0 && source.starts_with('\u{feff}') {
            // A byte-order mark is no column.
            line_start = '\u{feff}'.len_utf8().min(at);
        }
        let line_end = source[line_start..]
            .find('\n')
            .map_or(source.len(), |i| line_start + i);
        let line_text = source[line_start..line_end].trim_end_matches('\r');
        // An error at a line ending points just past the line's text.
        let at = at.min(line_start + line_text.len());
        let end = span.end.clamp(at, line_start + line_text.len());
        let span_len = source.get(at..end).map_or(0, |s| s.chars().count());
        let column = source[line_start..at].chars().count() + 1;
        let (source_line, excerpt_column, span_len) =
            excerpt(line_text, at - line_start, column, span_len.max(1));
        let diagnostic = Diagnostic {
            severity,
            file: self.name.to_string(),
            line: line_index + 1,
            column,
            cell: self.cells.as_ref().map(|cells| cells.reference(at)),
            field,
            message,
            source_line,
            excerpt_column,
            span_len,
        };
        (at, diagnostic)
    }
}

/// The part of `line` a diagnostic quotes, the caret's column in it and
/// the span's length there: the whole line if it is short (at most
/// [`MAX_QUOTED_CHARS`] chars), else at most
/// [`MAX_EXCERPT_CHARS`] chars from [`EXCERPT_BEFORE`] chars before the
/// problem (at byte `at`, char column `column`), marked with `…` where cut.
fn excerpt(line: &str, at: usize, column: usize, span_len: usize) -> (String, usize, usize) {
    if line.len() <= MAX_QUOTED_CHARS || line.chars().count() <= MAX_QUOTED_CHARS {
        return (line.to_owned(), column, span_len);
    }
    let start = line[..at]
        .char_indices()
        .rev()
        .take(EXCERPT_BEFORE)
        .last()
        .map_or(at, |(i, _)| i);
    let end = line[start..]
        .char_indices()
        .nth(MAX_EXCERPT_CHARS)
        .map_or(line.len(), |(i, _)| start + i);
    let mut text = String::with_capacity(end - start + 8);
    let before = line[start..at].chars().count();
    if start > 0 {
        text.push('…');
    }
    text.push_str(&line[start..end]);
    if end < line.len() {
        text.push('…');
    }
    let caret = before + 1 + usize::from(start > 0);
    let room = line[at..end].chars().count().max(1);
    (text, caret, span_len.min(room))
}

impl<'s> Sink<'s> {
    pub(crate) fn new(file: &'s str, source: &'s str) -> Self {
        Sink {
            files: vec![SourceFile::new(file.into(), source.into(), 0)],
            found: Vec::new(),
            warnings: Vec::new(),
            distinct: HashMap::new(),
        }
    }

    /// Marks the main file as a worksheet rendered as text: each
    /// diagnostic then names its cell.
    pub(crate) fn set_sheet_cells(&mut self, cells: SheetCells) {
        self.files[0].cells = Some(cells);
    }

    /// Adds a file the scenario names at byte `anchor`; its diagnostics
    /// sort there, among the scenario's own.
    pub(crate) fn add_file(&mut self, name: String, source: String, anchor: usize) -> FileId {
        self.files
            .push(SourceFile::new(name.into(), source.into(), anchor));
        FileId(self.files.len() - 1)
    }

    /// Reports a problem with the text at byte range `span` of the scenario.
    pub(crate) fn error(
        &mut self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.error_in(FileId::MAIN, span, field, message);
    }

    /// Reports a problem with the text at byte range `span` of `file`.
    pub(crate) fn error_in(
        &mut self,
        file: FileId,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.error_about(file, span, field, None, message);
    }

    /// Reports a problem with the text at byte range `span` of `file`,
    /// about `subject` (`site 'A'`), which prefixes the message: `site
    /// 'A': {message}`. The subject is no part of what makes problems
    /// alike, so the same mistake in the rows of many sites is one
    /// diagnostic.
    pub(crate) fn error_about(
        &mut self,
        file: FileId,
        span: Range<usize>,
        field: impl Into<String>,
        subject: Option<&str>,
        message: impl Into<String>,
    ) {
        let (field, message) = (field.into(), message.into());
        self.report(Severity::Error, file, span, field, subject, message);
    }

    /// Reports an implausible value at byte range `span` of `file`, about
    /// `subject` as in [`Sink::error_about`].
    pub(crate) fn warn_about(
        &mut self,
        file: FileId,
        span: Range<usize>,
        field: impl Into<String>,
        subject: Option<&str>,
        message: impl Into<String>,
    ) {
        let (field, message) = (field.into(), message.into());
        self.report(Severity::Warning, file, span, field, subject, message);
    }

    /// Keeps a problem, or counts it when one like it was kept.
    fn report(
        &mut self,
        severity: Severity,
        file: FileId,
        span: Range<usize>,
        field: String,
        subject: Option<&str>,
        message: String,
    ) {
        let like = (
            severity,
            file.0,
            without_indices(&field),
            without_indices(&message),
        );
        if let Some((_, more)) = self.distinct.get_mut(&like) {
            *more += 1;
            return;
        }
        let message = match subject {
            Some(subject) => format!("{subject}: {message}"),
            None => message,
        };
        let found = self.diagnostic(severity, file, span, field, message);
        let list = match severity {
            Severity::Error => &mut self.found,
            Severity::Warning => &mut self.warnings,
        };
        list.push(found);
        self.distinct.insert(like, (list.len() - 1, 0));
    }

    fn diagnostic(
        &self,
        severity: Severity,
        file: FileId,
        span: Range<usize>,
        field: String,
        message: String,
    ) -> (Order, Diagnostic) {
        let source = &self.files[file.0];
        let (at, diagnostic) = source.diagnostic(severity, span, field, message);
        let order = match file {
            FileId::MAIN => (at, 0, 0),
            FileId(index) => (source.anchor, index, at),
        };
        (order, diagnostic)
    }

    /// The text of `file` at `span` (empty if the span is not in the file).
    pub(crate) fn text_in(&self, file: FileId, span: Range<usize>) -> &str {
        self.files[file.0].source.get(span).unwrap_or_default()
    }

    /// Whether any problem was reported.
    pub(crate) fn has_errors(&self) -> bool {
        !self.found.is_empty()
    }

    /// The errors in source order; problems at one position keep the
    /// order they were reported in.
    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        self.finish_with_warnings().0
    }

    /// The errors and the warnings, each in source order.
    pub(crate) fn finish_with_warnings(mut self) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
        for ((severity, ..), (index, more)) in self.distinct {
            if more > 0 {
                let list = match severity {
                    Severity::Error => &mut self.found,
                    Severity::Warning => &mut self.warnings,
                };
                let message = &mut list[index].1.message;
                *message = format!("{message} (and {} more like it)", thousands(more));
            }
        }
        (in_order(self.found), in_order(self.warnings))
    }
}

/// `field` with the indices left out: `a[3].b[12]` → `a[].b[]`. In a
/// message, only the indices of a name are (`already used by row[]`), not
/// a range: `[0, 1]` stays.
pub(crate) fn without_indices(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut in_index = false;
    let mut last = None;
    for c in field.chars() {
        match c {
            '[' => in_index = last.is_some_and(|l: char| !l.is_whitespace() && !"([,".contains(l)),
            ']' => in_index = false,
            c if in_index && c.is_ascii_digit() => continue,
            _ => {}
        }
        out.push(c);
        last = Some(c);
    }
    out
}

/// A message without the count [`Sink`] adds to the first of problems
/// alike, and how many problems it stands for (1 without one).
pub(crate) fn counted(message: &str) -> (&str, usize) {
    let count = message.strip_suffix(" more like it)").and_then(|rest| {
        let at = rest.rfind(" (and ")?;
        let n: usize = rest[at + " (and ".len()..].replace(',', "").parse().ok()?;
        Some((&message[..at], n + 1))
    });
    count.unwrap_or((message, 1))
}

/// `n` with a comma between groups of three digits: 19,998.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `found` sorted by position, stably.
fn in_order(mut found: Vec<(Order, Diagnostic)>) -> Vec<Diagnostic> {
    found.sort_by_key(|(order, _)| *order);
    found.into_iter().map(|(_, d)| d).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(source: &str, span: Range<usize>) -> Diagnostic {
        let mut sink = Sink::new("f.toml", source);
        sink.error(span, "a.b", "bad");
        sink.finish().remove(0)
    }

    /// A grouped message stands for its count; a plain one for itself.
    #[test]
    fn a_message_counts_the_problems_it_stands_for() {
        assert_eq!(counted("bad (and 14 more like it)"), ("bad", 15));
        assert_eq!(counted("bad (and 19,998 more like it)"), ("bad", 19_999));
        assert_eq!(counted("bad"), ("bad", 1));
        assert_eq!(
            counted("bad (and many more like it)"),
            ("bad (and many more like it)", 1)
        );
    }

    #[test]
    fn position_is_one_based_and_counts_chars() {
        let source = "x = 1\nname = \"美吉鑫小区\" # c\n";
        let start = source.find("# c").unwrap();
        let d = one(source, start..start + 3);
        assert_eq!((d.line, d.column, d.span_len), (2, 16, 3));
        assert_eq!(d.source_line, "name = \"美吉鑫小区\" # c");
        assert_eq!(d.to_string(), "f.toml:2:16: a.b: bad");
    }

    #[test]
    fn render_puts_carets_under_the_span_even_after_wide_chars() {
        let source = "name = \"美吉\" x\n";
        let start = source.find('x').unwrap();
        let d = one(source, start..start + 1);
        assert_eq!(
            d.render(),
            "f.toml:1:13: a.b: bad\n1 | name = \"美吉\" x\n  |               ^"
        );
        let d = one(source, 7..source.find(" x").unwrap());
        assert_eq!(d.span_len, 4);
        assert!(d.render().ends_with("|        ^^^^^^"), "{}", d.render());
    }

    #[test]
    fn spans_are_clipped_to_their_first_line() {
        let d = one("a = [\n  1,\n]\n", 4..12);
        assert_eq!((d.line, d.column, d.span_len), (1, 5, 1));
    }

    #[test]
    fn end_of_file_points_past_the_last_line() {
        let source = "a = {\n";
        let d = one(source, source.len()..source.len());
        assert_eq!((d.line, d.column, d.span_len), (1, 6, 1));
        assert!(d.render().ends_with("\n  |      ^"), "{}", d.render());
        let d = one("", 0..0);
        assert_eq!((d.line, d.column), (1, 1));
        assert_eq!(d.render(), "f.toml:1:1: a.b: bad\n1 |\n  | ^");
    }

    #[test]
    fn crlf_and_byte_order_mark_are_not_text() {
        let d = one("\u{feff}ab = 1\r\n", 3..5);
        assert_eq!((d.column, d.span_len), (1, 2));
        assert_eq!(d.source_line, "ab = 1");
        for at in [6, 7] {
            let d = one("ab = 1\r\nc = 2\r\n", at..at);
            assert_eq!((d.line, d.column, d.span_len), (1, 7, 1));
        }
    }

    #[test]
    fn another_file_sorts_where_the_scenario_names_it() {
        let scenario = "a = 1\nfile = \"x.csv\"\nb = 2\n";
        let mut sink = Sink::new("s.toml", scenario);
        let anchor = scenario.find("\"x.csv\"").unwrap();
        let csv = sink.add_file("x.csv".into(), "h\n美,bad\n".into(), anchor);
        sink.error(scenario.find("b =").unwrap()..0, "b", "after");
        sink.error_in(csv, 6..9, "row", "in the csv");
        sink.error(0..1, "a", "before");
        sink.error_in(csv, 0..1, "header", "csv header");
        let found: Vec<String> = sink.finish().iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "s.toml:1:1: a: before",
                "x.csv:1:1: header: csv header",
                "x.csv:2:3: row: in the csv",
                "s.toml:3:1: b: after",
            ]
        );
    }

    #[test]
    fn worksheet_cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 2), "C7");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(9, 26), "AA10");
        assert_eq!(cell_name(0, 701), "ZZ1");
        assert_eq!(cell_name(0, 702), "AAA1");
        let text = "name,households\nA,many\n";
        let mut sink = Sink::new("s.xlsx", text);
        sink.set_sheet_cells(SheetCells {
            sheet: "小区 2024".into(),
            starts: vec![(0, 0, 0), (5, 0, 1), (16, 1, 0), (18, 1, 1)],
        });
        sink.error(18..22, "row[0].households", "bad");
        sink.error(0..0, "header", "empty");
        let d: Vec<String> = sink.finish().iter().map(|d| d.render()).collect();
        assert_eq!(
            d,
            [
                "s.xlsx:'小区 2024'!A1: header: empty\n1 | name,households\n  | ^",
                "s.xlsx:'小区 2024'!B2: row[0].households: bad\n2 | A,many\n  |   ^^^^",
            ]
        );
    }

    #[test]
    fn problems_alike_are_one_diagnostic_with_a_count() {
        let mut sink = Sink::new("f", "a = [1, 1, 1, 1]\nb = 1\n");
        for i in 1..4 {
            sink.error(5 + 3 * i..6 + 3 * i, format!("a[{i}]"), "duplicate 1");
        }
        sink.error(17..18, "b", "duplicate 1");
        // The entity a problem is about is no part of what it is.
        for (i, subject) in ["site 'A'", "site 'B'"].into_iter().enumerate() {
            let field = format!("c[{i}].d");
            sink.error_about(FileId::MAIN, 17..18, field, Some(subject), "bad");
        }
        let found: Vec<String> = sink.finish().iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "f:1:9: a[1]: duplicate 1 (and 2 more like it)",
                "f:2:1: b: duplicate 1",
                "f:2:1: c[0].d: site 'A': bad (and 1 more like it)",
            ]
        );
        assert_eq!(without_indices("a[3].b[12]"), "a[].b[]");
        assert_eq!(
            without_indices("expected a number in [0, 1], already used by row[12]"),
            "expected a number in [0, 1], already used by row[]"
        );
        assert_eq!(thousands(19_998), "19,998");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn a_long_line_is_quoted_around_the_problem() {
        let line = format!("a = [{}99]", "1, ".repeat(1000));
        let at = line.find("99").unwrap();
        let d = one(&line, at..at + 2);
        assert_eq!(d.column, at + 1);
        assert_eq!(
            d.source_line,
            format!("…{}99]", "1, ".repeat(1000)[3000 - 40..].to_owned())
        );
        assert!(
            d.render().ends_with(&format!("|{}^^", " ".repeat(42))),
            "{}",
            d.render()
        );
        let d = one(&line, 0..1);
        assert_eq!(d.source_line.chars().count(), MAX_EXCERPT_CHARS + 1);
        assert!(d.source_line.starts_with("a = [1, ") && d.source_line.ends_with('…'));
    }

    #[test]
    fn diagnostics_come_out_in_source_order() {
        let mut sink = Sink::new("f", "a\nb\n");
        sink.error(2..3, "b", "second");
        sink.error(0..1, "a", "first");
        sink.error(2..3, "b", "third");
        let lines: Vec<_> = sink.finish().iter().map(|d| d.message.clone()).collect();
        assert_eq!(lines, ["first", "second", "third"]);
    }
}
