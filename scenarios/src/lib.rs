//! swapsim's scenario layer: reads a TOML scenario file into the validated
//! [`sim_core::Model`] the engine runs.
//!
//! Architecture invariant: this is the only crate that parses TOML and knows
//! file positions. It knows nothing of exit codes or terminals: it returns
//! [`Diagnostic`]s, and `cli` decides how to print them.
//!
//! The schema, with every key, unit, default and valid range, is in this
//! crate's `README.md`; the shipped scenarios sit beside it.
//!
//! # Reading a scenario
//!
//! ```
//! let source = r#"
//! [scenario]
//! name = "one cabinet"
//!
//! [battery]
//! capacity_wh = 1000
//! charge = { model = "exponential", mean_hours = 3.0 }
//!
//! [[site]]
//! name = "美吉鑫小区"
//! cabinets = 1
//! slots_per_cabinet = 12
//! batteries = 11
//! demand = { model = "poisson", swaps_per_hour = 2.0 }
//! patience = { model = "none" }
//! "#;
//! let model = scenarios::parse(source, "one.toml").unwrap();
//! assert_eq!(model.days, 28); // the default
//! assert_eq!(model.sites[0].slots(), 12);
//! ```
//!
//! # Reporting problems
//!
//! A bad file yields every problem at once, in source order, each with its
//! position, the field's path and what would be valid:
//!
//! ```
//! let source = "[scenario]\nname = \"x\"\ndays = 0\nwarmup = 1\n";
//! let problems = scenarios::parse(source, "bad.toml").unwrap_err();
//! let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
//! assert_eq!(lines, [
//!     "bad.toml:1:1: battery: missing required table `[battery]`",
//!     "bad.toml:1:1: site: missing required table `[[site]]`, expected at least one",
//!     "bad.toml:3:8: scenario.days: expected an integer from 1 to 3650, found 0",
//!     "bad.toml:4:1: scenario.warmup: unknown key, expected one of `name`, `label`, `days`, \
//!      `warmup_days`, `seed`, `replications`; did you mean `warmup_days`?",
//! ]);
//! // With the source line and a caret:
//! assert_eq!(
//!     problems[2].render(),
//!     "bad.toml:3:8: scenario.days: expected an integer from 1 to 3650, found 0\n\
//!      3 | days = 0\n  \
//!        |        ^"
//! );
//! ```
//!
//! TOML syntax errors are reported alone: the tree the parser recovers
//! around them is a guess, and checking it would report problems that are
//! not in the file.
//!
//! # Files a scenario names
//!
//! A `[[site_table]]` reads its sites from a CSV file next to the scenario.
//! [`load`] reads it from disk; [`parse`] reads no files; [`parse_with`]
//! takes a function that reads them, for tests and other sources:
//!
//! ```
//! use std::path::Path;
//!
//! let source = r#"
//! [scenario]
//! name = "district"
//!
//! [battery]
//! capacity_wh = 1000
//! charge = { model = "exponential", mean_hours = 3.0 }
//!
//! [[site_table]]
//! file = "sites.csv"
//! defaults = { slots_per_cabinet = 12, swap_adoption = 0.3 }
//! "#;
//! let read = |path: &Path| {
//!     assert_eq!(path, Path::new("plans/sites.csv"));
//!     Ok("name,cabinets,batteries,ebikes\n美吉鑫小区,2,20,600\n".to_owned())
//! };
//! let model = scenarios::parse_with(source, "plans/district.toml", &read).unwrap();
//! assert_eq!(model.sites[0].ebikes, 600);
//! assert_eq!(model.riders.groups.len(), 2); // the default commuter and courier
//! ```
//!
//! # Plans and surveys
//!
//! A scenario also carries what `swapsim plan` needs: `[targets]`,
//! `[costs]` and `[planner]`. [`plan_file`] writes a
//! [`sim_core::planner::Plan`] as a scenario file: the original text,
//! followed by `[[scenario_override]]`, `[[site_override]]` and
//! `[[transformer_override]]` tables that [`parse`] applies after
//! everything else. [`import_survey`] turns a
//! town's survey sheet (CSV, Chinese or English headers) and a template
//! scenario into a scenario with one `[[site]]` per community.
//!
//! The layers are: `diag` (positions and carets), `walk` (a typed walk
//! over the TOML tree that reports every problem), then one module per
//! section, each with a `read` function over its table.

mod battery;
pub mod bounds;
mod cabinet;
mod choice;
mod comments;
mod costs;
mod couriers;
mod diag;
mod dist;
pub mod file;
mod group;
mod home;
mod overrides;
mod pieces;
mod planner;
pub mod plausible;
pub mod prescan;
mod scenario;
mod shapes;
mod sheet;
mod site;
mod site_table;
mod survey;
pub mod sweep;
mod targets;
mod tariff;
mod transformer;
mod walk;

use std::io;
use std::path::{Path, PathBuf};

use sim_core::{
    BatterySpec, CabinetRules, Demand, Dist, Grid, Model, RiderGroup, Riders, Strategy,
    TransformerSpec,
};
use toml::de::DeTable;

pub use comments::{Comments, comments};
pub use diag::{Diagnostic, Severity};
pub use overrides::{PLAN_MARKER, plan_file};
pub use sheet::{SheetError, SurveySheet, is_workbook};
pub use survey::{import_survey, import_survey_sheet};

use diag::Sink;
use site::{Built, Context, TransformerRef};
use site_table::Files;
use walk::Table;

/// Why [`load`] failed. Both are fatal: there is no model to run.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read '{}': {source}", path.display())]
    Io {
        /// The path given to [`load`].
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file was read but is not a valid scenario: one diagnostic per
    /// problem, in source order.
    #[error("invalid scenario: {}", count_problems(.0))]
    Invalid(Vec<Diagnostic>),
}

/// Parses and validates a scenario. `file_name` is only used in the
/// diagnostics; pass the path as the user wrote it.
///
/// Reads no files: a `[[site_table]]` is reported as unreadable. Use
/// [`load`], or [`parse_with`] to supply the files.
///
/// On failure, returns every problem found, in source order (never empty).
pub fn parse(source: &str, file_name: &str) -> Result<Model, Vec<Diagnostic>> {
    parse_with(source, file_name, &|_| {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "scenarios::parse reads no files, use scenarios::load",
        ))
    })
}

/// [`parse`], reading the files the scenario names (the CSV of a
/// `[[site_table]]`) with `read_file`.
///
/// A file is named relative to the scenario: `read_file` gets the
/// directory of `file_name` joined with the name in the scenario, and the
/// diagnostics about the file name it that way too.
pub fn parse_with(
    source: &str,
    file_name: &str,
    read_file: &dyn Fn(&Path) -> io::Result<String>,
) -> Result<Model, Vec<Diagnostic>> {
    parse_with_warnings(source, file_name, read_file).map(|(model, _)| model)
}

