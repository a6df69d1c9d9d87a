//! Sweep files (`swapsim sweep`): a base scenario, a mode, a design and
//! axes over the scenario's keys; and the scenario with one point's values
//! set, validated like any scenario.
//!
//! ```toml
//! [sweep]
//! scenario = "bishan-pilot.toml"   # relative to the sweep file
//! mode = "check"                   # run | check | plan
//! design = "grid"                  # grid | one_at_a_time | latin_hypercube
//!
//! [[axis]]
//! key = "site.*.swap_adoption"
//! values = [0.1, 0.2, 0.3, 0.4]
//!
//! [[axis]]
//! key = "battery.capacity_wh"
//! range = { from = 900, to = 1300, steps = 5 }
//!
//! [[axis]]
//! key = "site.*.batteries"
//! scale = [0.8, 0.9, 1.0]           # each site's own, times the factor
//! ```
//!
//! A key is a dotted path into the scenario. Its first part names a
//! section (`battery.capacity_wh`, `cabinet.strategy.model`); a section
//! written as an array of tables takes a name next (`site.NAME.KEY`,
//! `transformer.NAME.rating_kva`, `group.NAME.KEY`), or `*` for every
//! element. `site.*` and `site.NAME` reach the sites of a `[[site_table]]`
//! too: the value is written into the site's row of the CSV (a new column
//! if the file has none), so it is read and judged as if it were a cell.
//! The names are the base scenario's, and a key must set something in
//! it: `group.*.KEY` of a scenario without `[[group]]` is an error at the
//! axis, not a sweep of identical points. A key takes one axis, and
//! keys that set one value between them (`site.*.KEY` and `site.NAME.KEY`)
//! go together only in `one_at_a_time`, which sets one axis a point.
//!
//! A `scale` axis's values are factors: a site's key multiplies the value
//! each site runs with (as the base model has it), any other key each
//! number the scenario writes there; counts round to the nearest and a
//! positive one stays at least 1. A scaled value that breaks a site is
//! refused like any value, never cut to what the site takes.
//!
//! A value is set in the parsed document, never in the model, so the
//! scenario's own validation judges it, and a problem is told at the
//! sweep file's axis: its file, line and column, the scenario's field
//! path and what would be valid.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use sim_core::{Model, SiteSpec};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Sink};
use crate::walk::{
    At, Choice, Integer, Item, Number, Reference, Table, Text, did_you_mean, one_of,
};
use crate::{Comments, LoadError, file, parse_with_warnings};

/// What a sweep does at each point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Run the point, as `swapsim run`.
    Run,
    /// Run the point and judge its `[targets]`, as `swapsim run --check`.
    Check,
    /// Plan the point, as `swapsim plan`.
    Plan,
}

impl Mode {
    /// The name in the sweep file.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Run => "run",
            Mode::Check => "check",
            Mode::Plan => "plan",
        }
    }
}

/// Which points a sweep visits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Design {
    /// Every combination of the axes' values (the full factorial).
    Grid,
    /// The base scenario, then each axis's values with the others left as
    /// the scenario has them: the bars of a tornado chart.
    OneAtATime,
    /// `samples` points, each axis cut into `samples` strata visited once,
    /// in an order drawn from `seed`.
    LatinHypercube {
        /// Points drawn.
        samples: u32,
        /// Seed of the strata's order and of the draws within them.
        seed: u64,
    },
}

impl Design {
    /// The name in the sweep file.
    pub fn name(self) -> &'static str {
        match self {
            Design::Grid => "grid",
            Design::OneAtATime => "one_at_a_time",
            Design::LatinHypercube { .. } => "latin_hypercube",
        }
    }
}

/// One value of an axis, as TOML writes it and JSON reads it back.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum AxisValue {
    /// A whole number: batteries, cabinets.
    Integer(i64),
    /// A number: an adoption share, a power.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A name: a strategy, a policy.
    Text(String),
}

impl AxisValue {
    /// The value as a number, for charts; `None` for names and booleans.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AxisValue::Integer(i) => Some(*i as f64),
            AxisValue::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// The value as a TOML literal.
    fn toml(&self) -> String {
        match self {
            AxisValue::Integer(i) => i.to_string(),
            // `{:?}` keeps the decimal point TOML needs for a float.
            AxisValue::Float(x) => format!("{x:?}"),
            AxisValue::Bool(b) => b.to_string(),
            AxisValue::Text(s) => toml_string(s),
        }
    }

    /// The value as a CSV cell's text.
    fn cell(&self) -> String {
        match self {
            AxisValue::Text(s) => s.clone(),
            other => other.toml(),
        }
    }
}

/// `0.35`, `66`, `immediate`: as a person reads it.
impl fmt::Display for AxisValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AxisValue::Integer(i) => write!(f, "{i}"),
            AxisValue::Float(x) => write!(f, "{x}"),
            AxisValue::Bool(b) => write!(f, "{b}"),
            AxisValue::Text(s) => f.write_str(s),
        }
    }
}

/// `range = { from, to, steps }` of an axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AxisRange {
    /// First value.
    pub from: f64,
    /// Last value.
    pub to: f64,
    /// Values from `from` to `to`, both included (at least 2).
    pub steps: u32,
    /// Whether `from` and `to` are integers, so the values are too.
    pub integer: bool,
}

impl AxisRange {
    /// The value at `u` of the way from `from` to `to` (0 ≤ u ≤ 1): an
    /// integer for an integer range, else rounded to 12 decimals so that
    /// 0.1 + 2 × 0.1 reads 0.3.
    pub fn at(&self, u: f64) -> AxisValue {
        let x = self.from + u * (self.to - self.from);
        if self.integer {
            AxisValue::Integer(x.round() as i64)
        } else {
            AxisValue::Float((x * 1e12).round() / 1e12)
        }
    }
}

/// One `[[axis]]`: a key and its values.
#[derive(Clone, Debug)]
pub struct Axis {
    /// The dotted key, as written.
    pub key: String,
    /// The values: the list, or the range's steps; for a `scale` axis,
    /// the factors.
    pub values: Vec<AxisValue>,
    /// The range, when the axis has one rather than a list.
    pub range: Option<AxisRange>,
    /// Whether the axis is a `scale`: each value is a factor that
    /// multiplies every value the key reaches, each site's its own.
    pub scale: bool,
    /// Where each value of `values` is written (the range's, for a range).
    spans: Vec<Range<usize>>,
    /// Where the `range` (or `values`) is written.
    span: Range<usize>,
    /// Where the key is written.
    key_span: Range<usize>,
}

impl Axis {
    /// The axis's name in the table, `sweep.json` and `sweep.csv`: its
    /// key, with `×` after it for a `scale` axis, whose values are factors
    /// (`site.*.batteries×`).
    pub fn name(&self) -> String {
        if self.scale {
            format!("{}×", self.key)
        } else {
            self.key.clone()
        }
    }
}

/// A sweep file, read and checked, with its base scenario: every axis
/// value was set alone in the scenario and validated.
#[derive(Debug)]
pub struct SweepFile {
    /// The sweep file as given.
    pub path: PathBuf,
    /// The base scenario as the sweep file names it.
    pub scenario_name: String,
    /// The base scenario's path (relative to the sweep file's directory).
    pub scenario: PathBuf,
    /// What each point does.
    pub mode: Mode,
    /// Which points to visit.
    pub design: Design,
    /// The axes, in file order.
    pub axes: Vec<Axis>,
    /// `days` of `[sweep]`: every point's days, unless `--days` says
    /// otherwise.
    pub days: Option<u32>,
    /// `replications` of `[sweep]`: every point's replications, unless
    /// `--replications` says otherwise.
    pub replications: Option<u32>,
    /// The base scenario's model.
    pub base: Model,
    /// The comments beside the base scenario's keys.
    pub comments: Comments,
    /// The base scenario's warnings.
    pub warnings: Vec<Diagnostic>,
    /// The sweep file's text.
    source: String,
    /// The base scenario's text.
    scenario_source: String,
    /// The files the base scenario read (its site tables), by path.
    files: HashMap<PathBuf, String>,
}

