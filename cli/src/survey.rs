//! `swapsim import-survey`: a community survey sheet and a template become
//! a scenario, written whole or not at all.

use crate::config::ImportConfig;
use crate::error::Error;
use crate::streams::Streams;
use crate::{Status, output};

/// Imports the sheet; the scenario goes to `--out FILE` (atomically) or to
/// stdout, and nothing is written when the sheet or template has a problem.
pub(crate) fn import(config: ImportConfig, streams: &mut Streams<'_>) -> Result<Status, Error> {
    // The sheet is the import's to free once read.
    let ImportConfig {
        sheet,
        sheet_path,
        template,
        template_text,
        out,
    } = config;
    let scenario =
        scenarios::import_survey_sheet(sheet, &template_text, &template.display().to_string())
            .map_err(|diagnostics| Error::Survey {
                sheet: sheet_path,
                diagnostics,
            })?;
    match &out {
        Some(path) => {
            output::write_file_atomically(path, scenario.as_bytes())?;
            streams.say(format_args!("wrote {}", path.display()));
        }
        None => streams.out(&scenario)?,
    }
    Ok(Status::Success)
}
