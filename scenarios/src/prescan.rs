//! A streaming look at a scenario's tokens before it is parsed.
//!
//! Parsing a TOML document into spanned values takes about 30 bytes of
//! memory per byte of a dense file: a file of a million `[[site]]` tables
//! (130 MB) took 4.7 GB only for `check` to refuse it past
//! [`bounds::MAX_SITES`]. The pre-scan runs the lexer over the source
//! without keeping its tokens (constant memory, 0.3 s for 130 MB) and
//! refuses, before anything is parsed, a file with more `[[site]]` tables
//! than the bound or more tokens than [`MAX_TOKENS`].

use toml_parser::lexer::TokenKind;

use crate::bounds;
use crate::diag::{Diagnostic, Sink};

/// TOML tokens per scenario (whitespace, newlines and comments count too).
/// The largest scenario that is meant to be one file, a survey of 99,999
/// communities written by `import-survey`, has 11.3 million (60 MB) and
/// `check` takes 1.1 GB for it: about 100 bytes a token, so the bound
/// keeps a scenario's parse near 1.6 GB.
pub const MAX_TOKENS: usize = 16_000_000;

/// Why [`MAX_TOKENS`] holds, for the error message.
const WHY_TOKENS: &str = "reading a scenario takes about 100 bytes a token, so this keeps it \
                          near 1.6 GB; a survey of 100,000 communities has 11 million; put \
                          a larger network's sites in a `[[site_table]]` CSV";

/// Refuses `source` when its `[[site]]` tables or its tokens are past
/// their bounds, with the error at the first table or token past the bound.
pub(crate) fn prescan(source: &str, file_name: &str) -> Result<(), Vec<Diagnostic>> {
    let mut tokens = 0usize;
    let mut sites = 0usize;
    let mut over_sites = None;
    let mut over_tokens = None;
    // Where a line's first tokens are in a `[[site]]` header: 0 at a line's
    // start, 1 and 2 after `[` and `[[`, 3 after `[[site`, 4 after `]`.
    let mut header = 0u8;
    let mut header_start = 0usize;
    let mut line_start = true;
    for token in toml_parser::Source::new(source).lex() {
        tokens += 1;
        if tokens == MAX_TOKENS + 1 {
            over_tokens = Some(token.span().start());
        }
        let kind = token.kind();
        let text = &source[token.span().start()..token.span().end()];
        header = match (header, kind) {
            (_, TokenKind::Newline) => {
                line_start = true;
                continue;
            }
            (_, TokenKind::Whitespace) => continue,
            (0, TokenKind::LeftSquareBracket) if line_start => {
                header_start = token.span().start();
                1
            }
            (1, TokenKind::LeftSquareBracket) => 2,
            (2, TokenKind::Atom) if text == "site" => 3,
            (2, TokenKind::BasicString | TokenKind::LiteralString)
                if text.len() == 6 && &text[1..5] == "site" =>
            {
                3
            }
            (3, TokenKind::RightSquareBracket) => 4,
            (4, TokenKind::RightSquareBracket) => {
                sites += 1;
                if sites == bounds::MAX_SITES + 1 {
                    over_sites = Some(header_start);
                }
                0
            }
            _ => 0,
        };
        line_start = false;
    }
    if over_sites.is_none() && over_tokens.is_none() {
        return Ok(());
    }
    let mut sink = Sink::new(file_name, source);
    if let Some(at) = over_sites {
        sink.error(
            at..at + "[[site]]".len(),
            "site",
            bounds::too_many_sites(sites),
        );
    } else if let Some(at) = over_tokens {
        sink.error(
            at..at + 1,
            "",
            format!(
                "{tokens} TOML tokens exceed the bound of {MAX_TOKENS} for a scenario \
                 ({WHY_TOKENS})"
            ),
        );
    }
    Err(sink.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites(n: usize) -> String {
        let mut text = String::from("[scenario]\nname = \"x\"\n");
        for i in 0..n {
            text.push_str(&format!("[[site]]\nname = \"s{i}\"\n"));
        }
        text
    }

    #[test]
    fn site_tables_up_to_the_bound_pass_and_one_more_is_refused_at_its_header() {
        assert!(prescan(&sites(bounds::MAX_SITES), "x.toml").is_ok());
        let text = sites(bounds::MAX_SITES + 2);
        let errors = prescan(&text, "x.toml").expect_err("past the bound");
        assert_eq!(errors.len(), 1);
        let message = errors[0].to_string();
        assert!(
            message.contains("100002 sites exceed the bound of 100000"),
            "{message}"
        );
        let line = 2 + 2 * bounds::MAX_SITES + 1;
        assert!(message.contains(&format!("x.toml:{line}:1")), "{message}");
    }

    #[test]
    fn headers_are_read_as_toml_reads_them() {
        // Quoted and spaced headers count; other tables, keys named site
        // and headers inside strings do not.
        let text = "[[ 'site' ]]\n  [[\"site\"]]\n[site_table]\nsite = 1\n\
                    s = \"\"\"\n[[site]]\n\"\"\"\n[[sites]]\n[[site.x]]\n";
        let mut repeated = String::new();
        for _ in 0..=bounds::MAX_SITES / 2 {
            repeated.push_str(text);
        }
        // Two headers in each repeat: (MAX_SITES / 2 + 1) × 2 is past the
        // bound by two; with the string's header counted it would be more.
        let counted = format!("{} sites exceed", (bounds::MAX_SITES / 2 + 1) * 2);
        let errors = prescan(&repeated, "x.toml").expect_err("past the bound");
        let message = errors[0].to_string();
        assert!(message.contains(&counted), "{message}");
        // Windows line ends count the same.
        let crlf = repeated.replace('\n', "\r\n");
        let errors = prescan(&crlf, "x.toml").expect_err("past the bound");
        let message = errors[0].to_string();
        assert!(message.contains(&counted), "{message}");
    }
}