/// The sections a sweep cannot set: the run itself (seed, days and
/// replications are the command line's, shared by every point) and the
/// tables that are themselves overrides or imports.
const FIXED_SECTIONS: &[&str] = &[
    "scenario",
    "scenario_override",
    "site_override",
    "transformer_override",
    "site_table",
    "survey",
];

/// Most points a design may have: each one is a whole run.
pub const MAX_POINTS: u64 = 100_000;

/// Values of `mode`.
const MODES: &[&str] = &["run", "check", "plan"];
/// Values of `design`.
const DESIGNS: &[&str] = &["grid", "one_at_a_time", "latin_hypercube"];

/// Reads the sweep file at `path` and its base scenario, and validates
/// every axis value alone in the scenario.
///
/// Errors are diagnostics of the sweep file (or of the base scenario,
/// when the scenario itself is invalid), every one found.
pub fn load_sweep(path: &Path) -> Result<SweepFile, LoadError> {
    let source = read_text(path)?;
    let file_name = path.display().to_string();
    crate::prescan::prescan(&source, &file_name).map_err(LoadError::Invalid)?;
    let mut sink = Sink::new(&file_name, &source);
    let (document, syntax_errors) = DeTable::parse_recoverable(&source);
    if !syntax_errors.is_empty() {
        for error in syntax_errors {
            sink.error(error.span().unwrap_or(0..0), "syntax", error.message());
        }
        return Err(LoadError::Invalid(sink.finish()));
    }
    let mut root = Table::root(&document);
    let head = root
        .required_table(&mut sink, "sweep")
        .and_then(|t| read_head(t, &mut sink));
    let axes: Vec<Option<Axis>> = root
        .required_tables(&mut sink, "axis")
        .into_iter()
        .map(|t| t.and_then(|t| read_axis(t, &mut sink)))
        .collect();
    root.finish(&mut sink);
    let (Some(head), Some(axes)) = (head, axes.into_iter().collect::<Option<Vec<_>>>()) else {
        return Err(LoadError::Invalid(sink.finish()));
    };
    if sink.has_errors() {
        return Err(LoadError::Invalid(sink.finish()));
    }

    let dir = path.parent().unwrap_or(Path::new(""));
    let scenario = dir.join(&head.scenario);
    let scenario_source = match read_text(&scenario) {
        Ok(text) => text,
        Err(LoadError::Io { source: error, .. }) => {
            head.scenario_at.error(
                &mut sink,
                None,
                format_args!("cannot read '{}': {error}", scenario.display()),
            );
            return Err(LoadError::Invalid(sink.finish()));
        }
        Err(invalid) => return Err(invalid),
    };
    let files = RefCell::new(HashMap::new());
    let read = |file: &Path| {
        let text = file::read_site_table(file)?;
        files.borrow_mut().insert(file.to_owned(), text.clone());
        Ok(text)
    };
    let scenario_name = scenario.display().to_string();
    let (base, warnings) =
        parse_with_warnings(&scenario_source, &scenario_name, &read).map_err(LoadError::Invalid)?;
    if let Some(days) = head.days
        && days <= base.warmup_days
    {
        head.days_at.error(
            &mut sink,
            None,
            format_args!(
                "days ({days}) must be greater than warmup_days ({}) of '{}'",
                base.warmup_days,
                scenario.display()
            ),
        );
    }
    let needs_targets = matches!(head.mode, Mode::Check | Mode::Plan);
    if needs_targets && !base.targets.any() {
        head.mode_at.error(
            &mut sink,
            None,
            format_args!(
                "mode `{}` judges the scenario's [targets], but '{}' has none: add \
                 [targets] to it, or use mode \"run\"",
                head.mode.name(),
                scenario.display()
            ),
        );
    }
    let file = SweepFile {
        path: path.to_owned(),
        scenario_name: head.scenario,
        scenario,
        mode: head.mode,
        design: head.design,
        days: head.days,
        replications: head.replications,
        axes,
        comments: crate::comments::of_model(&scenario_source, &base),
        base,
        warnings,
        source: String::new(),
        scenario_source,
        files: files.into_inner(),
    };
    file.check_axes(&source, &mut sink);
    if let (Design::OneAtATime | Design::Grid, Some(at)) = (head.design, &head.lhs_only_at) {
        at.error(
            &mut sink,
            None,
            "`samples` and `seed` are for design \"latin_hypercube\" only",
        );
    }
    let points = file.point_count();
    if points > MAX_POINTS {
        head.design_at.error(
            &mut sink,
            None,
            format_args!(
                "design `{}` gives {points} points, at most {MAX_POINTS} are allowed: \
                 use fewer values, or design \"latin_hypercube\" with `samples`",
                head.design.name()
            ),
        );
    }
    if sink.has_errors() {
        return Err(LoadError::Invalid(sink.finish()));
    }
    Ok(SweepFile { source, ..file })
}

impl SweepFile {
    /// How many points the design visits.
    pub fn point_count(&self) -> u64 {
        match self.design {
            Design::Grid => self
                .axes
                .iter()
                .map(|a| a.values.len() as u64)
                .fold(1, u64::saturating_mul),
            Design::OneAtATime => 1 + self.axes.iter().map(|a| a.values.len() as u64).sum::<u64>(),
            Design::LatinHypercube { samples, .. } => u64::from(samples),
        }
    }

    /// The base scenario with `settings` (axis index, value) set, as a
    /// validated model; every problem is a diagnostic at the sweep file's
    /// axis (the last one's, when it takes several values together).
    pub fn model(&self, settings: &[(usize, &AxisValue)]) -> Result<Model, Vec<Diagnostic>> {
        let file_name = self.path.display().to_string();
        let mut sink = Sink::new(&file_name, &self.source);
        match self.patched(settings) {
            Ok(model) => Ok(model),
            Err(problems) => {
                self.tell(settings, &problems, &mut Vec::new(), &mut sink);
                Err(sink.finish())
            }
        }
    }

