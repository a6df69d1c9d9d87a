//! `swapsim report`, the `--html FILE` of `run`, `plan` and `compare`, and
//! the charts of `--charts DIR` and `--out DIR`: a result rendered by the
//! `report` crate and written atomically.

use std::path::Path;

use rayon::prelude::*;
use sim_core::Model;

use crate::config::{HtmlReport, ReportConfig, Reports};
use crate::error::Error;
use crate::output;
use crate::streams::Streams;
use crate::{Status, count};

/// `swapsim report`: reads the result files, then writes the HTML report
/// and, with `--charts`, each chart as an SVG file (and a PNG file with
/// `--png`). The charts are drawn before anything is written, so a font
/// that cannot draw them leaves no file behind.
pub(crate) fn report(config: &ReportConfig, streams: &mut Streams<'_>) -> Result<Status, Error> {
    let mut input = report::load_dir(&config.result)?;
    input.map_kpi = config.map_kpi.clone();
    let png = config.charts.as_ref().and(config.png.as_ref());
    let drawn = Drawn::of(&input, config.html.lang, png)?;
    write_page(&input, &config.html, &drawn.charts, streams)?;
    if let Some(dir) = &config.charts {
        write_charts(&drawn, dir, streams)?;
    }
    Ok(Status::Success)
}

/// Writes the report of `input` to `html.path`.
/// Writes what a `run`, `plan` or `compare` asked for besides stdout: with
/// `--out`, `files` and the charts into `out` (the charts are drawn first,
/// so a font that cannot draw them stops before any write); with `--html`,
/// the report. `input` builds the report's input when one is needed.
pub(crate) fn write_result(
    out: Option<(&Path, &[output::ResultFile<'_>])>,
    reports: &Reports,
    input: impl Fn() -> report::ReportInput,
    streams: &mut Streams<'_>,
) -> Result<(), Error> {
    let input = || report::ReportInput {
        map_kpi: reports.map_kpi.clone(),
        ..input()
    };
    if let Some((dir, files)) = out {
        let charts = Drawn::of(&input(), reports.lang, reports.png.as_ref())?;
        output::write_dir(dir, files, streams)?;
        write_out_charts(&charts, dir, streams)?;
    }
    if let Some(page) = &reports.html {
        write(&input(), page, streams)?;
    }
    Ok(())
}

pub(crate) fn write(
    input: &report::ReportInput,
    html: &HtmlReport,
    streams: &mut Streams<'_>,
) -> Result<(), Error> {
    write_page(input, html, &report::charts(input, html.lang), streams)
}

fn write_page(
    input: &report::ReportInput,
    html: &HtmlReport,
    charts: &[report::Chart],
    streams: &mut Streams<'_>,
) -> Result<(), Error> {
    let page = report::render_html_with_charts(input, html.lang, charts);
    output::write_file_atomically(&html.path, page.as_bytes())?;
    streams.say(format_args!(
        "wrote {} ({} report, {})",
        html.path.display(),
        input.kind.as_str(),
        count(charts.len() as u64, "chart")
    ));
    Ok(())
}

/// A result's charts, drawn in memory: SVG always, PNG when a font is
/// given.
pub(crate) struct Drawn<'f> {
    /// The charts, in report order.
    charts: Vec<report::Chart>,
    /// Each chart's PNG, in the same order, with the font they were drawn
    /// with.
    pngs: Option<(Vec<Vec<u8>>, &'f report::Font)>,
    /// The site map, as `map.svg`, and as `map.png` with a font.
    map: Option<(report::SiteMap, Option<Vec<u8>>)>,
}

impl<'f> Drawn<'f> {
    /// The charts of `input` in `lang`, and their PNGs drawn with `png`
    /// (in parallel; the bytes do not depend on the threads). Fails only if
    /// the font lacks a glyph that a chart needs: the first such chart in
    /// report order is named.
    pub(crate) fn of(
        input: &report::ReportInput,
        lang: report::Lang,
        png: Option<&'f report::Font>,
    ) -> Result<Drawn<'f>, Error> {
        let charts = report::charts(input, lang);
        let pngs = match png {
            None => None,
            Some(font) => {
                let drawn: Vec<Result<Vec<u8>, report::FontError>> =
                    charts.par_iter().map(|chart| chart.png(font)).collect();
                Some((drawn.into_iter().collect::<Result<_, _>>()?, font))
            }
        };
        let map = match report::site_map_of(input, lang) {
            None => None,
            Some(map) => {
                let png = png.map(|font| map.png(font)).transpose()?;
                Some((map, png))
            }
        };
        Ok(Drawn { charts, pngs, map })
    }

    /// The names of the files the charts go to.
    fn file_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .charts
            .iter()
            .map(|chart| format!("{}.svg", chart.name))
            .collect();
        if self.pngs.is_some() {
            names.extend(
                self.charts
                    .iter()
                    .map(|chart| format!("{}.png", chart.name)),
            );
        }
        if let Some((map, png)) = &self.map {
            names.push(format!("{}.svg", map.name));
            if png.is_some() {
                names.push(format!("{}.png", map.name));
            }
        }
        names
    }
}