/// [`parse_with`], and the warnings about values that are valid but
/// outside the plausible range of an e-bike network ([`plausible::RANGES`]),
/// in source order. Warnings come only with a model: an invalid scenario
/// gives its errors alone.
pub fn parse_with_warnings(
    source: &str,
    file_name: &str,
    read_file: &dyn Fn(&Path) -> io::Result<String>,
) -> Result<(Model, Vec<Diagnostic>), Vec<Diagnostic>> {
    parse_document(source, file_name, read_file, false)
        .map(|(model, warnings, _)| (model, warnings))
}

/// [`parse_with_warnings`], and the [`comments`] of the same parse when
/// `with_comments` (a second parse of a 60 MB survey took 2.6 s).
fn parse_document(
    source: &str,
    file_name: &str,
    read_file: &dyn Fn(&Path) -> io::Result<String>,
    with_comments: bool,
) -> Result<(Model, Vec<Diagnostic>, Comments), Vec<Diagnostic>> {
    prescan::prescan(source, file_name)?;
    // In pieces when large: toml's token arrays for a whole 60 MB survey
    // were 685 MB.
    let (document, syntax_errors) = pieces::parse(source);
    if !syntax_errors.is_empty() {
        let mut sink = Sink::new(file_name, source);
        for error in syntax_errors {
            sink.error(error.span().unwrap_or(0..0), "syntax", error.message());
        }
        return Err(sink.finish());
    }
    let (model, warnings) = read_document(source, &document, file_name, read_file)?;
    let comments = if with_comments {
        let names: Vec<&str> = model.sites.iter().map(|s| s.name.as_str()).collect();
        comments::of_document(source, document.get_ref(), &names)
    } else {
        Comments::new()
    };
    Ok((model, warnings, comments))
}

/// [`parse_with_warnings`] of a document already parsed from `source`
/// (and perhaps edited, as a sweep's point is: its spans are in `source`).
pub(crate) fn read_document(
    source: &str,
    document: &toml::Spanned<DeTable<'_>>,
    file_name: &str,
    read_file: &dyn Fn(&Path) -> io::Result<String>,
) -> Result<(Model, Vec<Diagnostic>), Vec<Diagnostic>> {
    let files = Files {
        dir: Path::new(file_name).parent().unwrap_or(Path::new("")),
        read: read_file,
    };
    let mut sink = Sink::new(file_name, source);
    let model = read_model(Table::root(document), &files, &mut sink);
    match model {
        Some(model) if !sink.has_errors() => Ok((model, sink.finish_with_warnings().1)),
        _ => {
            debug_assert!(sink.has_errors(), "a scenario was rejected silently");
            Err(sink.finish())
        }
    }
}

/// Reads a scenario file (UTF-8) and [`parse`]s it, naming it by `path`;
/// the files it names are read relative to it.
pub fn load(path: &Path) -> Result<Model, LoadError> {
    load_commented(path).map(|(model, _)| model)
}

/// [`load`], and the [`comments`] beside the file's keys, which cite where
/// its values come from (for a report's assumptions).
pub fn load_commented(path: &Path) -> Result<(Model, Comments), LoadError> {
    load_with_warnings(path).map(|loaded| (loaded.model, loaded.comments))
}

/// A valid scenario as [`load_with_warnings`] reads it.
#[derive(Debug)]
pub struct Loaded {
    /// The validated model.
    pub model: Model,
    /// The comments beside the file's keys (see [`comments`]).
    pub comments: Comments,
    /// Values outside the plausible range of an e-bike network, each a
    /// [`Diagnostic`] of [`Severity::Warning`], in source order.
    pub warnings: Vec<Diagnostic>,
    /// The site tables read (`[[site_table]] file`), each path as read:
    /// the key's value joined to the scenario's directory.
    pub site_tables: Vec<std::path::PathBuf>,
}

/// [`load_commented`], and the warnings of [`parse_with_warnings`].
pub fn load_with_warnings(path: &Path) -> Result<Loaded, LoadError> {
    let bytes =
        file::read_regular(path, file::MAX_SCENARIO_BYTES, "scenario").map_err(|source| {
            LoadError::Io {
                path: path.to_owned(),
                source,
            }
        })?;
    let file_name = path.display().to_string();
    match String::from_utf8(bytes) {
        Ok(source) => {
            let read = std::cell::RefCell::new(Vec::new());
            let reader = |table: &Path| {
                read.borrow_mut().push(table.to_owned());
                file::read_site_table(table)
            };
            parse_document(&source, &file_name, &reader, true)
                .map(|(model, warnings, comments)| Loaded {
                    model,
                    comments,
                    warnings,
                    site_tables: read.take(),
                })
                .map_err(LoadError::Invalid)
        }
        Err(error) => {
            // Point at the first bad byte, in the valid text before it.
            let valid_up_to = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let text = String::from_utf8_lossy(&bytes);
            let mut sink = Sink::new(&file_name, &text);
            sink.error(
                valid_up_to..valid_up_to + 1,
                "encoding",
                "invalid UTF-8, expected a UTF-8 text file",
            );
            Err(LoadError::Invalid(sink.finish()))
        }
    }
}

fn count_problems(diagnostics: &[Diagnostic]) -> String {
    match diagnostics.len() {
        1 => "1 problem".to_owned(),
        n => format!("{n} problems"),
    }
}

