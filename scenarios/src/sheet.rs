//! Survey sheets as records of cells with their positions: a CSV text, or
//! one worksheet of an `.xlsx` workbook.
//!
//! The survey reader sees one thing, [`Record`]s of [`Cell`]s, each cell
//! with its text and its byte span in a text that the diagnostics quote.
//! A CSV is its own text. A worksheet is rendered as text, one line per
//! row of the sheet (line 7 is row 7) and its cells written as CSV, so a
//! diagnostic shows the row with a caret under the cell; the spans also
//! map back to the worksheet's cells, so it names the cell as Excel does
//! (`survey.xlsx:Sheet1!C7`). calamine reads the workbook.

use std::io::Cursor;

use calamine::{Data, Reader as _, Xlsx};

use crate::diag::SheetCells;
use crate::site_table::{Cell, Record, records};

/// A survey sheet, read: see [`crate::import_survey_sheet`].
#[derive(Debug)]
pub struct SurveySheet {
    /// The file's name, for diagnostics.
    pub(crate) file: String,
    /// The text the diagnostics quote: the CSV, or the worksheet rendered.
    pub(crate) text: String,
    /// The records, or the byte offset and message of a malformed CSV.
    pub(crate) records: Result<Vec<Record>, (usize, String)>,
    /// For a worksheet, where its cells are in `text`.
    pub(crate) cells: Option<SheetCells>,
}

/// Why a survey sheet cannot be read at all (a bad cell is a
/// [`crate::Diagnostic`] instead). Each is fatal to the import.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// A CSV sheet is not UTF-8 (saved by Excel as GBK, say).
    #[error("'{file}' is not UTF-8 text")]
    NotUtf8 {
        /// The file's name.
        file: String,
    },
    /// A file given as CSV is something else: UTF-16 text, or cells
    /// separated by semicolons or tabs.
    #[error("'{file}' is {what}")]
    NotCsv {
        /// The file's name.
        file: String,
        /// What it is, and what to do.
        what: &'static str,
    },
    /// The workbook cannot be opened or its sheet cannot be read.
    #[error("cannot read the workbook '{file}': {message}")]
    Workbook {
        /// The file's name.
        file: String,
        /// What calamine said.
        message: String,
    },
    /// The workbook has no sheet of the name asked for.
    #[error(
        "the workbook '{file}' has no sheet '{sheet}', expected one of {}",
        quoted(sheets)
    )]
    UnknownSheet {
        /// The file's name.
        file: String,
        /// The name asked for.
        sheet: String,
        /// The workbook's sheets, in order.
        sheets: Vec<String>,
    },
    /// The workbook has no worksheet.
    #[error("the workbook '{file}' has no sheets")]
    NoSheets {
        /// The file's name.
        file: String,
    },
    /// A sheet was asked of a CSV file.
    #[error(
        "'{file}' is CSV text, which has no sheet '{sheet}': only an .xlsx workbook has sheets"
    )]
    NotAWorkbook {
        /// The file's name.
        file: String,
        /// The name asked for.
        sheet: String,
    },
}

/// `'a', 'b'`.
fn quoted(names: &[String]) -> String {
    let names: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    names.join(", ")
}

impl SurveySheet {
    /// A CSV sheet (UTF-8; a byte-order mark is fine) named `file`.
    pub fn csv(text: &str, file: &str) -> SurveySheet {
        SurveySheet {
            file: file.to_owned(),
            text: text.to_owned(),
            records: records(text),
            cells: None,
        }
    }

    /// The file's bytes as a sheet: an `.xlsx` workbook when it is one (a
    /// zip archive, or a name ending in `.xlsx` or `.xlsm`), its sheet
    /// `sheet` or else its first; otherwise UTF-8 CSV text, for which
    /// `sheet` must be `None`.
    pub fn read(bytes: &[u8], file: &str, sheet: Option<&str>) -> Result<SurveySheet, SheetError> {
        let lower = file.to_lowercase();
        if is_workbook(bytes) || lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
            return SurveySheet::xlsx(bytes, file, sheet);
        }
        if let Some(sheet) = sheet {
            return Err(SheetError::NotAWorkbook {
                file: file.to_owned(),
                sheet: sheet.to_owned(),
            });
        }
        if let Some(what) = crate::file::not_csv(bytes) {
            return Err(SheetError::NotCsv {
                file: file.to_owned(),
                what,
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| SheetError::NotUtf8 {
            file: file.to_owned(),
        })?;
        Ok(SurveySheet::csv(text, file))
    }

    /// Sheet `sheet` of the `.xlsx` workbook `bytes` named `file`, or its
    /// first sheet. A formula cell gives its value as last calculated; a
    /// number its shortest text (`1300`, `0.2`: a cell shown as `20%`
    /// holds 0.2); an error its code (`#N/A`).
    pub fn xlsx(bytes: &[u8], file: &str, sheet: Option<&str>) -> Result<SurveySheet, SheetError> {
        let unreadable = |error: calamine::XlsxError| SheetError::Workbook {
            file: file.to_owned(),
            message: error.to_string(),
        };
        let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
        let sheets = workbook.sheet_names();
        let name = match sheet {
            Some(name) if sheets.iter().any(|s| s == name) => name.to_owned(),
            Some(name) => {
                return Err(SheetError::UnknownSheet {
                    file: file.to_owned(),
                    sheet: name.to_owned(),
                    sheets,
                });
            }
            None => sheets
                .first()
                .cloned()
                .ok_or_else(|| SheetError::NoSheets {
                    file: file.to_owned(),
                })?,
        };
        let range = workbook.worksheet_range(&name).map_err(unreadable)?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|row| row.iter().map(cell_text).collect())
            .collect();
        Ok(render(file, name, (first_row, first_col), &rows))
    }

