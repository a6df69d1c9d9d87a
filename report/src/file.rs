//! Reading the report's inputs and fonts: only regular files, and only
//! up to a bound (`/dev/zero` as `--font` was read until memory ran out).

use std::io::{self, Read};
use std::path::Path;

/// Largest result file the report reads \[bytes\]: 1 GB.
pub(crate) const MAX_RESULT_BYTES: u64 = 1 << 30;

/// Largest font file \[bytes\]: 256 MB (a CJK collection is about 20–60 MB).
pub(crate) const MAX_FONT_BYTES: u64 = 256 << 20;

/// The bytes of the regular file at `path`, at most `max_bytes`; `what`
/// names it in the error. The same rule as `scenarios::file`, which this
/// crate does not depend on.
pub(crate) fn read_regular(path: &Path, max_bytes: u64, what: &str) -> io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() && !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file (a device, pipe or socket); a {what} must be a file"),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "larger than the bound of {} MB for a {what}",
                max_bytes >> 20
            ),
        ));
    }
    Ok(bytes)
}