/// Reads the document, one module per section, then checks the sections
/// against each other and assembles the model.
fn read_model(mut root: Table<'_, '_>, files: &Files<'_>, sink: &mut Sink<'_>) -> Option<Model> {
    let mut scenario = root
        .required_table(sink, "scenario")
        .and_then(|t| scenario::read(t, sink));
    let battery_table = root.required_table(sink, "battery");
    let dispense_at = battery_table.as_ref().map(|t| t.at("dispense_soc"));
    let battery = battery_table.and_then(|t| battery::read(t, sink));
    let cabinet = root
        .optional_table(sink, "cabinet")
        .ok()
        .map(|t| cabinet::read(t, sink));
    let choice = optional_section(&mut root, sink, "choice", choice::read);
    let groups = group::read_all(
        root.optional_tables(sink, "group"),
        battery.as_ref().map(|b| b.dispense_soc),
        sink,
    );
    let home = optional_section(&mut root, sink, "home_charging", home::read);
    let tariff = optional_section(&mut root, sink, "tariff", tariff::read);
    let named = transformer::read_all(root.optional_tables(sink, "transformer"), sink);
    let transformer_names: Vec<&str> = named.names.iter().map(String::as_str).collect();
    let ctx = Context {
        groups: &groups,
        transformers: &transformer_names,
        cc_cv: battery
            .as_ref()
            .map(|b| matches!(b.charge, sim_core::ChargeModel::CcCv(_))),
    };
    let mut site_names = site::SiteNames::default();
    let sites_at = root.at(if root.has("site") {
        "site"
    } else {
        "site_table"
    });
    let site_tables = if root.has("site_table") {
        root.optional_tables(sink, "site")
    } else {
        root.required_tables(sink, "site")
    };
    // Counted again with the site tables' rows below; here before reading
    // a million `[[site]]` tables only to refuse them.
    if site_tables.len() > bounds::MAX_SITES {
        too_many_sites(&sites_at, site_tables.len(), sink);
        return None;
    }
    let sites = site::read_all(site_tables, &ctx, &mut site_names, sink);
    let couriers = couriers::read_all(root.optional_tables(sink, "couriers"), &ctx, sink);
    let table_sites = site_table::read_all(
        root.optional_tables(sink, "site_table"),
        &ctx,
        &mut site_names,
        files,
        sink,
    );
    let targets = optional_section(&mut root, sink, "targets", targets::read);
    let costs = optional_section(&mut root, sink, "costs", costs::read);
    let planner = optional_section(&mut root, sink, "planner", planner::read);
    // Read by `import_survey`; checked here, no part of the model.
    optional_section(&mut root, sink, "survey", survey::read_settings);
    let scenario_overrides =
        overrides::read_scenario(root.optional_tables(sink, "scenario_override"), sink);
    let site_overrides = overrides::read_sites(
        root.optional_tables(sink, "site_override"),
        &site_names,
        &ctx,
        sink,
    );
    let transformer_overrides =
        overrides::read_transformers(root.optional_tables(sink, "transformer_override"), sink);
    root.finish(sink);

    let sites: Option<Vec<Built>> = sites
        .zip(table_sites)
        .map(|(sites, rows)| sites.into_iter().chain(rows).collect());
    if let Some(sites) = &sites
        && sites.len() > bounds::MAX_SITES
    {
        too_many_sites(&sites_at, sites.len(), sink);
        return None;
    }
    if let (Some(cabinet), Some(tariff)) = (&cabinet, &tariff) {
        check_strategy(cabinet, tariff, sites.as_deref(), sink);
    }
    if let Some(targets) = &targets {
        check_targets(targets, sites.as_deref(), sink);
    }
    let mut sites = sites?;
    let sites_overridden = overrides::apply_sites(&site_overrides, &mut sites, sink);
    let scenario_overridden = scenario
        .as_mut()
        .and_then(|scenario| overrides::apply_scenario(&scenario_overrides, scenario, sink));
    let (scenario, battery, cabinet, couriers) = (scenario?, battery?, cabinet?, couriers?);
    let tariff = tariff?;
    let rider_driven = sites.iter().any(|s| s.spec.demand == Demand::Riders);
    let needs_groups = rider_driven || !couriers.entries.is_empty();
    let groups = rider_groups(groups.declared?, needs_groups, &battery, dispense_at, sink)?;
    if let Some(at) = &couriers.first_at
        && sites.iter().all(|s| s.spec.courier_work_weight == 0.0)
    {
        at.error(
            sink,
            None,
            "district couriers need a site to work at, but every site has \
             courier_work_weight 0",
        );
    }
    let mut transformers = connect_transformers(named.drafts?, named.names, &mut sites);
    overrides::apply_transformers(&transformer_overrides, &mut transformers, sink)?;
    sites_overridden?;
    scenario_overridden?;
    Some(Model {
        name: scenario.name,
        label: scenario.label.unwrap_or_default(),
        days: scenario.days,
        warmup_days: scenario.warmup_days,
        seed: scenario.seed,
        replications: scenario.replications,
        battery,
        cabinet: CabinetRules {
            swap_seconds: cabinet.swap_seconds?.unwrap_or(Dist::Fixed {
                value: if rider_driven {
                    cabinet::DEFAULT_SWAP_SECONDS
                } else {
                    0.0
                },
            }),
            dispense: cabinet.dispense?,
            strategy: cabinet.strategy?,
        },
        sites: sites.into_iter().map(|s| s.spec).collect(),
        riders: Riders {
            groups,
            district_couriers: couriers.entries,
            choice: choice?,
            home: home?,
        },
        grid: Grid {
            transformers,
            tariff,
        },
        targets: targets?.targets?,
        costs: costs?,
        planner: planner?,
    })
}

/// The model's rider groups: the declared ones, else the default groups
/// when the scenario has riders at all (`needed`).
fn rider_groups(
    declared: Vec<RiderGroup>,
    needed: bool,
    battery: &BatterySpec,
    dispense_at: Option<walk::At>,
    sink: &mut Sink<'_>,
) -> Option<Vec<RiderGroup>> {
    if !declared.is_empty() || !needed {
        return Some(declared);
    }
    if battery.dispense_soc <= group::DEFAULT_HIGHEST_THRESHOLD {
        if let Some(at) = dispense_at {
            let message = format!(
                "the default rider groups swap at up to {} SOC, so dispense_soc ({}) must be \
                 higher; or define `[[group]]`s",
                group::DEFAULT_HIGHEST_THRESHOLD,
                battery.dispense_soc
            );
            at.error(sink, None, message);
        }
        return None;
    }
    Some(group::defaults(battery))
}

/// Reports a charging strategy the scenario cannot run: off-peak without a
/// valley, grid-capped without transformers.
fn check_strategy(
    cabinet: &cabinet::Cabinet,
    tariff: &sim_core::Tariff,
    sites: Option<&[Built]>,
    sink: &mut Sink<'_>,
) {
    let (Some(strategy), Some(at)) = (&cabinet.strategy, &cabinet.strategy_at) else {
        return;
    };
    let no_transformer =
        || sites.is_some_and(|sites| sites.iter().all(|s| s.transformer.is_none()));
    let problem = match strategy {
        Strategy::OffPeakWithReserve { .. } if !tariff.valley.contains(&true) => {
            "`off_peak_with_reserve` charges in the tariff's valley, but there are no valley \
             hours: add `[tariff]` with `valley`"
        }
        Strategy::GridCapped if no_transformer() => {
            "`grid_capped` keeps each site's transformer within its limit, but no site has a \
             `transformer`"
        }
        _ => return,
    };
    at.error(sink, None, problem);
}

/// Reports a transformer target in a scenario whose sites have no
/// transformer: it could never bind.
fn check_targets(targets: &targets::Read, sites: Option<&[Built]>, sink: &mut Sink<'_>) {
    if let (Some(at), Some(sites)) = (&targets.utilization_at, sites)
        && sites.iter().all(|s| s.transformer.is_none())
    {
        at.error(
            sink,
            None,
            "`max_transformer_utilization` limits the transformers' loading, but no site has a \
             `transformer`",
        );
    }
}