/// The charts of a result into the `charts` folder of an `--out`
/// directory. Chart files there (SVG or PNG) that this result did not
/// draw, an earlier `--force`d command's, are removed, as
/// [`output::write_dir`] does for the result files; anything else is left
/// alone.
pub(crate) fn write_out_charts(
    drawn: &Drawn<'_>,
    out: &Path,
    streams: &mut Streams<'_>,
) -> Result<(), Error> {
    let dir = out.join(CHARTS_DIR);
    write_charts(drawn, &dir, streams)?;
    let ours = drawn.file_names();
    let entries = std::fs::read_dir(&dir).map_err(|source| Error::WriteOut {
        path: dir.clone(),
        source,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let chart_file = name.ends_with(".svg") || name.ends_with(".png");
        if chart_file && !ours.iter().any(|n| n == name) {
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

/// The folder of an `--out` directory that holds the charts.
pub(crate) const CHARTS_DIR: &str = "charts";

/// Writes each chart to `dir/NAME.svg`, and to `dir/NAME.png` if drawn,
/// atomically.
pub(crate) fn write_charts(
    drawn: &Drawn<'_>,
    dir: &Path,
    streams: &mut Streams<'_>,
) -> Result<(), Error> {
    // Created even when there is no chart, as `--charts` promises.
    std::fs::create_dir_all(dir).map_err(|source| Error::WriteOut {
        path: dir.to_owned(),
        source,
    })?;
    for chart in &drawn.charts {
        output::write_atomically(dir, &format!("{}.svg", chart.name), chart.svg.as_bytes())?;
    }
    if let Some((map, png)) = &drawn.map {
        output::write_atomically(dir, &format!("{}.svg", map.name), map.svg.as_bytes())?;
        if let Some(png) = png {
            output::write_atomically(dir, &format!("{}.png", map.name), png)?;
        }
    }
    let how = match &drawn.pngs {
        None => String::new(),
        Some((pngs, font)) => {
            for (chart, png) in drawn.charts.iter().zip(pngs) {
                output::write_atomically(dir, &format!("{}.png", chart.name), png)?;
            }
            format!(
                " as SVG and PNG (font '{}' from {})",
                font.family(),
                font.path().display()
            )
        }
    };
    streams.say(format_args!(
        "wrote {} to {}{how}",
        count(drawn.charts.len() as u64, "chart"),
        dir.display()
    ));
    Ok(())
}

/// The report context of `model`, loaded from `scenario` (the path as the
/// user wrote it) with `comments` beside its keys.
pub(crate) fn context(
    scenario: &Path,
    model: &Model,
    comments: &scenarios::Comments,
) -> report::Context {
    let path = scenario.display().to_string();
    report::Context::from_scenario(
        model,
        report::ScenarioFile {
            path: &path,
            comments,
        },
    )
}
