//! `swapsim report`, and the `--html FILE` of `run`, `plan` and `compare`:
//! a result rendered by the `report` crate and written atomically.

use std::path::Path;

use crate::config::{HtmlReport, ReportConfig};
use crate::error::Error;
use crate::output;
use crate::streams::Streams;
use crate::{Status, count};

/// `swapsim report`: reads the result files, then writes the HTML report
/// and, with `--charts`, each chart as an SVG file.
pub(crate) fn report(config: &ReportConfig, streams: &mut Streams<'_>) -> Result<Status, Error> {
    let input = report::load_dir(&config.result)?;
    write(&input, &config.html, config.charts.as_deref(), streams)?;
    Ok(Status::Success)
}

/// Writes the report of `input` to `html.path` and, if `charts` is given,
/// each of its charts to `charts/NAME.svg`.
pub(crate) fn write(
    input: &report::ReportInput,
    html: &HtmlReport,
    charts: Option<&Path>,
    streams: &mut Streams<'_>,
) -> Result<(), Error> {
    let drawn = report::charts(input, html.lang);
    let page = report::render_html_with_charts(input, html.lang, &drawn);
    output::write_file_atomically(&html.path, page.as_bytes())?;
    streams.say(format_args!(
        "wrote {} ({} report, {})",
        html.path.display(),
        input.kind.as_str(),
        count(drawn.len() as u64, "chart")
    ));
    if let Some(dir) = charts {
        // Created even when there is no chart, as `--charts` promises.
        std::fs::create_dir_all(dir).map_err(|source| Error::WriteOut {
            path: dir.to_owned(),
            source,
        })?;
        for chart in &drawn {
            output::write_atomically(dir, &format!("{}.svg", chart.name), chart.svg.as_bytes())?;
        }
        streams.say(format_args!(
            "wrote {} to {}",
            count(drawn.len() as u64, "chart"),
            dir.display()
        ));
    }
    Ok(())
}
