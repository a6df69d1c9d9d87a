//! README.md's examples are the program's real output, so they cannot go
//! stale (in the manner of trycmd).
//!
//! Each fenced block tagged `console` starts with one `$ swapsim ARGS`
//! line; the rest of the block is that command's stdout, run in-process
//! from the workspace root. A last line `...` stands for the rest of the
//! output: the lines before it must be the output's first lines. After an
//! intended change of output (new KPIs, say), rewrite the blocks with
//! `UPDATE_GOLDEN=1 cargo test --test integration readme` and review the
//! diff.

use std::fs;

use swapsim_cli::{Progress, exit, main_with};
use swapsim_suite::fixtures::update_golden;

const README: &str = "README.md";
const FENCE: &str = "```console";
const ELIDED: &str = "...";

/// One `console` block: its command line and expected output, and where
/// the output lines sit in the README (line indices, end exclusive).
struct Example {
    args: String,
    expected: Vec<String>,
    elided: bool,
    body: std::ops::Range<usize>,
}

fn examples(lines: &[&str]) -> Vec<Example> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != FENCE {
            i += 1;
            continue;
        }
        let command = lines.get(i + 1).copied().unwrap_or_default();
        let args = command
            .strip_prefix("$ swapsim ")
            .unwrap_or_else(|| panic!("README.md:{}: expected `$ swapsim ...`", i + 2));
        let start = i + 2;
        let end = (start..lines.len())
            .find(|&j| lines[j].trim_end() == "```")
            .unwrap_or_else(|| panic!("README.md:{}: unclosed block", i + 1));
        let mut expected: Vec<String> = lines[start..end].iter().map(|l| (*l).to_owned()).collect();
        let elided = expected.last().is_some_and(|l| l == ELIDED);
        if elided {
            expected.pop();
        }
        found.push(Example {
            args: args.to_owned(),
            expected,
            elided,
            body: start..end,
        });
        i = end + 1;
    }
    found
}

/// Runs `swapsim ARGS` in-process and returns its stdout.
fn stdout_of(args: &str) -> String {
    let argv = std::iter::once("swapsim").chain(args.split_whitespace());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = main_with(argv, &mut out, &mut err, Progress::Hidden);
    assert_eq!(
        status,
        exit::SUCCESS,
        "swapsim {args}:\n{}",
        String::from_utf8_lossy(&err)
    );
    String::from_utf8(out).expect("stdout is UTF-8")
}

#[test]
fn readme_console_examples_match_the_real_output() {
    let text = fs::read_to_string(README).expect("README.md");
    let lines: Vec<&str> = text.lines().collect();
    let examples = examples(&lines);
    assert!(
        examples.len() >= 2,
        "the README's console examples went missing"
    );
    let mut rewritten: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let mut failures = Vec::new();
    // Back to front, so that rewriting a block keeps the earlier ranges.
    for example in examples.iter().rev() {
        let output = stdout_of(&example.args);
        let mut actual: Vec<String> = output.lines().map(str::to_owned).collect();
        if example.elided {
            actual.truncate(example.expected.len());
        }
        if update_golden() {
            let mut body = actual;
            if example.elided {
                body.push(ELIDED.to_owned());
            }
            rewritten.splice(example.body.clone(), body);
        } else if actual != example.expected {
            failures.push(format!(
                "`swapsim {}` differs from README.md\n--- README\n{}\n--- actual\n{}\n---",
                example.args,
                example.expected.join("\n"),
                actual.join("\n")
            ));
        }
    }
    if update_golden() {
        let mut new_text = rewritten.join("\n");
        new_text.push('\n');
        fs::write(README, new_text).expect("README.md written");
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}
