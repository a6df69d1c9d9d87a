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
        write_charts(&drawn, dir, streams)?;
    }
    Ok(())
}

/// The charts of `input` in `lang`, into the `charts` folder of an `--out`
/// directory. SVG files there that this result did not draw (an earlier
/// `--force`d command's) are removed, as [`output::write_dir`] does for the
/// result files; anything else is left alone.
pub(crate) fn write_out_charts(
    input: &report::ReportInput,
    lang: report::Lang,
    out: &Path,
    streams: &mut Streams<'_>,
) -> Result<(), Error> {
    let drawn = report::charts(input, lang);
    let dir = out.join(CHARTS_DIR);
    write_charts(&drawn, &dir, streams)?;
    let entries = std::fs::read_dir(&dir).map_err(|source| Error::WriteOut {
        path: dir.clone(),
        source,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".svg")) else {
            continue;
        };
        if drawn.iter().all(|chart| chart.name != stem) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|source| Error::Remove {
                path: path.clone(),
                source,
            })?;
            streams.say(format_args!("removed {}", path.display()));
        }
    }
    Ok(())
}

/// The folder of an `--out` directory that holds the charts as SVG files.
pub(crate) const CHARTS_DIR: &str = "charts";

/// Writes each chart to `dir/NAME.svg`, atomically.
pub(crate) fn write_charts(
    drawn: &[report::Chart],
    dir: &Path,
    streams: &mut Streams<'_>,
) -> Result<(), Error> {
    // Created even when there is no chart, as `--charts` promises.
    std::fs::create_dir_all(dir).map_err(|source| Error::WriteOut {
        path: dir.to_owned(),
        source,
    })?;
    for chart in drawn {
        output::write_atomically(dir, &format!("{}.svg", chart.name), chart.svg.as_bytes())?;
    }
    streams.say(format_args!(
        "wrote {} to {}",
        count(drawn.len() as u64, "chart"),
        dir.display()
    ));
    Ok(())
}
