//! Finding fixtures and shipped scenarios, for the data-driven tests.

use std::fs;
use std::path::{Path, PathBuf};

/// The workspace root, which every fixture path is relative to.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `*.{ext}` files of `dir` (relative to the root), sorted by name;
/// panics when there are none.
pub fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<_> = fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.{ext} files in {dir}");
    files
}

/// Every `scenarios/*.toml` that ships with swapsim (the crate's
/// `Cargo.toml` and the sweep files aside), sorted by name.
pub fn shipped_scenarios() -> Vec<PathBuf> {
    files("scenarios", "toml")
        .into_iter()
        .filter(|path| !path.ends_with("Cargo.toml") && !is_sweep(path))
        .collect()
}

/// Every `scenarios/*.sweep.toml` (a sweep file, for `swapsim sweep`),
/// sorted by name.
pub fn shipped_sweeps() -> Vec<PathBuf> {
    files("scenarios", "toml")
        .into_iter()
        .filter(|path| is_sweep(path))
        .collect()
}

fn is_sweep(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".sweep.toml")
}

/// `path` relative to the root, with `/` separators on every platform.
pub fn relative(path: &Path) -> String {
    let relative = path.strip_prefix(root()).expect("fixture under the root");
    let parts: Vec<_> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// Whether `UPDATE_GOLDEN=1` asks the golden tests to rewrite their files.
pub fn update_golden() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1")
}
