//! Reading input files: only regular files, and only up to a bound.
//!
//! `/dev/zero` given as a scenario, a site table or a survey was read
//! until memory ran out. A device, pipe or socket is refused before
//! reading, and a file past its bound is refused with the bound.

use std::io::{self, Read};
use std::path::Path;

/// Largest scenario file \[bytes\]: 128 MB. The district (175 sites) is
/// 60 KB; what `import-survey` writes for 100,000 communities, the bound
/// of `[[site]]` tables, is about 60 MB.
pub const MAX_SCENARIO_BYTES: u64 = 128 << 20;

/// Largest site table or survey sheet \[bytes\]: 256 MB, several times
/// 100,000 rows of the widest sheet.
pub const MAX_SHEET_BYTES: u64 = 256 << 20;

/// The bytes of the regular file at `path`, at most `max_bytes` of them;
/// `what` names the file in the error ("scenario", "site table").
///
/// A directory gives the operating system's own error, so callers that
/// explain directories still can.
pub fn read_regular(path: &Path, max_bytes: u64, what: &str) -> io::Result<Vec<u8>> {
    let meta = check_regular(path, what)?;
    if meta.is_file() && meta.len() > max_bytes {
        return Err(too_big(meta.len(), max_bytes, what));
    }
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(max_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_big(bytes.len() as u64, max_bytes, what));
    }
    Ok(bytes)
}

/// The metadata of `path`, refused when it is a device, pipe or socket
/// (which could be read for ever); `what` names the file in the error. A
/// directory passes, so callers that explain directories still can. For
/// files read whole, [`read_regular`]; for files streamed, this before
/// opening them.
pub fn check_regular(path: &Path, what: &str) -> io::Result<std::fs::Metadata> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() && !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file (a device, pipe or socket); a {what} must be a file"),
        ));
    }
    Ok(meta)
}

/// [`read_regular`] as UTF-8 text (`InvalidData` if it is not).
pub fn read_regular_text(path: &Path, max_bytes: u64, what: &str) -> io::Result<String> {
    let bytes = read_regular(path, max_bytes, what)?;
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// What is wrong with a quote that opens a cell and never closes, and
/// what to do: the `csv` crate ends such a quote at the end of the text,
/// so one stray `"` would swallow every row after it into one cell. The
/// site table, the survey import and the swap-log reader all say it so.
pub const UNTERMINATED_QUOTE: &str = "unterminated quote: the `\"` that opens this cell never \
     closes, so every row after it would be read as part of the cell; close it, or double a \
     quote inside a cell (`\"\"`)";

/// What a file given as CSV text is instead, with what to do about it:
/// a zip archive (an `.xlsx` workbook), UTF-16 text, or cells separated
/// by semicolons or tabs; `None` when it may well be CSV. Each once got
/// the advice for GBK text, which was wrong. `bytes` may be the file's
/// head only, [`NOT_CSV_HEAD`] bytes say, cut inside a character or not.
pub fn not_csv(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(
            "a zip archive (an .xlsx workbook, say), not CSV text: save the sheet \
             as \"CSV UTF-8 (comma delimited)\"",
        );
    }
    if is_utf16(bytes) {
        return Some(
            "UTF-16 text (Excel's \"Unicode Text\"), not UTF-8: save it as \
             \"CSV UTF-8 (comma delimited)\", or convert it: iconv -f UTF-16 -t UTF-8",
        );
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        // A head cut inside a character: its whole characters.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&bytes[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .find(|l| !l.trim().is_empty())?;
    if first.contains(',') {
        return None;
    }
    if first.contains(';') {
        return Some(
            "separated by semicolons, not commas (a CSV of Excel in a locale with \
             decimal commas): save it as \"CSV UTF-8 (comma delimited)\"",
        );
    }
    if first.contains('\t') {
        return Some(
            "separated by tabs (Excel's \"Text (Tab delimited)\"), not commas: save \
             it as \"CSV UTF-8 (comma delimited)\"",
        );
    }
    None
}

/// How much of a streamed file [`not_csv`] needs to see \[bytes\]: the
/// header row, and as much as [`is_utf16`] counts NUL bytes in.
pub const NOT_CSV_HEAD: usize = 4096;

/// A UTF-16 byte-order mark, or many NUL bytes (UTF-16 without a mark:
/// every other byte of ASCII text is 0).
pub fn is_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(NOT_CSV_HEAD)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    head.len() >= 4 && nuls * 4 >= head.len()
}

/// A site table's text: a regular file within [`MAX_SHEET_BYTES`], CSV
/// text in UTF-8; anything else is an error that says what it is.
pub fn read_site_table(path: &Path) -> io::Result<String> {
    let bytes = read_regular(path, MAX_SHEET_BYTES, "site table")?;
    if let Some(what) = not_csv(&bytes) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is {what}"),
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "it is not UTF-8 text: save it as \"CSV UTF-8 (comma delimited)\", or convert it \
             (iconv -f GBK -t UTF-8)",
        )
    })
}

fn too_big(len: u64, max_bytes: u64, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} MB exceeds the bound of {} MB for a {what}",
            len.div_ceil(1 << 20),
            max_bytes >> 20
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_are_refused_before_reading() {
        let e = read_regular(Path::new("/dev/zero"), 1 << 20, "scenario").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    #[test]
    fn files_that_are_not_csv_are_named() {
        let zip = not_csv(b"PK\x03\x04rest").expect("zip");
        assert!(zip.starts_with("a zip archive"), "{zip}");
        let utf16: Vec<u8> = "名称,x\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(not_csv(&utf16).expect("no mark").starts_with("UTF-16"));
        let mut marked = vec![0xFF, 0xFE];
        marked.extend(&utf16);
        assert!(not_csv(&marked).expect("marked").starts_with("UTF-16"));
        assert!(
            not_csv(b"name;ebikes\na;1\n")
                .expect(";")
                .contains("semicolons")
        );
        assert!(
            not_csv(b"\xEF\xBB\xBFname\tebikes\n")
                .expect("tab")
                .contains("tabs")
        );
        assert_eq!(not_csv(b"name,ebikes\na;b,1\n"), None);
        assert_eq!(not_csv(b"\xB5\xC4,1\n"), None, "GBK is for the GBK hint");
        // A head cut inside a character is still looked at.
        let cut = "名称;户数\n".as_bytes();
        assert!(
            not_csv(&cut[..cut.len() - 2])
                .expect(";")
                .contains("semicolons")
        );
    }

    #[test]
    fn files_past_the_bound_are_refused_with_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("big.toml");
        std::fs::write(&path, vec![b'#'; 3 << 20]).expect("write");
        let e = read_regular(&path, 2 << 20, "scenario").unwrap_err();
        assert_eq!(
            e.to_string(),
            "3 MB exceeds the bound of 2 MB for a scenario"
        );
        assert_eq!(
            read_regular(&path, 3 << 20, "scenario")
                .expect("fits")
                .len(),
            3 << 20
        );
    }
}
