//! Renders a report from result files as a stand-alone alternative to `swapsim report`:
//!
//! ```text
//! cargo run -p report --example render -- RESULT OUT.html [zh|en] [CHART_DIR]
//! ```
//!
//! RESULT is a directory that `run --out` or `plan --out` wrote, or one
//! JSON result (`summary.json`, `plan.json`, `compare.json`). With
//! CHART_DIR, every chart is also written there as `NAME.svg`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(result), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: render RESULT OUT.html [zh|en] [CHART_DIR]");
        return ExitCode::from(2);
    };
    let lang = match args.get(2).map(|l| l.parse::<report::Lang>()) {
        None => report::Lang::default(),
        Some(Ok(lang)) => lang,
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let input = match report::load_dir(&PathBuf::from(result)) {
        Ok(input) => input,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let charts = report::charts(&input, lang);
    let html = report::render_html_with_charts(&input, lang, &charts);
    let mut written = std::fs::write(out, html);
    if let Some(dir) = args.get(3) {
        let dir = PathBuf::from(dir);
        written = written
            .and_then(|()| std::fs::create_dir_all(&dir))
            .and_then(|()| {
                charts
                    .iter()
                    .try_for_each(|c| std::fs::write(dir.join(format!("{}.svg", c.name)), &c.svg))
            });
    }
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