/// Reads an optional top-level table with `read`, which gives the
/// defaults when it is absent.
fn optional_section<'a, 'i, T>(
    root: &mut Table<'a, 'i>,
    sink: &mut Sink<'_>,
    key: &'static str,
    read: impl FnOnce(Option<Table<'a, 'i>>, &mut Sink<'_>) -> Option<T>,
) -> Option<T> {
    let table = root.optional_table(sink, key).ok()?;
    read(table, sink)
}

/// The transformers of the model: the `[[transformer]]`s, then each site's
/// own, named after the site. Points every site at its transformer.
fn connect_transformers(
    drafts: Vec<transformer::Draft>,
    names: Vec<String>,
    sites: &mut [Built],
) -> Vec<TransformerSpec> {
    let mut households = vec![0_u64; drafts.len()];
    let mut own = Vec::new();
    for site in sites.iter_mut() {
        site.spec.transformer = match site.transformer.take() {
            None => None,
            Some(TransformerRef::Named(index)) => {
                households[index] += u64::from(site.spec.households);
                Some(index)
            }
            Some(TransformerRef::Own(draft)) => {
                own.push(draft.finish(site.spec.name.clone(), site.spec.households.into()));
                Some(drafts.len() + own.len() - 1)
            }
        };
    }
    drafts
        .into_iter()
        .zip(names)
        .zip(households)
        .map(|((draft, name), households)| draft.finish(name, households))
        .chain(own)
        .collect()
}

/// Helpers for the unit tests of every section.
#[cfg(test)]
pub(crate) mod testing {
    /// A valid scenario: the shipped Erlang B model.
    pub(crate) const VALID: &str = include_str!("../erlang-b.toml");

    /// A valid rider-driven scenario: one community, default groups.
    pub(crate) const RIDERS: &str = r#"[scenario]
name = "riders"

[battery]
capacity_wh = 1000
charge = { model = "cc_cv", power_w = 400, knee_soc = 0.8, efficiency = 0.92 }

[[site]]
name = "A"
cabinets = 2
slots_per_cabinet = 12
batteries = 20
households = 800
ebikes = 600
swap_adoption = 0.3
"#;

    /// `RIDERS` with `sections` appended; they start on line 17.
    pub(crate) fn riders_with(sections: &str) -> String {
        format!("{RIDERS}\n{sections}")
    }

    /// `VALID` with `from` (which must occur exactly once) replaced by `to`.
    pub(crate) fn edit(from: &str, to: &str) -> String {
        edits(&[(from, to)])
    }

    /// `VALID` with several replacements, each of text that occurs once.
    pub(crate) fn edits(replacements: &[(&str, &str)]) -> String {
        let mut source = VALID.to_owned();
        for (from, to) in replacements {
            assert_eq!(source.matches(from).count(), 1, "{from:?} must occur once");
            source = source.replace(from, to);
        }
        source
    }

    /// The one-line form of every problem in `source`, which must be invalid.
    pub(crate) fn problems(source: &str) -> Vec<String> {
        problems_with(source, &[])
    }

    /// [`problems`] of `source` with `files`: `(name, text)` pairs it can
    /// read from its directory, `d/`.
    pub(crate) fn problems_with(source: &str, files: &[(&str, &str)]) -> Vec<String> {
        match parse_files(source, files) {
            Ok(model) => panic!("accepted: {model:?}"),
            Err(problems) => problems.iter().map(ToString::to_string).collect(),
        }
    }

    /// [`model`] of `source` with `files`, as in [`problems_with`].
    pub(crate) fn model_with(source: &str, files: &[(&str, &str)]) -> sim_core::Model {
        parse_files(source, files).unwrap_or_else(|problems| {
            let rendered: Vec<_> = problems.iter().map(|p| p.render()).collect();
            panic!("rejected:\n{}", rendered.join("\n"))
        })
    }

    /// Parses `source` as `d/t.toml`, which can read `files` as `d/NAME`.
    pub(crate) fn parse_files(
        source: &str,
        files: &[(&str, &str)],
    ) -> Result<sim_core::Model, Vec<crate::Diagnostic>> {
        let read = |path: &std::path::Path| {
            files
                .iter()
                .find(|(name, _)| std::path::Path::new("d").join(name) == path)
                .map(|(_, text)| text.to_string())
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
        };
        if files.is_empty() {
            crate::parse(source, "t.toml")
        } else {
            crate::parse_with(source, "d/t.toml", &read)
        }
    }

    /// The model of `source`, which must be valid.
    pub(crate) fn model(source: &str) -> sim_core::Model {
        crate::parse(source, "t.toml").unwrap_or_else(|problems| {
            let rendered: Vec<_> = problems.iter().map(|p| p.render()).collect();
            panic!("rejected:\n{}", rendered.join("\n"))
        })
    }
}

/// Reports `n` sites, past [`bounds::MAX_SITES`], at `at`.
fn too_many_sites(at: &walk::At, n: usize, sink: &mut Sink<'_>) {
    at.error(sink, None, bounds::too_many_sites(n));
}

#[cfg(test)]
mod tests {
    use sim_core::{BatterySpec, CcCv, ChargeModel, Demand, Patience, SiteSpec};

    use super::testing::{VALID, edit, model, problems, riders_with};
    use super::*;

    #[test]
    fn erlang_b_reads_exactly_as_written() {
        let expected = Model {
            name: "erlang-b".into(),
            days: 400,
            warmup_days: 10,
            seed: 1,
            replications: 8,
            battery: BatterySpec {
                capacity_wh: 1000.0,
                charge: ChargeModel::Exponential { mean_hours: 3.0 },
                dispense_soc: 0.95,
                return_soc: 0.2,
                fade_per_cycle: 0.0002,
                retire_soh: 0.7,
            },
            sites: vec![SiteSpec {
                name: "A".into(),
                cabinets: 1,
                slots_per_cabinet: 12,
                batteries: 11,
                demand: Demand::Poisson {
                    swaps_per_hour: 2.0,
                },
                patience: Patience::None,
                max_concurrent_charging: None,
                courier_work_weight: 1.0,
                ..SiteSpec::default()
            }],
            // An analytic scenario: no swap time, no rider groups.
            cabinet: CabinetRules::default(),
            riders: Riders {
                home: home::defaults(),
                ..Riders::default()
            },
            ..Model::default()
        };
        assert_eq!(model(VALID), expected);
    }

    #[test]
    fn erlang_c_is_the_delay_twin_of_erlang_b() {
        let b = model(VALID);
        let c = model(include_str!("../erlang-c.toml"));
        assert_eq!(c.name, "erlang-c");
        assert_eq!(c.sites[0].patience, Patience::Infinite);
        let c_as_b = Model {
            name: b.name.clone(),
            sites: vec![SiteSpec {
                patience: Patience::None,
                ..c.sites[0].clone()
            }],
            ..c
        };
        assert_eq!(c_as_b, b);
    }

    #[test]
    fn mmc10_is_the_benchmark_model() {
        let m = model(include_str!("../mmc10.toml"));
        let site = &m.sites[0];
        assert_eq!((site.batteries, site.slots()), (10, 12));
        assert_eq!(
            m.battery.charge,
            ChargeModel::Exponential { mean_hours: 1.0 }
        );
        assert_eq!(
            site.demand,
            Demand::Poisson {
                swaps_per_hour: 9.0
            }
        );
        assert_eq!(site.patience, Patience::Infinite);
        assert_eq!(site.max_concurrent_charging, None);
    }

    #[test]
    fn cc_cv_cabinet_is_a_capped_realistic_cabinet() {
        let m = model(include_str!("../cc-cv-cabinet.toml"));
        assert_eq!(m.battery.capacity_wh, 1100.0);
        assert_eq!(
            m.battery.charge,
            ChargeModel::CcCv(CcCv {
                power_w: 400.0,
                knee_soc: 0.8,
                efficiency: 0.92,
                ..CcCv::default()
            })
        );
        let site = &m.sites[0];
        assert_eq!((site.batteries, site.slots()), (11, 12));
        assert_eq!(site.max_concurrent_charging, Some(6));
        assert_eq!(site.patience, Patience::Exponential { mean_minutes: 10.0 });
        assert_eq!(
            site.demand,
            Demand::Poisson {
                swaps_per_hour: 1.5
            }
        );
    }

    #[test]
    fn every_problem_is_reported_in_one_pass() {
        let source = super::testing::edits(&[
            ("days = 400", "days = \"many\""),
            ("capacity_wh = 1000", "capacity_wh = -1"),
            ("cabinets = 1", "cabinet = 1"),
            ("swaps_per_hour = 2.0", "swaps_per_hour = 0"),
        ]);
        assert_eq!(
            problems(&source),
            [
                "t.toml:3:8: scenario.days: expected an integer from 1 to 3650, found string",
                "t.toml:9:15: battery.capacity_wh: expected a number in (0, 100000], found -1",
                "t.toml:14:1: site[0].cabinets: site 'A': missing required key `cabinets`, \
                 expected a positive integer",
                "t.toml:16:1: site[0].cabinet: site 'A': unknown key, expected one of `name`, \
                 `town`, `cabinets`, `slots_per_cabinet`, `batteries`, `demand`, `patience`, \
                 `max_concurrent_charging`, `max_riders_present`, `charger_power_w`, `x_m`, \
                 `y_m`, `households`, \
                 `ebikes`, `swap_adoption`, `mix`, `couriers`, `courier_work_weight`, \
                 `pile_ports`, `nonsub_interval_days`, \
                 `transformer`; did you mean `cabinets`?",
                "t.toml:19:48: site[0].demand.swaps_per_hour: site 'A': expected a number in \
                 (0, 3600], found 0",
            ]
        );
    }

    /// A rate no site could see (a typo) is refused instead of running for
    /// ever.
    #[test]
    fn absurd_swap_rates_are_refused() {
        let source = edit("swaps_per_hour = 2.0", "swaps_per_hour = 1e308");
        assert_eq!(
            problems(&source),
            [
                "t.toml:19:48: site[0].demand.swaps_per_hour: site 'A': expected a number in \
                 (0, 3600], found 1e308"
            ]
        );
    }

    #[test]
    fn syntax_errors_point_at_the_parser_span_and_come_alone() {
        let source = edit("seed = 1", "seed = 1 2");
        assert_eq!(
            problems(&source),
            ["t.toml:5:8: syntax: string values must be quoted, expected literal string"]
        );
        let source = edit("name = \"A\"", "name = \"A");
        let found = problems(&source);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("t.toml:15:"), "{found:?}");
    }

    #[test]
    fn the_root_needs_its_three_sections() {
        assert_eq!(
            problems(""),
            [
                "t.toml:1:1: scenario: missing required table `[scenario]`",
                "t.toml:1:1: battery: missing required table `[battery]`",
                "t.toml:1:1: site: missing required table `[[site]]`, expected at least one",
            ]
        );
        let found = problems(&format!("{VALID}\n[sites]\n"));
        assert_eq!(
            found,
            [
                "t.toml:25:2: sites: unknown key, expected one of `scenario`, `battery`, \
                 `cabinet`, `choice`, `group`, `home_charging`, `tariff`, `transformer`, `site`, \
                 `couriers`, `site_table`, `targets`, `costs`, `planner`, `survey`, \
                 `scenario_override`, `site_override`, `transformer_override`; did you mean \
                 `site`?"
            ]
        );
        let found = problems(&format!("battery = 3\n{}", edit("[battery]", "[cell]")));
        assert_eq!(
            found[0],
            "t.toml:1:11: battery: expected a table, found integer"
        );
    }

    /// Mutates the shipped scenarios char by char and truncates them at every
    /// char: `parse` must return, and a rejection must carry diagnostics that
    /// point inside the file.
    #[test]
    fn never_panics_on_mangled_input() {
        let crlf = VALID.replace('\n', "\r\n");
        for source in [VALID, &crlf, include_str!("../cc-cv-cabinet.toml")] {
            let chars: Vec<char> = source.chars().collect();
            let mut inputs = Vec::new();
            for cut in 0..=chars.len() {
                inputs.push(chars[..cut].iter().collect::<String>());
            }
            for i in 0..chars.len() {
                for replacement in ["", "\"", "[", "]", "=", "0", "-", "x", "\n", "美", "{"] {
                    let mut mangled: String = chars[..i].iter().collect();
                    mangled.push_str(replacement);
                    mangled.extend(&chars[i + 1..]);
                    inputs.push(mangled);
                }
            }
            for input in &inputs {
                if let Err(problems) = parse(input, "m.toml") {
                    assert!(!problems.is_empty(), "no diagnostics for {input:?}");
                    let lines = input.lines().count().max(1);
                    for p in &problems {
                        assert!(p.line >= 1 && p.line <= lines, "{p} in {input:?}");
                        assert!(p.column >= 1 && p.span_len >= 1, "{p} in {input:?}");
                        assert!(!p.render().is_empty());
                    }
                }
            }
        }
    }

    #[test]
    fn load_names_the_file_and_reports_io_and_encoding_problems() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();

        let good = dir.join("good.toml");
        std::fs::write(&good, VALID).unwrap();
        assert_eq!(load(&good).unwrap(), model(VALID));

        let bad = dir.join("bad.toml");
        std::fs::write(&bad, edit("days = 400", "days = 0")).unwrap();
        let Err(LoadError::Invalid(problems)) = load(&bad) else {
            panic!("bad.toml accepted")
        };
        assert_eq!(problems[0].file, bad.display().to_string());
        assert_eq!(
            LoadError::Invalid(problems).to_string(),
            "invalid scenario: 1 problem"
        );

        let latin1 = dir.join("latin1.toml");
        std::fs::write(&latin1, b"[scenario]\nname = \"caf\xe9\"\n").unwrap();
        let Err(LoadError::Invalid(problems)) = load(&latin1) else {
            panic!("latin1.toml accepted")
        };
        assert_eq!((problems[0].line, problems[0].column), (2, 12));
        assert_eq!(problems[0].field, "encoding");

        let missing = dir.join("missing.toml");
        let error = load(&missing).unwrap_err();
        assert!(matches!(error, LoadError::Io { .. }), "{error:?}");
        assert!(error.to_string().starts_with("cannot read '"), "{error}");
    }

    #[test]
    fn a_rider_driven_scenario_gets_the_rider_defaults() {
        let m = model(super::testing::RIDERS);
        assert_eq!(
            m.cabinet.swap_seconds,
            Dist::Fixed {
                value: cabinet::DEFAULT_SWAP_SECONDS
            }
        );
        assert_eq!(m.cabinet.strategy, Strategy::Immediate);
        assert_eq!(m.riders.groups.len(), 2);
        assert_eq!(m.riders.home, home::defaults());
        assert_eq!(m.riders.choice, sim_core::Choice::default());
        let site = &m.sites[0];
        assert_eq!(site.demand, Demand::Riders);
        assert_eq!((site.ebikes, site.swap_adoption), (600, 0.3));
        assert_eq!(site.mix, [(0, 1.0)]);
        assert_eq!((site.transformer, m.grid.transformers.len()), (None, 0));
        // An explicit swap time wins, even 0.
        let m = model(&riders_with(
            "[cabinet]\nswap_seconds = 0\ndispense = \"least_cycled\"",
        ));
        assert_eq!(m.cabinet.swap_seconds, Dist::Fixed { value: 0.0 });
        assert_eq!(m.cabinet.dispense, sim_core::DispenseRule::LeastCycled);
    }

    /// Swap times (issue 10): a number, or a distribution in the usual form.
    #[test]
    fn swap_times_take_a_distribution() {
        let cases = [
            (
                "{ dist = \"exponential\", mean = 90 }",
                Dist::Exponential { mean: 90.0 },
            ),
            (
                "{ dist = \"deterministic\", value = 40 }",
                Dist::Fixed { value: 40.0 },
            ),
            (
                "{ dist = \"uniform\", low = 30, high = 90 }",
                Dist::Uniform {
                    low: 30.0,
                    high: 90.0,
                },
            ),
            (
                "{ dist = \"lognormal\", mean = 60, sd = 20 }",
                Dist::LogNormal {
                    mean: 60.0,
                    sd: 20.0,
                },
            ),
        ];
        for (text, dist) in cases {
            let m = model(&riders_with(&format!("[cabinet]\nswap_seconds = {text}")));
            assert_eq!(m.cabinet.swap_seconds, dist, "{text}");
        }
        let bad = riders_with("[cabinet]\nswap_seconds = { dist = \"exponential\", mean = -5 }");
        let problems = parse(&bad, "t.toml").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "cabinet.swap_seconds.mean");
    }

    /// A line cap per site, and the residents' price of electricity.
    #[test]
    fn a_line_cap_and_a_residential_price_are_read() {
        let m = model(&riders_with("[tariff]\nflat = { price = 0.6 }"));
        assert_eq!(m.sites[0].max_riders_present, None);
        assert_eq!(
            m.grid.tariff.residential_cny_per_kwh,
            tariff::DEFAULT_RESIDENTIAL_CNY_PER_KWH
        );
        let m = model(&riders_with(
            "[tariff]\nresidential_price = 0.57\nflat = { price = 0.6 }\n\
             [[site_override]]\nsite = \"A\"\nmax_riders_present = 4",
        ));
        assert_eq!(m.grid.tariff.residential_cny_per_kwh, 0.57);
        assert_eq!(m.sites[0].max_riders_present, Some(4));
        // Without a tariff every price is 0, the residents' too.
        assert_eq!(
            model(super::testing::RIDERS)
                .grid
                .tariff
                .residential_cny_per_kwh,
            0.0
        );
    }

    /// `max_riders_present` in a `[[site]]` table: a count of at least 1,
    /// reported at the site's own key when it is not.
    #[test]
    fn a_site_reads_its_line_cap() {
        // The text appended to `RIDERS` lands in its `[[site]]` "A".
        let m = model(&riders_with("max_riders_present = 7"));
        assert_eq!(m.sites[0].max_riders_present, Some(7));
        let problems = parse(&riders_with("max_riders_present = 0"), "t.toml").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "site[0].max_riders_present");
        assert_eq!(problems[0].line, 17);
    }

    /// The valid fixture with every section reads as written.
    #[test]
    fn every_section_reads_as_written() {
        use sim_core::{ChoicePolicy, DispenseRule, Dist};
        let m = model(include_str!(
            "../../tests/fixtures/scenarios/valid/every-section.toml"
        ));
        assert_eq!(
            (m.battery.fade_per_cycle, m.battery.retire_soh),
            (0.0003, 0.75)
        );
        assert_eq!(
            m.cabinet,
            CabinetRules {
                swap_seconds: Dist::Fixed { value: 30.0 },
                dispense: DispenseRule::LeastCycled,
                strategy: Strategy::OffPeakWithReserve {
                    reserve_factor: 1.5
                },
            }
        );
        assert_eq!(
            m.riders.choice,
            sim_core::Choice {
                policy: ChoicePolicy::Nearest,
                max_detour_m: 800.0
            }
        );
        let home = &m.riders.home;
        assert_eq!((home.charger_w, home.efficiency), (200.0, 0.8));
        assert_eq!(home.dwell_hours, Dist::Fixed { value: 9.0 });
        assert_eq!(
            (home.nonsub_interval_days, home.nonsub_battery_wh),
            (2.5, 900.0)
        );
        assert_eq!(
            home.nonsub_depth,
            Dist::Normal {
                mean: 0.6,
                sd: 0.15,
                low: 0.2,
                high: 1.0
            }
        );
        assert_eq!(home.plug_in_profile, shapes::EVENING);
        let valley: Vec<usize> = (0..24).filter(|&h| m.grid.tariff.valley[h]).collect();
        assert_eq!(valley, [0, 1, 2, 3, 4, 5, 22, 23]);
        let [commuter, courier] = &m.riders.groups[..] else {
            panic!("{:?}", m.riders.groups)
        };
        assert_eq!(commuter.profile_weekend[8], 2.0);
        assert_eq!(commuter.swap_threshold_soc, Dist::Fixed { value: 0.3 });
        assert!(courier.works_across_district && !commuter.works_across_district);
        assert_eq!(
            m.riders.district_couriers,
            [sim_core::DistrictCouriers {
                group: 1,
                count: 120
            }]
        );
        let [pilot, point, analytic] = &m.sites[..] else {
            panic!("{:?}", m.sites)
        };
        assert_eq!(pilot.mix, [(0, 0.9), (1, 0.1)]);
        assert_eq!(pilot.couriers, [(1, 40)]);
        assert_eq!(
            (pilot.max_concurrent_charging, pilot.pile_ports),
            (Some(24), 20)
        );
        assert_eq!(
            (point.x_m, point.y_m, point.couriers.clone()),
            (900.5, -300.0, vec![(1, 3)])
        );
        assert_eq!(point.mix, [(0, 1.0)]);
        assert_eq!(
            analytic.demand,
            Demand::Poisson {
                swaps_per_hour: 1.5
            }
        );
        assert_eq!(
            analytic.patience,
            Patience::Exponential { mean_minutes: 5.0 }
        );
        assert_eq!((analytic.mix.len(), analytic.transformer), (0, None));
        let t = &m.grid.transformers;
        assert_eq!(t[0].base_peak_kw, 150.0 * 8.0 * 0.6);
        assert_eq!((t[0].power_factor, t[0].allowed_utilization), (0.95, 0.85));
        assert_eq!(
            (t[1].name.as_str(), t[1].base_peak_kw),
            ("public point", 120.0)
        );
        assert_eq!(t[1].base_profile, shapes::FLAT);
    }

    #[test]
    fn strategies_need_their_tariff_and_transformers() {
        let off_peak = "[cabinet]\nstrategy = { model = \"off_peak_with_reserve\" }";
        assert_eq!(
            problems(&riders_with(off_peak)),
            [
                "t.toml:18:22: cabinet.strategy.model: `off_peak_with_reserve` charges in the \
                 tariff's valley, but there are no valley hours: add `[tariff]` with `valley`"
            ]
        );
        let valley = "[tariff]\nvalley = { price = 0.3, hours = \"0-8\" }\nflat = { price = 0.5 }";
        let m = model(&riders_with(&format!("{off_peak}\n{valley}")));
        assert_eq!(
            m.cabinet.strategy,
            Strategy::OffPeakWithReserve {
                reserve_factor: cabinet::DEFAULT_RESERVE_FACTOR
            }
        );
        let capped = "[cabinet]\nstrategy = { model = \"grid_capped\" }";
        assert_eq!(
            problems(&riders_with(capped)),
            [
                "t.toml:18:22: cabinet.strategy.model: `grid_capped` keeps each site's \
                 transformer within its limit, but no site has a `transformer`"
            ]
        );
        let own = riders_with(capped).replace(
            "swap_adoption = 0.3",
            "swap_adoption = 0.3\ntransformer = { rating_kva = 630 }",
        );
        assert_eq!(model(&own).cabinet.strategy, Strategy::GridCapped);
    }

    #[test]
    fn transformers_are_shared_or_owned_and_carry_the_base_load() {
        let source = riders_with(
            r#"[[transformer]]
name = "T1"
rating_kva = 800

[[transformer]]
name = "spare"
rating_kva = 400
base_peak_kw = 100

[[site]]
name = "B"
cabinets = 1
slots_per_cabinet = 12
batteries = 11
households = 120
transformer = "T1"

[[site]]
name = "C"
cabinets = 1
slots_per_cabinet = 12
batteries = 11
households = 40
transformer = { rating_kva = 315, design_kw_per_household = 4, power_factor = 0.95 }
"#,
        )
        .replace(
            "swap_adoption = 0.3",
            "swap_adoption = 0.3\ntransformer = \"T1\"",
        );
        let m = model(&source);
        let t = &m.grid.transformers;
        let names: Vec<_> = t.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["T1", "spare", "C"]);
        let sites: Vec<_> = m.sites.iter().map(|s| s.transformer).collect();
        assert_eq!(sites, [Some(0), Some(0), Some(2)]);
        // 800 + 120 households on T1: diversity 0.5.
        assert_eq!(t[0].base_peak_kw, 920.0 * 6.0 * 0.5);
        assert_eq!(t[0].base_profile, shapes::RESIDENTIAL);
        assert_eq!((t[0].power_factor, t[0].allowed_utilization), (0.9, 0.8));
        assert_eq!(t[1].base_peak_kw, 100.0);
        // 40 households: diversity 0.7.
        assert!((t[2].base_peak_kw - 40.0 * 4.0 * 0.7).abs() < 1e-9);
        assert_eq!(t[2].power_factor, 0.95);
        let bad = |value: &str| {
            problems(&riders_with("").replace(
                "swap_adoption = 0.3",
                &format!("swap_adoption = 0.3\ntransformer = {value}"),
            ))
        };
        assert_eq!(
            bad("\"T9\""),
            [
                "t.toml:16:15: site[0].transformer: site 'A': unknown transformer `T9`: the \
                 scenario defines no `[[transformer]]`; give the site its own with `transformer \
                 = { rating_kva = 630 }`"
            ]
        );
        assert_eq!(
            bad("630"),
            [
                "t.toml:16:15: site[0].transformer: site 'A': expected the name of a \
                 `[[transformer]]` or a table like `{ rating_kva = 630 }`, found integer"
            ]
        );
        assert_eq!(transformer::diversity(50), 0.7);
        assert_eq!(transformer::diversity(51), 0.6);
        assert_eq!(transformer::diversity(199), 0.6);
        assert_eq!(transformer::diversity(200), 0.5);
    }

    #[test]
    fn couriers_need_a_group_that_works_across_the_district_and_a_work_place() {
        let m = model(&riders_with(
            "[[couriers]]\ngroup = \"courier\"\ncount = 500",
        ));
        assert_eq!(
            m.riders.district_couriers,
            [sim_core::DistrictCouriers {
                group: 1,
                count: 500
            }]
        );
        let source = riders_with("[[couriers]]\ngroup = \"commuter\"\ncount = 0").replace(
            "swap_adoption = 0.3",
            "swap_adoption = 0.3\ncourier_work_weight = 0",
        );
        assert_eq!(
            problems(&source),
            [
                "t.toml:19:9: couriers[0].group: group `commuter` does not work across the \
                 district (`works_across_district`); expected `courier`",
                "t.toml:20:9: couriers[0].count: expected an integer from 1 to 100000, found 0",
            ]
        );
        let source = riders_with("[[couriers]]\ngroup = \"courier\"\ncount = 5").replace(
            "swap_adoption = 0.3",
            "swap_adoption = 0.3\ncourier_work_weight = 0",
        );
        assert_eq!(
            problems(&source),
            [
                "t.toml:18:1: couriers[0]: district couriers need a site to work at, but every \
                 site has courier_work_weight 0"
            ]
        );
    }

    #[test]
    fn analytic_scenarios_have_no_groups_unless_couriers_ask() {
        assert!(model(VALID).riders.groups.is_empty());
        let m = model(&format!(
            "{VALID}\n[[couriers]]\ngroup = \"courier\"\ncount = 5\n"
        ));
        assert_eq!(m.riders.groups.len(), 2);
        assert_eq!(m.cabinet.swap_seconds, Dist::Fixed { value: 0.0 });
        let low = super::testing::RIDERS.replace(
            "capacity_wh = 1000",
            "capacity_wh = 1000\ndispense_soc = 0.5\nreturn_soc = 0.1",
        );
        assert_eq!(
            problems(&low),
            [
                "t.toml:6:16: battery.dispense_soc: the default rider groups swap at up to 0.5 \
                 SOC, so dispense_soc (0.5) must be higher; or define `[[group]]`s"
            ]
        );
    }

    #[test]
    fn parse_reads_no_files_but_parse_with_does() {
        let source = format!(
            "{}[[site_table]]\nfile = \"sites.csv\"\n",
            &super::testing::RIDERS[..super::testing::RIDERS.find("[[site]]").unwrap()]
        );
        assert_eq!(
            problems(&source),
            [
                "t.toml:9:8: site_table[0].file: cannot read 'sites.csv': scenarios::parse \
                 reads no files, use scenarios::load"
            ]
        );
        let csv = "name,cabinets,slots_per_cabinet,batteries\nA,1,12,11\n";
        let m = super::testing::model_with(&source, &[("sites.csv", csv)]);
        assert_eq!(m.sites[0].name, "A");
        assert_eq!(
            super::testing::problems_with(&source, &[("other.csv", csv)]),
            ["d/t.toml:9:8: site_table[0].file: cannot read 'd/sites.csv': entity not found"]
        );
    }

    /// Every shipped scenario loads from disk, CSV files included.
    #[test]
    fn every_shipped_scenario_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut count = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with(".sweep.toml") {
                // A sweep file: its scenario and every axis value load.
                if let Err(error) = sweep::load_sweep(&path) {
                    panic!("{}: {error:?}", path.display());
                }
                continue;
            }
            if path.extension().is_some_and(|e| e == "toml") && !path.ends_with("Cargo.toml") {
                if let Err(error) = load(&path) {
                    let detail = match &error {
                        LoadError::Invalid(problems) => problems
                            .iter()
                            .map(Diagnostic::render)
                            .collect::<Vec<_>>()
                            .join("\n"),
                        other => other.to_string(),
                    };
                    panic!("{}: {error}\n{detail}", path.display());
                }
                count += 1;
            }
        }
        assert!(count >= 8, "only {count} shipped scenarios");
    }

    /// The shipped planning problem has the answer its comments promise:
    /// the smallest battery count whose Erlang B blocking at 6 Erl meets
    /// 0.0167 is 12 (seed 1, 4–16 replications of 195 measured days).
    #[test]
    fn the_erlang_b_plan_stocks_exactly_12_batteries() {
        let m = model(include_str!("../erlang-b-plan.toml"));
        let erlang_b = |batteries: u32, load: f64| {
            (1..=batteries).fold(1.0, |e, k| load * e / (f64::from(k) + load * e))
        };
        let target = m.targets.max_stockout_probability.unwrap();
        assert!(erlang_b(11, 6.0) > target && erlang_b(12, 6.0) < target);
        let plan = sim_core::planner::plan(&m, 0, &sim_core::planner::Silent);
        assert!(plan.feasible, "{:?}", plan.problems);
        assert_eq!(plan.sites[0].batteries, 12);
        // 12 batteries and an empty compartment per cabinet: the site keeps
        // its 12-slot cabinet and buys a second (one 16-slot cabinet would
        // scrap the working one), so one cabinet is bought.
        assert_eq!(plan.model.sites[0].slots_per_cabinet, 12);
        assert_eq!(plan.model.sites[0].cabinets, 2);
        assert_eq!(plan.sites[0].added.cabinets, 1);
    }

    /// The district scenario is district-sized (DOMAIN.md: about 300,000
    /// households and 0.2–0.25 M e-bikes; DESIGN.md: 1,500 cabinets).
    #[test]
    fn the_district_scenario_has_district_scale() {
        let m = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("bishan-district.toml")).unwrap();
        let sum = |f: fn(&SiteSpec) -> u32| m.sites.iter().map(|s| u64::from(f(s))).sum::<u64>();
        assert!(m.sites.len() >= 150, "{} sites", m.sites.len());
        assert!(
            sum(|s| s.ebikes) >= 150_000,
            "{} e-bikes",
            sum(|s| s.ebikes)
        );
        let cabinets = sum(|s| s.cabinets);
        assert!((1000..=1500).contains(&cabinets), "{cabinets} cabinets");
        for s in &m.sites {
            assert!(
                (300..=3000).contains(&s.households),
                "{}: {}",
                s.name,
                s.households
            );
        }
        let standard = [400.0, 500.0, 630.0, 800.0, 1000.0, 1250.0];
        for t in &m.grid.transformers {
            assert!(
                standard.contains(&t.rating_kva),
                "{}: {} kVA",
                t.name,
                t.rating_kva
            );
            assert!(
                t.base_peak_kw < t.limit_kw(),
                "{} starts overloaded",
                t.name
            );
        }
        let couriers: u32 = m.riders.district_couriers.iter().map(|c| c.count).sum();
        assert_eq!(couriers, 3000);
    }

    /// Mangles a rider scenario with every section: `parse` must return,
    /// and a rejection must carry diagnostics that point inside the file.
    #[test]
    fn never_panics_on_mangled_rider_scenarios() {
        let source = include_str!("../../tests/fixtures/scenarios/valid/every-section.toml");
        let chars: Vec<char> = source.chars().collect();
        for i in 0..chars.len() {
            for replacement in ["", "\"", "]", "=", "0", "-", "\n", "美", "{"] {
                let mut mangled: String = chars[..i].iter().collect();
                mangled.push_str(replacement);
                mangled.extend(&chars[i + 1..]);
                if let Err(problems) = parse(&mangled, "m.toml") {
                    assert!(!problems.is_empty(), "no diagnostics for {mangled:?}");
                    let lines = mangled.lines().count().max(1);
                    for p in &problems {
                        assert!(p.line >= 1 && p.line <= lines, "{p} in {mangled:?}");
                    }
                }
            }
        }
    }
}