    /// The name of the worksheet read, for a workbook.
    pub fn sheet_name(&self) -> Option<&str> {
        self.cells.as_ref().map(|c| c.sheet.as_str())
    }
}

/// Whether `bytes` are a zip archive, as an `.xlsx` workbook is.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The text of a worksheet cell, as the survey reads it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Bool(true) => "TRUE".to_owned(),
        Data::Bool(false) => "FALSE".to_owned(),
        other => other.to_string(),
    }
}

/// A worksheet's rows, the first at (`first_row`, `first_col`) [0-based],
/// as records over a text with one line per row of the sheet.
fn render(
    file: &str,
    sheet: String,
    (first_row, first_col): (u32, u32),
    rows: &[Vec<String>],
) -> SurveySheet {
    // Lines before the first row keep line numbers equal to row numbers.
    let mut text = "\n".repeat(first_row as usize);
    let mut records = Vec::new();
    let mut starts = Vec::new();
    // The header's width: trailing empty cells of the bounding box are not
    // columns, and rows keep at least the header's cells.
    let mut width = None;
    for (r, row) in (first_row..).zip(rows) {
        let trimmed: Vec<&str> = row.iter().map(|c| c.trim()).collect();
        let filled = trimmed
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |i| i + 1);
        let kept = filled.max(width.unwrap_or(0)).min(trimmed.len());
        let mut cells = Vec::with_capacity(kept);
        for (c, cell) in (first_col..).zip(&trimmed[..kept]) {
            if c > first_col {
                text.push(',');
            }
            // Shown on one line; quoted as CSV would be where needed.
            let shown = cell.replace(['\r', '\n'], " ");
            let quote = shown.contains([',', '"']);
            if quote {
                text.push('"');
            }
            let start = text.len();
            text.push_str(&shown.replace('"', "\"\""));
            starts.push((start, r, c));
            cells.push(Cell {
                text: (*cell).to_owned(),
                span: start..text.len(),
            });
            if quote {
                text.push('"');
            }
        }
        text.push('\n');
        if filled == 0 {
            continue;
        }
        width.get_or_insert(kept);
        let span =
            cells.first().map_or(0, |c| c.span.start)..cells.last().map_or(0, |c| c.span.end);
        records.push(Record { cells, span });
    }
    SurveySheet {
        file: file.to_owned(),
        text,
        records: Ok(records),
        cells: Some(SheetCells { sheet, starts }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells
            .iter()
            .map(|row| row.iter().map(|c| (*c).to_owned()).collect())
            .collect()
    }

    #[test]
    fn a_worksheet_renders_one_line_per_row_with_the_cells_as_csv() {
        let sheet = render(
            "s.xlsx",
            "Sheet1".into(),
            (1, 0),
            &rows(&[
                &["name", " 户数 ", "notes", ""],
                &["", "", "", ""],
                &["A, 北", "3", "say \"hi\"\nthere", ""],
                &["B", "", "", "x"],
            ]),
        );
        assert_eq!(
            sheet.text,
            "\nname,户数,notes\n,,\n\"A, 北\",3,\"say \"\"hi\"\" there\"\nB,,,x\n"
        );
        let records = sheet.records.as_ref().unwrap();
        assert_eq!(records.len(), 3);
        let texts: Vec<Vec<&str>> = records
            .iter()
            .map(|r| r.cells.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(
            texts,
            [
                vec!["name", "户数", "notes"],
                vec!["A, 北", "3", "say \"hi\"\nthere"],
                vec!["B", "", "", "x"],
            ]
        );
        let a = &records[1].cells[0];
        assert_eq!(&sheet.text[a.span.clone()], "A, 北");
    }

    #[test]
    fn sheets_are_asked_of_workbooks_only() {
        let err = SurveySheet::read(b"name\nA\n", "s.csv", Some("x")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "'s.csv' is CSV text, which has no sheet 'x': only an .xlsx workbook has sheets"
        );
        let err = SurveySheet::read(b"name\n\xb0\xa1\n", "s.csv", None).unwrap_err();
        assert_eq!(err.to_string(), "'s.csv' is not UTF-8 text");
        let err = SurveySheet::read(b"name\nA\n", "s.xlsx", None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read the workbook 's.xlsx': "),
            "{err}"
        );
    }

    #[test]
    fn a_workbook_gives_its_first_sheet_or_the_one_asked_for() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let first = workbook.add_worksheet().set_name("说明").unwrap();
        first.write(0, 0, "read me").unwrap();
        let survey = workbook.add_worksheet().set_name("小区").unwrap();
        survey.write(2, 1, "name").unwrap();
        survey.write(2, 2, "ebikes").unwrap();
        survey.write(3, 1, "A").unwrap();
        survey.write(3, 2, 1300).unwrap();
        survey.write(4, 1, "B").unwrap();
        survey.write(4, 2, 0.25).unwrap();
        survey.write(4, 3, true).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        assert!(is_workbook(&bytes));

        let sheet = SurveySheet::read(&bytes, "s.xlsx", None).unwrap();
        assert_eq!(sheet.sheet_name(), Some("说明"));
        assert_eq!(sheet.text, "read me\n");

        let sheet = SurveySheet::read(&bytes, "s.data", Some("小区")).unwrap();
        assert_eq!(sheet.text, "\n\nname,ebikes\nA,1300\nB,0.25,TRUE\n");
        let cells = sheet.cells.as_ref().unwrap();
        assert_eq!(cells.starts[0], (2, 2, 1));

        let err = SurveySheet::read(&bytes, "s.xlsx", Some("Sheet1")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the workbook 's.xlsx' has no sheet 'Sheet1', expected one of '说明', '小区'"
        );
    }
}
