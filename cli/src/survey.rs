//! `swapsim import-survey`: a community survey sheet and a template become
//! a scenario, written whole or not at all.

use crate::config::ImportConfig;
use crate::error::Error;
use crate::streams::Streams;
use crate::{Status, output};

/// Imports the sheet; the scenario goes to `--out FILE` (atomically) or to
/// stdout, and nothing is written when the sheet or template has a problem.
pub(crate) fn import(config: &ImportConfig, streams: &mut Streams<'_>) -> Result<Status, Error> {
    let scenario = scenarios::import_survey_sheet(
        &config.sheet,
        &config.template_text,
        &config.template.display().to_string(),
    )
    .map_err(|diagnostics| Error::Survey {
        sheet: config.sheet_path.clone(),
        diagnostics,
    })?;
    match &config.out {
        Some(path) => {
            output::write_file_atomically(path, scenario.as_bytes())?;
            streams.say(format_args!("wrote {}", path.display()));
        }
        None => streams.out(&scenario)?,
    }
    Ok(Status::Success)
}
