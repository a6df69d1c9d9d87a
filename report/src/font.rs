//! The font that PNG charts are drawn with: a TrueType or OpenType file,
//! or one face of a collection (`.ttc`), read at run time. SVG charts need
//! none: their text stays text and the browser picks the font.

use std::fmt;
use std::path::{Path, PathBuf};

use ab_glyph::{Font as _, FontVec};

/// Where systems usually keep a font with Chinese glyphs, in the order
/// [`find_cjk_font`] tries them: Debian and Ubuntu (`fonts-noto-cjk`,
/// `fonts-wqy-microhei`, `fonts-wqy-zenhei`), Arch, Fedora, macOS and
/// Windows.
pub const CJK_FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simhei.ttf",
];

/// A character every font with Chinese glyphs has ("middle").
const CJK_PROBE: char = '中';

/// A font face to draw PNG charts with.
pub struct Font {
    /// The file it was read from.
    path: PathBuf,
    /// The face's family name, if the font names it.
    family: String,
    /// The face's index in its collection (0 for a single font).
    index: u32,
    /// The parsed face, owning the file's bytes.
    pub(crate) face: FontVec,
}

/// Why a font cannot draw the charts. Each is fatal for the PNG charts
/// being made; the SVG charts do not need a font.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// The font file could not be read.
    #[error("cannot read font '{}': {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a font that can be parsed.
    #[error(
        "'{}' is not a usable font (TrueType, OpenType or a .ttc collection of them)",
        path.display()
    )]
    Invalid {
        /// The file.
        path: PathBuf,
    },
    /// The font lacks glyphs for text in a chart.
    #[error(
        "font '{}' ({family}) has no glyph for {} in chart '{chart}'",
        path.display(),
        quoted(chars)
    )]
    MissingGlyphs {
        /// The font file.
        path: PathBuf,
        /// The face's family name.
        family: String,
        /// The chart whose text it cannot draw.
        chart: String,
        /// The characters without a glyph, in order of appearance.
        chars: Vec<char>,
    },
}

/// `'美', '吉'`: at most eight characters, then `…`.
fn quoted(chars: &[char]) -> String {
    let mut text: Vec<String> = chars.iter().take(8).map(|c| format!("'{c}'")).collect();
    if chars.len() > 8 {
        text.push("…".to_owned());
    }
    text.join(", ")
}

impl Font {
    /// Reads the font at `path`; see [`Font::from_bytes`].
    pub fn load(path: &Path) -> Result<Font, FontError> {
        let data = crate::file::read_regular(path, crate::file::MAX_FONT_BYTES, "font").map_err(
            |source| FontError::Read {
                path: path.to_owned(),
                source,
            },
        )?;
        Font::from_bytes(data, path)
    }