    /// Checks every axis's key against the base scenario and the keys
    /// before it, then each of its values alone; `source` is the sweep
    /// file's text.
    fn check_axes(&self, source: &str, sink: &mut Sink<'_>) {
        let (scenario, errors) = DeTable::parse_recoverable(&self.scenario_source);
        debug_assert!(errors.is_empty(), "the base scenario parsed before");
        let mut valid = Vec::new();
        for (index, axis) in self.axes.iter().enumerate() {
            let at = |sink: &mut Sink<'_>, message: String| {
                sink.error(axis.key_span.clone(), format!("axis[{index}].key"), message);
            };
            if let Err(message) = self.check_key(&axis.key, scenario.get_ref()) {
                at(sink, message);
                continue;
            }
            // A scale needs a number to multiply wherever the key reaches.
            if axis.scale
                && let Err(message) = Key::parse(&axis.key)
                    .and_then(|parts| self.scaled(&parts, 1.0, scenario.get_ref()))
            {
                at(sink, message);
                continue;
            }
            if let Some(message) = self.clash(index, &valid, source) {
                at(sink, message);
                continue;
            }
            valid.push(index);
            let mut told = Vec::new();
            for value in &axis.values {
                if let Err(problems) = self.patched(&[(index, value)]) {
                    self.tell(&[(index, value)], &problems, &mut told, sink);
                }
            }
        }
    }

    /// Whether `key` names something a sweep can set in `scenario` (the
    /// base scenario's document): a section, and for an array of tables
    /// the name of one of its elements or `*`.
    fn check_key(&self, key: &str, scenario: &DeTable<'_>) -> Result<(), String> {
        let parts = Key::parse(key)?;
        if FIXED_SECTIONS.contains(&parts.section.as_str()) {
            return Err(format!(
                "`{key}`: [{}] cannot be swept{}",
                parts.section,
                if parts.section == "scenario" {
                    ": every point runs with the scenario's seed, days and replications \
                     (set them with --seed, --days and --replications)"
                } else {
                    ""
                }
            ));
        }
        let Some(selector) = &parts.name else {
            return Ok(());
        };
        let reached = self.reached(&parts, scenario);
        if let Some(name) = selector
            && !reached.contains(name)
            && let Some(message) = self.unreachable(&parts, name, scenario)
        {
            return Err(format!("`{key}`: {message}"));
        }
        if reached.is_empty() {
            return Err(format!("`{key}` sets nothing: {}", self.lacking(&parts)));
        }
        let Some(name) = selector else {
            return Ok(());
        };
        let names: Vec<&str> = reached.iter().map(String::as_str).collect();
        let reference = Reference {
            what: NAMED
                .iter()
                .find(|s| **s == parts.section)
                .expect("a key with a name is of a named section"),
            defined_in: "table of that name",
            hint: "",
            names: &names,
        };
        reference
            .find(name)
            .map(drop)
            .map_err(|message| format!("`{key}`: {message}, or `*` for every one"))
    }

    /// Why the key of axis `index` cannot go with the valid keys of the
    /// axes `earlier`: one of them is the same key (the points' values
    /// are told by key), or, in a design that sets several axes at a
    /// point, one would set a value the other sets.
    fn clash(&self, index: usize, earlier: &[usize], source: &str) -> Option<String> {
        let key = &self.axes[index].key;
        let name = self.axes[index].name();
        let parts = Key::parse(key).ok()?;
        let combines = !matches!(self.design, Design::OneAtATime);
        earlier.iter().find_map(|&other| {
            let axis = &self.axes[other];
            let line = source[..axis.key_span.start].matches('\n').count() + 1;
            let at = format!("axis[{other}] (line {line})");
            // A key's values and its factors are two axes of their own
            // names: two bars of a tornado.
            if axis.name() == name {
                let what = if axis.scale { "factors" } else { "values" };
                return Some(format!(
                    "`{key}` is already the key of {at}: put all its {what} in one axis"
                ));
            }
            let overlaps = Key::parse(&axis.key).is_ok_and(|o| o.overlaps(&parts));
            (combines && overlaps).then(|| {
                format!(
                    "`{key}` overlaps `{}` of {at}: design \"{}\" sets both at a point, and \
                     one would hide the other; use design \"one_at_a_time\" (one axis a \
                     point) or two sweeps",
                    axis.key,
                    self.design.name()
                )
            })
        })
    }

    /// The names of the elements a key of a named section sets, in
    /// `scenario` (the base scenario's document): the section's tables;
    /// for a single key of a site, every site, site tables' rows too (the
    /// key is a cell); and the elements of the overrides that set the key.
    fn reached(&self, parts: &Key, scenario: &DeTable<'_>) -> Vec<String> {
        let single = parts.rest.len() == 1;
        let mut names = if parts.section == "site" && single {
            self.base.sites.iter().map(|s| s.name.clone()).collect()
        } else {
            element_names(scenario, &parts.section)
        };
        for (section, overrides, by) in OVERRIDDEN {
            if *section != parts.section || !single {
                continue;
            }
            let Some(DeValue::Array(elements)) = scenario.get(*overrides).map(Spanned::get_ref)
            else {
                continue;
            };
            for table in elements.iter().filter_map(|e| e.get_ref().as_table()) {
                if let (Some(name), true) = (
                    table.get(*by).and_then(|n| n.get_ref().as_str()),
                    table.contains_key(parts.rest[0].as_str()),
                ) && !names.iter().any(|n| n == name)
                {
                    names.push(name.to_owned());
                }
            }
        }
        names
    }

    /// Why a key of a named section cannot set the element `name`, which
    /// the scenario has but [`SweepFile::reached`] left out: a site table's
    /// row takes no nested key, and a site's own transformer is set
    /// through its site. `None` when the scenario has no such element.
    fn unreachable(&self, parts: &Key, name: &str, scenario: &DeTable<'_>) -> Option<String> {
        let rest = parts.rest.join(".");
        match parts.section.as_str() {
            "site" if self.base.sites.iter().any(|s| s.name == name) => Some(format!(
                "site `{name}` is a row of a site table, whose cells take a single key, \
                 not `{rest}`"
            )),
            "transformer" if self.base.grid.transformers.iter().any(|t| t.name == name) => {
                let own = format!("transformer `{name}` is site '{name}''s own");
                if element_names(scenario, "site").iter().any(|n| n == name) {
                    return Some(format!(
                        "{own}, set in its `[[site]]`: `site.{name}.transformer.{rest}`"
                    ));
                }
                let column = match rest.as_str() {
                    "rating_kva" => Some("transformer_kva"),
                    "households" => Some("transformer_households"),
                    _ => None,
                };
                Some(match column {
                    Some(column) => {
                        format!("{own}, set in its site table row: `site.{name}.{column}`")
                    }
                    None => format!(
                        "{own}, set in its site table row, whose only transformer columns \
                         are `transformer_kva` and `transformer_households`"
                    ),
                })
            }
            _ => None,
        }
    }

    /// What the scenario has instead, when a key of a named section sets
    /// no element at all.
    fn lacking(&self, parts: &Key) -> String {
        match parts.section.as_str() {
            "site" => format!(
                "the scenario's sites are rows of site tables, whose cells take a single \
                 key, not `{}`",
                parts.rest.join(".")
            ),
            "transformer" => match self.base.grid.transformers.len() {
                0 => "the scenario has no `[[transformer]]`, and its sites have no \
                      transformer of their own"
                    .to_owned(),
                n => format!(
                    "the scenario has no `[[transformer]]`; {}, set through the site: \
                     `site.NAME.transformer.KEY` in a `[[site]]`, the `transformer_kva` and \
                     `transformer_households` columns of a site table",
                    if n == 1 {
                        "its transformer is its site's own".to_owned()
                    } else {
                        format!("its {n} transformers are its sites' own")
                    }
                ),
            },
            _ => {
                let groups = &self.base.riders.groups;
                if groups.is_empty() {
                    return "the scenario has no `[[group]]`, and no riders".to_owned();
                }
                let names: Vec<String> = groups.iter().map(|g| format!("`{}`", g.name)).collect();
                format!(
                    "the scenario has no `[[group]]`; its riders are the default groups {}, \
                     which have no table to set: declare them as `[[group]]`s to sweep their \
                     keys",
                    names.join(" and ")
                )
            }
        }
    }

    /// Reports `problems` of the scenario with `settings` at the sweep
    /// file's last setting, each once per distinct (field, message) in
    /// `told`.
    fn tell(
        &self,
        settings: &[(usize, &AxisValue)],
        problems: &[Problem],
        told: &mut Vec<Problem>,
        sink: &mut Sink<'_>,
    ) {
        let Some(&(last, last_value)) = settings.last() else {
            return;
        };
        let axis = &self.axes[last];
        let span = axis
            .values
            .iter()
            .position(|v| v == last_value)
            .map_or_else(|| axis.span.clone(), |i| axis.spans[i].clone());
        let set: Vec<String> = settings
            .iter()
            .map(|&(a, v)| format!("{} = {v}", self.axes[a].name()))
            .collect();
        // One problem per field up to its indices (every row of a site
        // table breaks alike), with a count of the others: the rows a
        // problem already stands for ("(and 14 more like it)") count too.
        let mut groups: Vec<(String, &String, &str, usize)> = Vec::new();
        for (field, message) in problems {
            let like = crate::diag::without_indices(field);
            let (message, count) = crate::diag::counted(message);
            match groups.iter_mut().find(|(l, ..)| *l == like) {
                Some((.., total)) => *total += count,
                None => groups.push((like, field, message, count)),
            }
        }
        for (_, field, message, total) in groups {
            let pair = (field.clone(), message.to_owned());
            if told.contains(&pair) {
                continue;
            }
            told.push(pair);
            let others = match total - 1 {
                0 => String::new(),
                n => format!(" (and {} more like it)", crate::diag::thousands(n)),
            };
            sink.error(
                span.clone(),
                field.clone(),
                format!("with {}: {message}{others}", set.join(", ")),
            );
        }
    }

    /// The scenario with `settings` set, validated; the field and message
    /// of each problem on failure (their positions are in the patched
    /// text, which the user never sees).
    fn patched(&self, settings: &[(usize, &AxisValue)]) -> Result<Model, Vec<Problem>> {
        let mut problems = Vec::new();
        let keys: Vec<Option<Key>> = settings
            .iter()
            .map(|&(axis, _)| Key::parse(&self.axes[axis].key).ok())
            .collect();
        // What each setting writes: its value at its key, or for a scale
        // each value it reaches multiplied by the factor.
        let base = settings
            .iter()
            .any(|&(axis, _)| self.axes[axis].scale)
            .then(|| DeTable::parse_recoverable(&self.scenario_source).0);
        let mut writes: Vec<Vec<(Target<'_>, AxisValue)>> = Vec::with_capacity(settings.len());
        for (&(axis, value), parts) in settings.iter().zip(&keys) {
            let Some(parts) = parts else {
                writes.push(Vec::new());
                continue;
            };
            match (&base, value.as_f64()) {
                (Some(base), Some(factor)) if self.axes[axis].scale => {
                    match self.scaled(parts, factor, base.get_ref()) {
                        Ok(scaled) => writes.push(scaled),
                        Err(message) => {
                            problems.push((self.axes[axis].key.clone(), message));
                            writes.push(Vec::new());
                        }
                    }
                }
                _ => writes.push(vec![(Target::Key, value.clone())]),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        // The values are written at the end of the scenario's text, in a
        // comment, so that a value is read (and a bad one quoted) from
        // its own text.
        let mut text = self.scenario_source.clone();
        text.push_str("\n# swapsim sweep:");
        let spans: Vec<Vec<Range<usize>>> = writes
            .iter()
            .map(|written| {
                written
                    .iter()
                    .map(|(_, value)| {
                        text.push(' ');
                        let start = text.len();
                        text.push_str(&value.toml());
                        start..text.len()
                    })
                    .collect()
            })
            .collect();
        text.push('\n');
        let (mut document, errors) = DeTable::parse_recoverable(&text);
        debug_assert!(errors.is_empty(), "the base scenario parsed before");
        let whole = document.span();
        let mut csv_edits: Vec<(Option<&str>, &str, String)> = Vec::new();
        let literal = |span: &Range<usize>| {
            let parsed = DeValue::parse(&text[span.clone()])
                .map(Spanned::into_inner)
                .expect("an axis value is written as a TOML literal");
            Spanned::new(span.clone(), parsed)
        };
        for (((&(axis, _), written), spans), parts) in
            settings.iter().zip(&writes).zip(&spans).zip(&keys)
        {
            let key = &self.axes[axis].key;
            let Some(parts) = parts else { continue };
            let root = document.get_mut();
            let mut sites = HashMap::new();
            let mut outcome = Ok(());
            for ((target, value), span) in written.iter().zip(spans) {
                let new = literal(span);
                outcome = match target {
                    Target::Key => match &parts.name {
                        None => set(root, &parts.path(), new, whole.clone()),
                        Some(selector) => {
                            let cell = parts.section == "site" && parts.rest.len() == 1;
                            if cell {
                                csv_edits.push((selector.as_deref(), &parts.rest[0], value.cell()));
                            }
                            set_named(root, parts, selector.as_deref(), new).map(|count| {
                                debug_assert!(count > 0 || cell, "check_key let `{key}` through");
                            })
                        }
                    },
                    Target::Site(site) => {
                        csv_edits.push((Some(*site), &parts.rest[0], value.cell()));
                        sites.insert(*site, new);
                        Ok(())
                    }
                    Target::At { element, path } => set_at(root, element.as_ref(), path, new),
                };
                if outcome.is_err() {
                    break;
                }
            }
            if outcome.is_ok() && !sites.is_empty() {
                outcome = set_sites(root, parts, &sites);
            }
            if let Err(message) = outcome {
                problems.push((key.clone(), message));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let files = &self.files;
        let read = |path: &Path| -> io::Result<String> {
            let text = match files.get(path) {
                Some(text) => text.clone(),
                None => file::read_site_table(path)?,
            };
            Ok(edit_csv(&text, &csv_edits))
        };
        let file_name = self.scenario.display().to_string();
        // The patched document is read like a scenario file: the same
        // validation, the same messages.
        crate::read_document(&text, &document, &file_name, &read)
            .map(|(model, _warnings)| model)
            .map_err(|problems| problems.into_iter().map(|p| (p.field, p.message)).collect())
    }

    /// What a `scale` axis of key `parts` writes at `factor`, from the
    /// base scenario (`scenario` is its document): each value the key
    /// reaches, multiplied. A site's single key scales the value the
    /// site has in the model (from its table, its site table's row or
    /// defaults, an override or the schema's default: the value it runs
    /// with); any other key scales the numbers the scenario writes (an
    /// integer literal stays an integer), and one that is not written,
    /// or not a number, is an error.
    fn scaled(
        &self,
        parts: &Key,
        factor: f64,
        scenario: &DeTable<'_>,
    ) -> Result<Vec<(Target<'_>, AxisValue)>, String> {
        let shown = parts.shown();
        if parts.section == "site" && parts.rest.len() == 1 {
            let key = parts.rest[0].as_str();
            if !SCALED_SITE_KEYS.contains(&key) {
                return Err(format!(
                    "`{shown}` cannot be scaled: a scale multiplies a number every site has, \
                     {}{}",
                    one_of(SCALED_SITE_KEYS),
                    did_you_mean(key, SCALED_SITE_KEYS)
                ));
            }
            let selector = parts.name.as_ref().and_then(Option::as_deref);
            let scaled: Vec<(Target<'_>, AxisValue)> = self
                .base
                .sites
                .iter()
                .filter(|site| selector.is_none_or(|name| site.name == name))
                .filter_map(|site| {
                    let value = site_number(&self.base, site, key)?;
                    Some((Target::Site(site.name.as_str()), scale(&value, factor)))
                })
                .collect();
            if scaled.is_empty() {
                return Err(format!(
                    "`{shown}` sets nothing: no site it names has a `{key}` to scale \
                     ({}); give it values with `values`",
                    match key {
                        "charger_power_w" => "the battery's charge model has no power",
                        "transformer_kva" | "transformer_households" => {
                            "no site has a transformer of its own with them"
                        }
                        _ => "none has a cap",
                    }
                ));
            }
            return Ok(scaled);
        }
        let rest: Vec<&str> = parts.rest.iter().map(String::as_str).collect();
        let number = |value: &DeValue<'_>, whose: &str| -> Result<AxisValue, String> {
            toml_number(value).ok_or_else(|| {
                format!(
                    "`{shown}` cannot be scaled: {whose}`{}` is {}, and a scale multiplies \
                     numbers; give it values with `values`",
                    rest.join("."),
                    value.type_str()
                )
            })
        };
        let Some(selector) = &parts.name else {
            let path = parts.path();
            let value = value_at(scenario, &path).ok_or_else(|| {
                format!(
                    "`{shown}` is not written in the scenario (its default applies), so a \
                     scale has no value to multiply: write it in the scenario, or give it \
                     values with `values`"
                )
            })?;
            let value = number(value, "")?;
            let target = Target::At {
                element: None,
                path: parts.path().into_iter().map(str::to_owned).collect(),
            };
            return Ok(vec![(target, scale(&value, factor))]);
        };
        let selected = |table: &DeTable<'_>, by: &str| -> Option<String> {
            let name = table.get(by)?.get_ref().as_str()?;
            selector
                .as_deref()
                .is_none_or(|s| s == name)
                .then(|| name.to_owned())
        };
        let mut scaled = Vec::new();
        let mut overridden = Vec::new();
        for (section, overrides, by) in OVERRIDDEN {
            if *section != parts.section || rest.len() != 1 {
                continue;
            }
            for (index, table) in tables(scenario, overrides) {
                let Some(name) = selected(table, by) else {
                    continue;
                };
                if let Some(value) = table.get(rest[0]) {
                    let whose = format!("`{overrides}` of {section} `{name}`'s ");
                    let value = number(value.get_ref(), &whose)?;
                    let target = Target::At {
                        element: Some(((*overrides).to_owned(), index)),
                        path: parts.rest.clone(),
                    };
                    scaled.push((target, scale(&value, factor)));
                    overridden.push(name);
                }
            }
        }
        for (index, table) in tables(scenario, &parts.section) {
            let Some(name) = selected(table, "name") else {
                continue;
            };
            let section = &parts.section;
            match value_at(table, &rest) {
                Some(value) => {
                    let value = number(value, &format!("{section} `{name}`'s "))?;
                    let target = Target::At {
                        element: Some((section.clone(), index)),
                        path: parts.rest.clone(),
                    };
                    scaled.push((target, scale(&value, factor)));
                }
                None if overridden.contains(&name) => {}
                None => {
                    return Err(format!(
                        "`{shown}` cannot be scaled: {section} `{name}` does not write `{}` \
                         (its default applies), so there is no value to multiply: write it in \
                         the scenario, or give it values with `values`",
                        rest.join(".")
                    ));
                }
            }
        }
        if scaled.is_empty() {
            return Err(format!("`{shown}` sets nothing: {}", self.lacking(parts)));
        }
        Ok(scaled)
    }
}

/// Where a setting writes one value.
enum Target<'s> {
    /// The axis's key as written: every element it names, site table
    /// rows too.
    Key,
    /// One site's single key, a site table's row or a `[[site]]` (and
    /// its overrides): a scale's value for that site.
    Site(&'s str),
    /// A number the base scenario writes at `path`: in element `index`
    /// of the array of tables named first, or from the root for `None`.
    At {
        element: Option<(String, usize)>,
        path: Vec<String>,
    },
}

/// The single keys of a site a `scale` takes: its numbers.
const SCALED_SITE_KEYS: &[&str] = &[
    "cabinets",
    "slots_per_cabinet",
    "batteries",
    "pile_ports",
    "charger_power_w",
    "max_concurrent_charging",
    "max_riders_present",
    "households",
    "ebikes",
    "swap_adoption",
    "courier_work_weight",
    "nonsub_interval_days",
    "x_m",
    "y_m",
    "transformer_kva",
    "transformer_households",
];

/// The value of `key` (one of [`SCALED_SITE_KEYS`]) that `site` runs
/// with in `model`, as a scale multiplies it; `None` when the site has
/// none: no cap (`max_concurrent_charging`, `max_riders_present`), no
/// charger power (charging without one), no transformer of its own.
fn site_number(model: &Model, site: &SiteSpec, key: &str) -> Option<AxisValue> {
    let count = |n: u32| Some(AxisValue::Integer(i64::from(n)));
    let number = |x: f64| Some(AxisValue::Float(x));
    let own = || {
        site.transformer
            .map(|t| &model.grid.transformers[t])
            .filter(|t| t.name == site.name)
    };
    match key {
        "cabinets" => count(site.cabinets),
        "slots_per_cabinet" => count(site.slots_per_cabinet),
        "batteries" => count(site.batteries),
        "pile_ports" => count(site.pile_ports),
        "charger_power_w" => site
            .charger_power_w
            .or_else(|| model.battery.charger_power_w())
            .and_then(number),
        "max_concurrent_charging" => site.max_concurrent_charging.and_then(count),
        "max_riders_present" => site.max_riders_present.and_then(count),
        "households" => count(site.households),
        "ebikes" => count(site.ebikes),
        "swap_adoption" => number(site.swap_adoption),
        "courier_work_weight" => number(site.courier_work_weight),
        "nonsub_interval_days" => number(
            site.nonsub_interval_days
                .unwrap_or(model.riders.home.nonsub_interval_days),
        ),
        "x_m" => number(site.x_m),
        "y_m" => number(site.y_m),
        "transformer_kva" => own().and_then(|t| number(t.rating_kva)),
        "transformer_households" => own()
            .and_then(|t| t.base_basis)
            .and_then(|b| i64::try_from(b.households).ok())
            .map(AxisValue::Integer),
        _ => None,
    }
}

/// `value` multiplied by `factor`: an integer rounded to the nearest
/// (halves away from zero), and a positive one at least 1, so that a
/// factor never takes away all of what a site has; a number rounded to
/// 12 significant digits, so that 0.3 × 1.2 reads 0.36.
fn scale(value: &AxisValue, factor: f64) -> AxisValue {
    match value {
        AxisValue::Integer(n) => {
            let scaled = (*n as f64 * factor).round() as i64;
            AxisValue::Integer(if *n > 0 { scaled.max(1) } else { scaled })
        }
        AxisValue::Float(x) => {
            let scaled = x * factor;
            AxisValue::Float(
                format!("{scaled:.11e}")
                    .parse()
                    .expect("a formatted float parses back"),
            )
        }
        other => other.clone(),
    }
}

/// A TOML number as an axis value.
fn toml_number(value: &DeValue<'_>) -> Option<AxisValue> {
    match value {
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .ok()
            .map(AxisValue::Integer),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .map(AxisValue::Float),
        _ => None,
    }
}

/// The value at `path` in `table`, through its sub-tables.
fn value_at<'t, 'i>(table: &'t DeTable<'i>, path: &[&str]) -> Option<&'t DeValue<'i>> {
    let (first, rest) = path.split_first()?;
    let value = table.get(*first)?.get_ref();
    if rest.is_empty() {
        return Some(value);
    }
    value_at(value.as_table()?, rest)
}

/// The tables of the array of tables `section`, with their indices.
fn tables<'t, 'i>(root: &'t DeTable<'i>, section: &str) -> Vec<(usize, &'t DeTable<'i>)> {
    match root.get(section).map(Spanned::get_ref) {
        Some(DeValue::Array(elements)) => elements
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((i, e.get_ref().as_table()?)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Sets `path` to `value` in element `index` of the array of tables
/// named by `element`, or from the root for `None`.
fn set_at<'i>(
    root: &mut DeTable<'i>,
    element: Option<&(String, usize)>,
    path: &[String],
    value: Spanned<DeValue<'i>>,
) -> Result<(), String> {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let Some((section, index)) = element else {
        let span = value.span();
        return set(root, &path, value, span);
    };
    let Some(DeValue::Array(elements)) = root.get_mut(section.as_str()).map(|v| v.get_mut()) else {
        return Err(format!("the scenario has no `[[{section}]]`"));
    };
    let Some(element) = elements.get_mut(*index) else {
        return Err(format!(
            "the scenario has no `[[{section}]]` number {index}"
        ));
    };
    let span = element.span();
    match element.get_mut() {
        DeValue::Table(table) => set(table, &path, value, span),
        other => Err(format!(
            "`{section}` holds {}, not tables",
            other.type_str()
        )),
    }
}

/// Sets the single site key of `parts` of each site in `values` (by
/// name), in its `[[site]]` and in the overrides that set it, in one pass
/// (a district's scale sets every site its own value); the rows of site
/// tables are set in their CSV.
fn set_sites<'i>(
    root: &mut DeTable<'i>,
    parts: &Key,
    values: &HashMap<&str, Spanned<DeValue<'i>>>,
) -> Result<(), String> {
    let key = parts.rest[0].as_str();
    let (_, overrides, by) = OVERRIDDEN
        .iter()
        .find(|(section, _, _)| *section == "site")
        .expect("sites have overrides");
    if let Some(DeValue::Array(elements)) = root.get_mut(*overrides).map(|v| v.get_mut()) {
        for element in elements.iter_mut() {
            let DeValue::Table(table) = element.get_mut() else {
                continue;
            };
            let named = table.get(*by).and_then(|n| n.get_ref().as_str());
            if let (Some(value), Some(old)) =
                (named.and_then(|n| values.get(n)), table.get_mut(key))
            {
                *old = value.clone();
            }
        }
    }
    if let Some(DeValue::Array(elements)) = root.get_mut("site").map(|v| v.get_mut()) {
        for element in elements.iter_mut() {
            let span = element.span();
            let DeValue::Table(table) = element.get_mut() else {
                continue;
            };
            let named = table.get("name").and_then(|n| n.get_ref().as_str());
            if let Some(value) = named.and_then(|n| values.get(n)) {
                set(table, &[key], value.clone(), span)?;
            }
        }
    }
    Ok(())
}

/// A problem of a patched scenario: its field path and message.
type Problem = (String, String);

/// The parts of an axis key: `site.*.swap_adoption` is the section `site`,
/// every element, and the key `swap_adoption`.
struct Key {
    section: String,
    /// For a section of named elements: `Some(None)` for `*`,
    /// `Some(Some(name))` for one.
    name: Option<Option<String>>,
    rest: Vec<String>,
}

/// Sections whose elements are named by their `name` key.
const NAMED: &[&str] = &["site", "transformer", "group"];

impl Key {
    fn parse(key: &str) -> Result<Key, String> {
        let parts: Vec<&str> = key.split('.').collect();
        if parts.iter().any(|p| p.trim().is_empty()) {
            return Err(format!(
                "`{key}` is not a dotted key, expected one like `battery.capacity_wh`, \
                 `site.*.swap_adoption` or `transformer.NAME.rating_kva`"
            ));
        }
        let section = parts[0].to_owned();
        if NAMED.contains(&parts[0]) {
            if parts.len() < 3 {
                return Err(format!(
                    "`{key}`: [[{section}]] tables are named, expected \
                     `{section}.NAME.KEY`, or `{section}.*.KEY` for every one"
                ));
            }
            let name = (parts[1] != "*").then(|| parts[1].to_owned());
            Ok(Key {
                section,
                name: Some(name),
                rest: parts[2..].iter().map(|s| (*s).to_owned()).collect(),
            })
        } else {
            if parts.len() < 2 {
                return Err(format!(
                    "`{key}` names a section, expected a key inside it, like `{key}.NAME`"
                ));
            }
            Ok(Key {
                section,
                name: None,
                rest: parts[1..].iter().map(|s| (*s).to_owned()).collect(),
            })
        }
    }

    /// Whether a point that sets both `self` and `other` would set one
    /// value twice: the same section, an element in common (the same
    /// name, or `*`) and one key the other or inside it
    /// (`cabinet.strategy` holds `cabinet.strategy.model`).
    fn overlaps(&self, other: &Key) -> bool {
        let elements = match (&self.name, &other.name) {
            (Some(Some(a)), Some(Some(b))) => a == b,
            _ => true,
        };
        let common = self.rest.len().min(other.rest.len());
        self.section == other.section && elements && self.rest[..common] == other.rest[..common]
    }

    /// The key as written.
    fn shown(&self) -> String {
        let name = match &self.name {
            None => None,
            Some(None) => Some("*"),
            Some(Some(name)) => Some(name.as_str()),
        };
        std::iter::once(self.section.as_str())
            .chain(name)
            .chain(self.rest.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The whole path of a key of a plain section.
    fn path(&self) -> Vec<&str> {
        std::iter::once(self.section.as_str())
            .chain(self.rest.iter().map(String::as_str))
            .collect()
    }
}

/// The names of the elements of the array of tables `section`.
fn element_names(root: &DeTable<'_>, section: &str) -> Vec<String> {
    match root.get(section).map(Spanned::get_ref) {
        Some(DeValue::Array(elements)) => elements
            .iter()
            .filter_map(|e| e.get_ref().as_table()?.get("name")?.get_ref().as_str())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Sets `path` in `table` to `value`, creating the tables on the way
/// (with the span `fallback`); a value on the way that is no table is an
/// error.
fn set<'i>(
    table: &mut DeTable<'i>,
    path: &[&str],
    value: Spanned<DeValue<'i>>,
    fallback: Range<usize>,
) -> Result<(), String> {
    let (first, rest) = path.split_first().expect("a key has parts");
    if rest.is_empty() {
        match table.get_mut(*first) {
            Some(old) => *old = value,
            None => {
                let key = Spanned::new(fallback, std::borrow::Cow::Owned((*first).to_owned()));
                table.insert(key, value);
            }
        }
        return Ok(());
    }
    if table.get(*first).is_none() {
        let key = Spanned::new(
            fallback.clone(),
            std::borrow::Cow::Owned((*first).to_owned()),
        );
        table.insert(
            key,
            Spanned::new(fallback.clone(), DeValue::Table(DeTable::new())),
        );
    }
    let inner = table.get_mut(*first).expect("inserted above");
    let span = inner.span();
    match inner.get_mut() {
        DeValue::Table(inner) => set(inner, rest, value, span),
        other => Err(format!(
            "`{first}` is {}, not a table, so it has no key `{}`",
            other.type_str(),
            rest.join(".")
        )),
    }
}

/// The overrides that set the keys of named elements after everything
/// else: (section, its override tables, the key naming the element).
const OVERRIDDEN: &[(&str, &str, &str)] = &[
    ("site", "site_override", "site"),
    ("transformer", "transformer_override", "transformer"),
];

/// Sets the key of `parts` in every element of `[[section]]` named
/// `name` (every element for `None`), and in the overrides of those
/// elements that set it (a plan file's), which would otherwise win; the
/// number of tables set.
fn set_named<'i>(
    root: &mut DeTable<'i>,
    parts: &Key,
    name: Option<&str>,
    value: Spanned<DeValue<'i>>,
) -> Result<usize, String> {
    let mut count = 0;
    for (section, overrides, by) in OVERRIDDEN {
        if *section != parts.section || parts.rest.len() != 1 {
            continue;
        }
        let key = parts.rest[0].as_str();
        if let Some(DeValue::Array(elements)) = root.get_mut(*overrides).map(|v| v.get_mut()) {
            for element in elements.iter_mut() {
                let DeValue::Table(table) = element.get_mut() else {
                    continue;
                };
                let named = table.get(*by).and_then(|n| n.get_ref().as_str());
                let matches = name.is_none_or(|name| named == Some(name));
                if let (true, Some(old)) = (matches, table.get_mut(key)) {
                    *old = value.clone();
                    count += 1;
                }
            }
        }
    }
    let Some(DeValue::Array(elements)) = root.get_mut(parts.section.as_str()).map(|v| v.get_mut())
    else {
        return Ok(count);
    };
    let rest: Vec<&str> = parts.rest.iter().map(String::as_str).collect();
    for element in elements.iter_mut() {
        let span = element.span();
        let DeValue::Table(table) = element.get_mut() else {
            continue;
        };
        let matches = match name {
            None => true,
            Some(name) => table.get("name").and_then(|n| n.get_ref().as_str()) == Some(name),
        };
        if matches {
            set(table, &rest, value.clone(), span)?;
            count += 1;
        }
    }
    Ok(count)
}

/// `text`, a site table's CSV, with each edit (site name or every site,
/// column, cell) written into its rows; a missing column is added. Text
/// that is not a CSV the edits can read is left for the scenario's
/// reader to report. A point sets no cell twice (overlapping keys are
/// refused), so the edits' order does not matter; a scale's edits, one a
/// site, are found by the row's name.
fn edit_csv(text: &str, edits: &[(Option<&str>, &str, String)]) -> String {
    if edits.is_empty() {
        return text.to_owned();
    }
    let Ok(records) = crate::site_table::records(text) else {
        return text.to_owned();
    };
    let mut rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| r.cells.iter().map(|c| c.text.clone()).collect())
        .collect();
    let Some(header) = rows.first().cloned() else {
        return text.to_owned();
    };
    let Some(name_column) = header.iter().position(|h| h == "name") else {
        return text.to_owned();
    };
    let mut header = header;
    let mut every: Vec<(usize, &str)> = Vec::new();
    let mut by_site: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
    for (site, column, cell) in edits {
        let index = match header.iter().position(|h| h == column) {
            Some(index) => index,
            None => {
                header.push((*column).to_owned());
                header.len() - 1
            }
        };
        match site {
            None => every.push((index, cell)),
            Some(site) => by_site.entry(site).or_default().push((index, cell)),
        }
    }
    for row in rows.iter_mut().skip(1) {
        let named = row
            .get(name_column)
            .and_then(|name| by_site.get(name.as_str()));
        for &(index, cell) in every.iter().chain(named.into_iter().flatten()) {
            if row.len() <= index {
                row.resize(index + 1, String::new());
            }
            row[index] = cell.to_owned();
        }
    }
    rows[0] = header;
    let mut csv = csv::Writer::from_writer(Vec::new());
    for row in &rows {
        csv.write_record(row)
            .expect("writing CSV to memory cannot fail");
    }
    String::from_utf8(
        csv.into_inner()
            .expect("flushing CSV to memory cannot fail"),
    )
    .expect("the CSV is built from UTF-8 strings")
}

/// `[sweep]` as read.
struct Head {
    scenario: String,
    scenario_at: At,
    mode: Mode,
    mode_at: At,
    design: Design,
    design_at: At,
    /// Where `samples` or `seed` is written, for a design that takes none.
    lhs_only_at: Option<At>,
    days_at: At,
    days: Option<u32>,
    replications: Option<u32>,
}

fn read_head(mut t: Table<'_, '_>, sink: &mut Sink<'_>) -> Option<Head> {
    let scenario_at = t.at("scenario");
    let scenario = t.required(sink, "scenario", &Text);
    let mode_at = t.at("mode");
    let mode = t.defaulted(sink, "mode", &Choice(MODES), "run");
    let design_at = t.at("design");
    let design = t.defaulted(sink, "design", &Choice(DESIGNS), "grid");
    let lhs_only_at = ["samples", "seed"]
        .into_iter()
        .find(|k| t.has(k))
        .map(|k| t.at(k));
    let samples = t.optional(sink, "samples", &Integer::between(2_u32, 100_000));
    let seed = t.defaulted(sink, "seed", &Integer::at_least(0_u64), 1);
    let days_at = t.at("days");
    let days = t.optional(sink, "days", &crate::bounds::DAYS);
    let replications = t.optional(sink, "replications", &crate::bounds::replications(1));
    let samples_at = t.here();
    t.finish(sink);
    let design = match design? {
        "grid" => Design::Grid,
        "one_at_a_time" => Design::OneAtATime,
        _ => match samples.ok()? {
            Some(samples) => Design::LatinHypercube {
                samples,
                seed: seed?,
            },
            None => {
                samples_at.error(
                    sink,
                    None,
                    "design \"latin_hypercube\" needs `samples`, the number of points to draw",
                );
                return None;
            }
        },
    };
    let mode = match mode? {
        "run" => Mode::Run,
        "check" => Mode::Check,
        _ => Mode::Plan,
    };
    Some(Head {
        scenario: scenario?,
        scenario_at,
        mode,
        mode_at,
        design,
        design_at,
        lhs_only_at,
        days_at,
        days: days.ok()?,
        replications: replications.ok()?,
    })
}

fn read_axis(mut t: Table<'_, '_>, sink: &mut Sink<'_>) -> Option<Axis> {
    let key_span = t.at("key").span;
    let key = t.required(sink, "key", &Text);
    let here = t.here();
    let values = t.item("values");
    let range = t.item("range");
    let scale = t.item("scale");
    let scaled = scale.is_some();
    let axis = match (values, range, scale) {
        (Some(values), None, None) => read_values(&values, sink),
        (None, Some(range), None) => read_range(&range, sink, &Number::ANY, true),
        (None, None, Some(scale)) => read_scale(&scale, sink),
        (None, None, None) => {
            here.error(
                sink,
                None,
                "an axis needs `values = [...]`, `range = { from, to, steps }` or \
                 `scale = [...]` (factors of the scenario's own values)",
            );
            None
        }
        (values, range, scale) => {
            let second = [values, range, scale].into_iter().flatten().nth(1);
            if let Some(second) = second {
                second.key_error(
                    sink,
                    "an axis has one of `values`, `range` and `scale`, not two",
                );
            }
            None
        }
    };
    t.finish(sink);
    let (values, spans, span, range) = axis?;
    Some(Axis {
        key: key?,
        values,
        range,
        scale: scaled,
        spans,
        span,
        key_span,
    })
}

/// `scale`: factors, as a list (`[0.8, 1.0, 1.2]`) or a range (`{ from,
/// to, steps }`, which a latin hypercube draws within); each greater
/// than 0.
fn read_scale(item: &Item<'_, '_>, sink: &mut Sink<'_>) -> Option<ReadAxis> {
    let factor = Number::POSITIVE;
    match item.get() {
        DeValue::Table(_) => read_range(item, sink, &factor, false),
        _ => {
            let elements = item.elements(
                sink,
                "an array of factors (`[0.8, 1.0, 1.2]`) or a range (`{ from, to, steps }`)",
            )?;
            if elements.is_empty() {
                item.error(sink, "expected at least one factor, found an empty array");
                return None;
            }
            distinct(item, sink, &elements, "factor", |element, sink| {
                element.read(sink, &factor).map(AxisValue::Float)
            })
        }
    }
}

/// An axis's `elements` read by `read`, each once: one read twice is an
/// error ("`v` is already a {noun} of this axis").
fn distinct<'a, 'i>(
    item: &Item<'a, 'i>,
    sink: &mut Sink<'_>,
    elements: &[Item<'a, 'i>],
    noun: &str,
    mut read: impl FnMut(&Item<'a, 'i>, &mut Sink<'_>) -> Option<AxisValue>,
) -> Option<ReadAxis> {
    let mut values = Vec::new();
    let mut spans = Vec::new();
    let mut ok = true;
    for element in elements {
        match read(element, sink) {
            Some(v) if values.contains(&v) => {
                element.error(sink, format_args!("`{v}` is already a {noun} of this axis"));
                ok = false;
            }
            Some(v) => {
                values.push(v);
                spans.push(element.at().span);
            }
            None => ok = false,
        }
    }
    ok.then(|| (values, spans, item.at().span, None))
}

type ReadAxis = (
    Vec<AxisValue>,
    Vec<Range<usize>>,
    Range<usize>,
    Option<AxisRange>,
);

fn read_values(item: &Item<'_, '_>, sink: &mut Sink<'_>) -> Option<ReadAxis> {
    let expected = "an array of numbers, names or booleans";
    let elements = item.elements(sink, expected)?;
    if elements.is_empty() {
        item.error(sink, "expected at least one value, found an empty array");
        return None;
    }
    distinct(
        item,
        sink,
        &elements,
        "value",
        |element, sink| match element.get() {
            DeValue::Integer(_) => element
                .read(sink, &Integer::at_least(0_u64))
                .and_then(|i| i64::try_from(i).ok())
                .map(AxisValue::Integer),
            DeValue::Float(_) => element.read(sink, &Number::ANY).map(AxisValue::Float),
            DeValue::Boolean(b) => Some(AxisValue::Bool(*b)),
            DeValue::String(s) => Some(AxisValue::Text(s.to_string())),
            other => {
                element.error(
                    sink,
                    format_args!(
                        "expected a number, a name or a boolean, found {}",
                        other.type_str()
                    ),
                );
                None
            }
        },
    )
}

/// `{ from, to, steps }`, its ends of `kind`; integer steps when both
/// ends are integers and `integers` allows them (a scale's factors are
/// never integers).
fn read_range(
    item: &Item<'_, '_>,
    sink: &mut Sink<'_>,
    kind: &Number,
    integers: bool,
) -> Option<ReadAxis> {
    let mut t = item.table(sink)?;
    let from_int = matches!(
        item.get()
            .as_table()
            .and_then(|t| t.get("from"))
            .map(|v| v.get_ref()),
        Some(DeValue::Integer(_))
    );
    let to_int = matches!(
        item.get()
            .as_table()
            .and_then(|t| t.get("to"))
            .map(|v| v.get_ref()),
        Some(DeValue::Integer(_))
    );
    let from = t.required(sink, "from", kind);
    let to = t.required(sink, "to", kind);
    let steps = t.required(sink, "steps", &Integer::between(2_u32, 1000));
    let at = t.here();
    t.finish(sink);
    let range = AxisRange {
        from: from?,
        to: to?,
        steps: steps?,
        integer: integers && from_int && to_int,
    };
    if range.from == range.to {
        at.error(
            sink,
            None,
            "`from` and `to` are equal: a range needs two ends",
        );
        return None;
    }
    let values: Vec<AxisValue> = (0..range.steps)
        .map(|i| range.at(f64::from(i) / f64::from(range.steps - 1)))
        .collect();
    if values.windows(2).any(|w| w[0] == w[1]) {
        at.error(
            sink,
            None,
            format_args!(
                "{} integer steps from {} to {} repeat values: use at most {} steps",
                range.steps,
                range.from,
                range.to,
                (range.to - range.from).abs() as u64 + 1
            ),
        );
        return None;
    }
    let span = item.at().span;
    Some((
        values.clone(),
        vec![span.clone(); values.len()],
        span,
        Some(range),
    ))
}

/// The text of the UTF-8 file at `path`: a regular file within
/// [`file::MAX_SCENARIO_BYTES`], as a scenario is read.
fn read_text(path: &Path) -> Result<String, LoadError> {
    let what = "sweep file or scenario";
    let bytes = file::read_regular(path, file::MAX_SCENARIO_BYTES, what).map_err(|source| {
        LoadError::Io {
            path: path.to_owned(),
            source,
        }
    })?;
    String::from_utf8(bytes).map_err(|error| {
        let file_name = path.display().to_string();
        let valid_up_to = error.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
        let mut sink = Sink::new(&file_name, &text);
        sink.error(
            valid_up_to..valid_up_to + 1,
            "encoding",
            "invalid UTF-8, expected a UTF-8 text file",
        );
        LoadError::Invalid(sink.finish())
    })
}

/// `s` as a TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::{AxisValue, Key, scale};

    #[test]
    fn a_scale_rounds_counts_and_keeps_them_present() {
        let int = AxisValue::Integer;
        let cases = [
            (int(88), 1.2, int(106)),
            (int(5), 0.5, int(3)),
            (int(11), 0.05, int(1)),
            (int(0), 0.5, int(0)),
            (int(0), 3.0, int(0)),
            (AxisValue::Float(0.3), 1.2, AxisValue::Float(0.36)),
            (AxisValue::Float(400.0), 0.75, AxisValue::Float(300.0)),
            (AxisValue::Float(0.21), 1.25, AxisValue::Float(0.2625)),
        ];
        for (value, factor, scaled) in cases {
            assert_eq!(scale(&value, factor), scaled, "{value} × {factor}");
        }
    }

    #[test]
    fn keys_overlap_when_they_can_set_one_value() {
        let cases = [
            ("battery.capacity_wh", "battery.capacity_wh", true),
            ("site.*.swap_adoption", "site.A.swap_adoption", true),
            ("site.A.swap_adoption", "site.*.swap_adoption", true),
            ("site.*.swap_adoption", "site.*.swap_adoption", true),
            ("cabinet.strategy", "cabinet.strategy.model", true),
            ("site.*.transformer", "site.A.transformer.rating_kva", true),
            ("site.A.swap_adoption", "site.B.swap_adoption", false),
            ("site.A.swap_adoption", "site.A.batteries", false),
            ("site.*.swap_adoption", "site.*.swap_adoptions", false),
            (
                "cabinet.strategy.model",
                "cabinet.strategy.reserve_factor",
                false,
            ),
            (
                "transformer.*.rating_kva",
                "site.*.transformer.rating_kva",
                false,
            ),
            ("battery.capacity_wh", "targets.capacity_wh", false),
        ];
        for (a, b, overlap) in cases {
            let (ka, kb) = (Key::parse(a).expect(a), Key::parse(b).expect(b));
            assert_eq!(ka.overlaps(&kb), overlap, "{a} / {b}");
        }
    }
}
