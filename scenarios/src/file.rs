//! Reading input files: only regular files, and only up to a bound.
//!
//! `/dev/zero` given as a scenario, a site table or a survey was read
//! until memory ran out. A device, pipe or socket is refused before
//! reading, and a file past its bound is refused with the bound.

use std::io::{self, Read};
use std::path::Path;

/// Largest scenario file \[bytes\]: 64 MB. The district (175 sites) is
/// 60 KB; 100,000 sites, the bound of `[[site]]` tables, fit in about
/// 30 MB.
pub const MAX_SCENARIO_BYTES: u64 = 64 << 20;

/// Largest site table or survey sheet \[bytes\]: 256 MB, several times
/// 100,000 rows of the widest sheet.
pub const MAX_SHEET_BYTES: u64 = 256 << 20;

/// The bytes of the regular file at `path`, at most `max_bytes` of them;
/// `what` names the file in the error ("scenario", "site table").
///
/// A directory gives the operating system's own error, so callers that
/// explain directories still can.
pub fn read_regular(path: &Path, max_bytes: u64, what: &str) -> io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() && !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file (a device, pipe or socket); a {what} must be a file"),
        ));
    }
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