    /// The font in `data`, read from `path`. Of a collection (`.ttc`) it
    /// takes the face that has Chinese glyphs and whose name says
    /// Simplified Chinese ("Noto Sans CJK SC"), preferring proportional
    /// faces to monospaced ones; else the first face with Chinese glyphs;
    /// else the first face.
    pub fn from_bytes(data: Vec<u8>, path: &Path) -> Result<Font, FontError> {
        let invalid = || FontError::Invalid {
            path: path.to_owned(),
        };
        let faces = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
        let mut best: Option<(u32, u32, String)> = None;
        for index in 0..faces {
            let Ok(face) = ttf_parser::Face::parse(&data, index) else {
                continue;
            };
            let family = family_name(&face);
            let score = face_score(&face, &family);
            if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                best = Some((score, index, family));
            }
        }
        let (_, index, family) = best.ok_or_else(invalid)?;
        let face = FontVec::try_from_vec_and_index(data, index).map_err(|_| invalid())?;
        if face.units_per_em().is_none() {
            return Err(invalid());
        }
        Ok(Font {
            path: path.to_owned(),
            family,
            index,
            face,
        })
    }

    /// The file the font was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The face's family name ("Noto Sans CJK SC"); empty if unnamed.
    pub fn family(&self) -> &str {
        &self.family
    }

    /// The face's index in its collection.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Whether the font has Chinese glyphs.
    pub fn has_cjk(&self) -> bool {
        self.has_glyph(CJK_PROBE)
    }

    /// The characters of `text` that the font has no glyph for, each once,
    /// in order; white space is never missing.
    pub fn missing(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = Vec::new();
        for c in text.chars() {
            if !c.is_whitespace() && !self.has_glyph(c) && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// `Ok` when the font has a glyph for every character of `text`, the
    /// text of the chart (or map) called `chart`; else the error that
    /// names the chart and the missing characters.
    pub(crate) fn check_glyphs(&self, text: &str, chart: &str) -> Result<(), FontError> {
        let chars = self.missing(text);
        if chars.is_empty() {
            return Ok(());
        }
        Err(FontError::MissingGlyphs {
            path: self.path().to_owned(),
            family: self.family().to_owned(),
            chart: chart.to_owned(),
            chars,
        })
    }

    fn has_glyph(&self, c: char) -> bool {
        self.face.glyph_id(c).0 != 0
    }
}

impl fmt::Debug for Font {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Font")
            .field("path", &self.path)
            .field("family", &self.family)
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// The first of `candidates` that is a readable font with Chinese glyphs.
pub fn find_cjk_font<P: AsRef<Path>>(candidates: &[P]) -> Option<Font> {
    candidates
        .iter()
        .map(AsRef::as_ref)
        .filter(|path| path.is_file())
        .filter_map(|path| Font::load(path).ok())
        .find(Font::has_cjk)
}

/// The face's family name: the typographic family if set, else the
/// family; the English name if there is one.
fn family_name(face: &ttf_parser::Face<'_>) -> String {
    let names: Vec<ttf_parser::name::Name<'_>> = face.names().into_iter().collect();
    for id in [
        ttf_parser::name_id::TYPOGRAPHIC_FAMILY,
        ttf_parser::name_id::FAMILY,
    ] {
        let of_id = || names.iter().filter(move |n| n.name_id == id);
        let english = of_id()
            .filter(|n| n.language() == ttf_parser::Language::English_UnitedStates)
            .find_map(ttf_parser::name::Name::to_string);
        if let Some(name) = english.or_else(|| of_id().find_map(ttf_parser::name::Name::to_string))
        {
            return name;
        }
    }
    String::new()
}

/// How well a face suits Chinese charts: Chinese glyphs first, then a name
/// that says Simplified Chinese, then proportional over monospaced.
fn face_score(face: &ttf_parser::Face<'_>, family: &str) -> u32 {
    u32::from(face.glyph_index(CJK_PROBE).is_some()) * 4 + name_score(family)
}

/// The name's part of [`face_score`].
fn name_score(family: &str) -> u32 {
    let simplified = family
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| matches!(word, "SC" | "CN" | "GB" | "Hans"));
    u32::from(simplified) * 2 + u32::from(!family.contains("Mono"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_no_font_is_an_error() {
        let path = Path::new("notes.txt");
        let err = Font::from_bytes(b"not a font at all".to_vec(), path).expect_err("no font");
        assert_eq!(
            err.to_string(),
            "'notes.txt' is not a usable font (TrueType, OpenType or a .ttc collection of them)"
        );
        let err = Font::load(Path::new("/nonexistent/font.ttc")).expect_err("no file");
        assert!(
            err.to_string()
                .starts_with("cannot read font '/nonexistent/font.ttc': "),
            "{err}"
        );
        assert!(find_cjk_font(&["/nonexistent/font.ttc", "Cargo.toml"]).is_none());
    }

    #[test]
    fn missing_glyphs_are_listed_once_and_briefly() {
        assert_eq!(quoted(&['美', '吉']), "'美', '吉'");
        assert_eq!(quoted(&['a'; 9]).matches('a').count(), 8);
        assert!(quoted(&['a'; 9]).ends_with(", …"));
    }

    #[test]
    fn simplified_chinese_faces_score_highest() {
        assert!(name_score("Noto Sans CJK SC") > name_score("Noto Sans CJK JP"));
        assert!(name_score("Noto Sans CJK SC") > name_score("Noto Sans Mono CJK SC"));
        assert_eq!(name_score("Noto Sans CJK TC"), 1);
    }
}
