//! Sizing every site at once: a bracket per count.
//!
//! Each count the planner sizes at a site (its batteries, its pile ports,
//! its transformer's size) keeps a bracket: the largest value evaluated
//! that failed the targets the count answers for, and the smallest that
//! met them. One evaluation of the district moves every open bracket:
//!
//! - no value met yet: grow (the step of [`Search::grow_for`]; for a
//!   narrow failure of batteries one battery, doubled after each narrow
//!   failure in a row up to 8, where the KPI hardly follows the count);
//! - no value failed yet: step down a tenth, twice as far after each
//!   pass;
//! - both known: the value where the KPI's logarithm, interpolated
//!   between the two ends, reaches 98% of the limit (the midpoint when
//!   the same end moved twice in a row, and for transformer sizes).
//!
//! Batteries start with queueing theory's count taken as the passing end,
//! unsimulated, and are first evaluated a tenth below it
//! ([`Search::below_theory`]); a failure there wider than 1.3 × the limit
//! drops that assumption, and the count grows from the failure.
//!
//! A bracket is closed when its ends are one resolution apart (a fiftieth
//! of the batteries, at least one, or the last narrow growth's step; one
//! transformer size; one pile port up to 20 ports and 10% above).
//! The search ends at the evaluation where every bracket is closed, every
//! count is at its bracket's passing end and every site meets its
//! targets; that evaluation is of the whole model (the others may be part
//! by part, `parts.rs`). A failure at the passing end (a neighbour's cut
//! moved riders here) reopens the bracket upwards, but only a failure of
//! the reported test (the upper 95% bound): a value that met the
//! planner's margin once keeps its verdict through the noise of its
//! neighbours' moves, which otherwise reopened a few sites each round
//! and grew them a battery a round (on `bishan-district.toml`, 13 rounds
//! instead of 8). The closing evaluation, whole and judged as the plan's
//! figures are, still reopens any site that fails.
//!
//! Sites are sized together, so the rounds are those of the slowest
//! bracket, not the sum of one kind of unit after another as in the
//! pruning this replaced (see benches/RESULTS.md).

use super::{
    EXPECTED_SIZING_ROUNDS, Kept, KeptWhy, ProblemWhy, SINGLE_PORT_PRUNING, Search, Unit, strict,
};
use crate::results::RunResult;

/// A count the brackets size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Count {
    Batteries,
    PilePorts,
    /// An index into the site's transformer ladder; only at the first
    /// site a transformer feeds.
    Transformer,
}

const COUNTS: [Count; 3] = [Count::Batteries, Count::PilePorts, Count::Transformer];

/// The KPI ÷ limit the interpolation aims at: a little inside the target.
const AIM: f64 = 0.98;
/// Below this KPI ÷ limit a pass counts as this, for the logarithm.
const FLOOR_RATIO: f64 = 0.05;
/// A failure this close to its limit grows by a small step.
const NARROW: f64 = 1.3;
/// The most narrow growths that double the step: at most 2³ units.
const NARROW_DOUBLINGS: u32 = 3;

impl Count {
    /// Whether target `kpi` is this count's to meet.
    fn answers(self, kpi: &str) -> bool {
        match self {
            Count::PilePorts => kpi == "flying_wire_per_1000_bikes_day",
            Count::Transformer => kpi == "transformer_peak_utilization",
            Count::Batteries => !matches!(
                kpi,
                "flying_wire_per_1000_bikes_day" | "transformer_peak_utilization"
            ),
        }
    }
}

/// One count's search at one site.
#[derive(Clone, Debug)]
struct Bracket {
    /// The smallest value allowed.
    floor: u32,
    /// The largest value evaluated that failed: (value, worst KPI ÷
    /// limit, that KPI, why, for the plan's "kept because").
    lo: Option<(u32, f64, &'static str, KeptWhy)>,
    /// The smallest value evaluated that met the targets, and its worst
    /// KPI ÷ limit.
    hi: Option<(u32, f64)>,
    /// `hi` is queueing theory's start, taken as meeting the targets
    /// without a simulation of it (see [`Search::below_theory`]).
    assumed: bool,
    /// The next step down while no value has failed.
    step: u32,
    /// Which end the interior trials replaced lately (true = the passing
    /// end), and how many times in a row.
    streak: (bool, u32),
    /// At a bound it cannot grow past (a [`Problem`] says which).
    stuck: bool,
    /// Halve the gap, rather than interpolate the KPI (transformer sizes:
    /// a few rungs, and a load that does not follow the KPI's logarithm).
    bisect: bool,
    /// Narrow failures in a row since the last pass: each doubles the
    /// next growth (one battery, then 2, 4, 8), for a count the KPI
    /// hardly follows.
    narrow_run: u32,
    /// The gap that closes the bracket, where wider than the count's
    /// resolution: the last growth's step.
    coarse: u32,
}

/// What a bracket does next.
enum Next {
    Stay,
    Set(u32),
    /// Grow from `from`, which failed `kpi` at `ratio` × its limit.
    Grow {
        from: u32,
        kpi: &'static str,
        ratio: f64,
    },
}

impl Bracket {
    fn new(floor: u32, step: u32, bisect: bool) -> Bracket {
        Bracket {
            floor,
            lo: None,
            hi: None,
            assumed: false,
            step: step.max(1),
            streak: (false, 0),
            stuck: false,
            bisect,
            narrow_run: 0,
            coarse: 0,
        }
    }

    /// Takes `start`, queueing theory's count, as met without a
    /// simulation, when the first evaluation is below it at `first`. A
    /// failure there wider than [`NARROW`] drops the assumption.
    fn assume_met(&mut self, start: u32, first: u32) {
        if start > first {
            self.hi = Some((start, FLOOR_RATIO));
            self.assumed = true;
            // The next step down is twice the first.
            self.step = (start / 10).max(1) * 2;
        }
    }

    /// Takes the verdict on `value`: met (worst KPI ÷ limit) or failed
    /// (the worst failure). A value that met the planner's margin before
    /// keeps its verdict through a failure the reported test passes
    /// (`passes_reported`, asked only then): see the module's
    /// documentation.
    fn judge(
        &mut self,
        value: u32,
        verdict: Result<f64, (f64, &'static str, KeptWhy)>,
        passes_reported: impl FnOnce() -> bool,
    ) {
        match verdict {
            Ok(ratio) => self.met(value, ratio),
            Err(_) if self.met_at(value) && passes_reported() => {}
            Err((ratio, kpi, why)) => self.failed(value, ratio, kpi, why),
        }
    }

    /// The step of a growth after a narrow failure: 1, doubled after each
    /// narrow failure in a row, at most 2^[`NARROW_DOUBLINGS`]; a pass at
    /// the grown value closes the bracket.
    fn narrow_step(&mut self) -> u32 {
        let step = 1 << self.narrow_run.min(NARROW_DOUBLINGS);
        self.narrow_run += 1;
        self.coarse = step;
        step
    }

    /// The unit a battery bracket's failing end is below its passing end:
    /// one battery, or the bracket's width when it closed wider.
    fn battery_unit(&self) -> Unit {
        match (&self.lo, self.hi) {
            (Some((l, ..)), Some((h, _))) if h > l + 1 => Unit::Batteries(h - l),
            _ => Unit::Battery,
        }
    }

    /// `value` failed, worst at `ratio` × its limit.
    fn failed(&mut self, value: u32, ratio: f64, kpi: &'static str, why: KeptWhy) {
        // It met its targets here before (a neighbour moved riders here
        // since), or it is far from its limit a tenth below theory's
        // start, which is then unlikely to meet it either: search upwards
        // again from here.
        if self.hi.is_some_and(|(h, _)| h <= value) || (self.assumed && ratio > NARROW) {
            self.hi = None;
            self.assumed = false;
        }
        let interior = self.hi.is_some() && self.lo.is_some();
        if self.lo.as_ref().is_none_or(|(l, ..)| *l <= value) {
            self.lo = Some((value, ratio, kpi, why));
            if interior {
                self.moved(false);
            }
        }
    }

    /// `value` met its targets, worst at `ratio` × its limit.
    fn met(&mut self, value: u32, ratio: f64) {
        if self.lo.as_ref().is_some_and(|(l, ..)| *l >= value) {
            self.lo = None;
        }
        self.narrow_run = 0;
        if self.hi.is_none_or(|(h, _)| h >= value) {
            if self.lo.is_some() && self.hi.is_some() {
                self.moved(true);
            }
            self.hi = Some((value, ratio));
            self.assumed = false;
        }
    }

    /// Whether a value at most `value` was simulated and met the targets.
    fn met_at(&self, value: u32) -> bool {
        !self.assumed && self.hi.is_some_and(|(h, _)| h <= value)
    }

    fn moved(&mut self, passing_end: bool) {
        self.streak = match self.streak {
            (side, n) if side == passing_end => (side, n + 1),
            _ => (passing_end, 1),
        };
    }

    /// The next value, from `value`, for a resolution of `resolution(hi)`.
    fn next(&mut self, value: u32, resolution: impl Fn(u32) -> u32) -> Next {
        if self.stuck {
            return Next::Stay;
        }
        let at = |v: u32| if v == value { Next::Stay } else { Next::Set(v) };
        match (&self.lo, self.hi) {
            (Some((from, ratio, kpi, _)), None) => Next::Grow {
                from: *from,
                kpi,
                ratio: *ratio,
            },
            (None, None) => Next::Stay,
            (None, Some((h, _))) => {
                if h <= self.floor {
                    return at(h);
                }
                let step = self.step.max(h / 10).max(1);
                self.step = step.saturating_mul(2);
                at(h.saturating_sub(step).max(self.floor))
            }
            (Some((l, rl, ..)), Some((h, rh))) => {
                let (l, h) = (*l, h);
                let width = h - l;
                let resolution = self.closing_gap(resolution, h);
                if width <= resolution {
                    return at(h);
                }
                let x = if self.bisect || self.streak.1 >= 2 {
                    f64::from(l) + f64::from(width) / 2.0
                } else {
                    let a = rl.max(1.0 + 1e-9).ln();
                    let b = rh.clamp(FLOOR_RATIO, AIM).ln();
                    let aim = AIM.ln().clamp(b, a);
                    f64::from(l) + f64::from(width) * (a - aim) / (a - b).max(1e-12)
                };
                // A pass must close the gap by a resolution at least.
                at((x.ceil() as u32).clamp(l + 1, h - resolution))
            }
        }
    }
}

impl Bracket {
    /// The gap between the ends that closes the bracket at a passing end
    /// of `h`: the count's resolution, or the last narrow growth's step
    /// where wider, and at least one.
    fn closing_gap(&self, resolution: impl Fn(u32) -> u32, h: u32) -> u32 {
        resolution(h).max(self.coarse).max(1)
    }

    /// Closed: nothing below the passing end, or the failing end within
    /// its closing gap of it.
    fn closed(&self, resolution: impl Fn(u32) -> u32) -> bool {
        match (&self.lo, self.hi) {
            (_, Some((h, _))) if h <= self.floor => true,
            (Some((l, ..)), Some((h, _))) => h - l <= self.closing_gap(resolution, h),
            _ => false,
        }
    }
}

/// The brackets of one site, by [`COUNTS`]; `None` where the site has no
/// such count to size (no transformer, or one sized at another site).
type SiteBrackets = [Option<Bracket>; 3];

impl Search<'_> {
    /// Sizes every site from the evaluated `first` candidate; returns the
    /// evaluation of the sized deployment.
    /// The progress estimate expects `after` evaluations once sizing is
    /// done.
    /// `theory` is each site's battery count from queueing theory, which
    /// `first` evaluated a tenth below ([`Search::below_theory`]).
    pub(super) fn bracket(&mut self, first: RunResult, theory: &[u32], after: u32) -> RunResult {
        let n = self.model.sites.len();
        let mut brackets: Vec<SiteBrackets> = (0..n)
            .map(|s| COUNTS.map(|count| self.new_bracket(s, count)))
            .collect();
        for (s, site) in brackets.iter_mut().enumerate() {
            if let Some(b) = site[0].as_mut() {
                b.assume_met(theory[s], self.model.sites[s].batteries);
            }
        }
        let mut result = first;
        let max_rounds = self.base.planner.max_iterations;
        // Whether `result` is of the whole model, not part by part.
        let mut whole = self.parts.len() <= 1;
        for round in 0..max_rounds {
            // Sized part by part with the planner's margin, the deployment
            // is then judged whole by the reported test (the upper 95%
            // bound), as the plan's figures, which reuse these
            // replications, will judge it: the sub-models leave out how
            // travelling couriers' batteries differ, and holding the whole
            // model to the margin as well reopened brackets back and forth
            // (103 simulations instead of 43 on the district).
            let reported = whole && self.parts.len() > 1;
            for (s, site) in brackets.iter_mut().enumerate() {
                for (k, bracket) in site.iter_mut().enumerate() {
                    let Some(bracket) = bracket else { continue };
                    let count = COUNTS[k];
                    let value = self.count_value(s, count);
                    let verdict = self.verdict(&result, s, count, reported);
                    let passes_reported =
                        || reported || self.verdict(&result, s, count, true).is_ok();
                    bracket.judge(value, verdict, passes_reported);
                }
            }
            let (mut up, mut down) = (Vec::new(), Vec::new());
            let mut upgraded = vec![false; self.model.grid.transformers.len()];
            for (s, site) in brackets.iter_mut().enumerate() {
                for (k, bracket) in site.iter_mut().enumerate() {
                    let Some(bracket) = bracket.as_mut() else {
                        continue;
                    };
                    let count = COUNTS[k];
                    let value = self.count_value(s, count);
                    let resolution = |h: u32| self.resolution(count, h);
                    match bracket.next(value, resolution) {
                        Next::Stay => {}
                        Next::Set(v) => {
                            self.set_count(s, count, v);
                            if v > value { &mut up } else { &mut down }.push(s);
                        }
                        Next::Grow { from, kpi, ratio } => {
                            // A narrow failure again: the KPI hardly
                            // follows this count here; a pass closes the
                            // bracket at the step's width.
                            let step = if count == Count::Batteries && ratio <= NARROW {
                                bracket.narrow_step()
                            } else {
                                bracket.narrow_run = 0;
                                1
                            };
                            match self.grow_count(s, count, from, (kpi, ratio), step, &mut upgraded)
                            {
                                Ok(true) => up.push(s),
                                Ok(false) => {
                                    // A faster charger instead: the battery
                                    // bracket starts again.
                                    if let Some(fresh) = self.new_bracket(s, count) {
                                        *bracket = fresh;
                                    }
                                    up.push(s);
                                }
                                Err(why) => {
                                    bracket.stuck = true;
                                    self.note_problem(s, kpi, why);
                                }
                            }
                        }
                    }
                }
            }
            up.dedup();
            down.dedup();
            if up.is_empty() && down.is_empty() {
                if !whole {
                    // Settled part by part: judge the deployment whole.
                    result = self.evaluate("final check");
                    whole = true;
                    continue;
                }
                self.out_of_iterations = false;
                self.kept_from_brackets(&brackets);
                return result;
            }
            self.left = EXPECTED_SIZING_ROUNDS.saturating_sub(round + 1) + after;
            let note = self.sizing_note(&up, &down);
            // Every bracket closed: the deployment to keep, judged whole
            // (the plan's figures reuse its replications). Before that,
            // part by part.
            let closed = brackets.iter().all(|site| {
                site.iter().enumerate().all(|(k, b)| {
                    b.as_ref()
                        .is_none_or(|b| b.stuck || b.closed(|h| self.resolution(COUNTS[k], h)))
                })
            });
            whole = closed || self.parts.len() <= 1;
            result = if closed {
                self.evaluate(&note)
            } else {
                self.evaluate_parts(&note)
            };
        }
        self.out_of_iterations = true;
        self.kept_from_brackets(&brackets);
        result
    }

    fn sizing_note(&self, up: &[usize], down: &[usize]) -> String {
        let mut parts = Vec::new();
        if !up.is_empty() {
            parts.push(format!("growing {}", self.site_names(up)));
        }
        if !down.is_empty() {
            parts.push(format!("pruning {}", self.site_names(down)));
        }
        parts.join("; ")
    }

    /// Sets every site's batteries a tenth below queueing theory's start
    /// (at least one fewer, at least one), and returns the starts. The
    /// start is taken as meeting the targets without a simulation: on
    /// `bishan-district.toml` every site met them there, nearly all with
    /// no swap lost, so its evaluation told the search little but "a tenth
    /// less", and cost one whole-district round. A start that does not
    /// meet them shows when the search comes back to it, as a failure at
    /// a value the bracket took for a pass.
    pub(super) fn below_theory(&mut self) -> Vec<u32> {
        (0..self.model.sites.len())
            .map(|s| {
                let start = self.model.sites[s].batteries;
                if start > 1 {
                    let below = start - (start / 10).max(1);
                    self.set_count(s, Count::Batteries, below);
                }
                start
            })
            .collect()
    }

    /// A bracket for `count` at site `s`, or `None` when the site has
    /// nothing of it to size.
    fn new_bracket(&self, s: usize, count: Count) -> Option<Bracket> {
        let site = &self.model.sites[s];
        match count {
            Count::Batteries => Some(Bracket::new(1, site.batteries / 10, false)),
            Count::PilePorts => Some(Bracket::new(
                self.existing_ports[s],
                site.pile_ports / 10,
                false,
            )),
            Count::Transformer => {
                let t = site.transformer?;
                let first = self
                    .model
                    .sites
                    .iter()
                    .position(|x| x.transformer == Some(t));
                (first == Some(s)).then(|| Bracket::new(0, 1, true))
            }
        }
    }

    /// The value of `count` at site `s` (a transformer's: its rung on the
    /// ladder of sizes from the surveyed one up).
    fn count_value(&self, s: usize, count: Count) -> u32 {
        let site = &self.model.sites[s];
        match count {
            Count::Batteries => site.batteries,
            Count::PilePorts => site.pile_ports,
            Count::Transformer => site.transformer.map_or(0, |t| {
                let kva = self.model.grid.transformers[t].rating_kva;
                self.ladder(t)
                    .iter()
                    .position(|&k| (k - kva).abs() < 1e-9)
                    .unwrap_or(0) as u32
            }),
        }
    }

    /// The sizes transformer `t` may take: the surveyed rating, then every
    /// larger standard size.
    fn ladder(&self, t: usize) -> Vec<f64> {
        let surveyed = self.existing_kva[t];
        std::iter::once(surveyed)
            .chain(
                self.base
                    .planner
                    .transformer_sizes_kva
                    .iter()
                    .copied()
                    .filter(|&k| k > surveyed + 1e-9),
            )
            .collect()
    }

    fn set_count(&mut self, s: usize, count: Count, value: u32) {
        let max_cabinets = self.base.planner.max_cabinets_per_site.max(1);
        match count {
            Count::Batteries => {
                let site = &mut self.model.sites[s];
                let per_cabinet = site.slots_per_cabinet.saturating_sub(1).max(1);
                site.cabinets = value.div_ceil(per_cabinet).clamp(1, max_cabinets);
                site.batteries = value.min(site.max_batteries()).max(1);
            }
            Count::PilePorts => self.model.sites[s].pile_ports = value,
            Count::Transformer => {
                if let Some(t) = self.model.sites[s].transformer {
                    let ladder = self.ladder(t);
                    let kva = ladder[(value as usize).min(ladder.len() - 1)];
                    self.model.grid.transformers[t].rating_kva = kva;
                }
            }
        }
    }

    /// The smallest gap between a bracket's ends that closes it, at a
    /// passing end of `hi`.
    fn resolution(&self, count: Count, hi: u32) -> u32 {
        match count {
            Count::PilePorts if hi > SINGLE_PORT_PRUNING => hi / 10,
            Count::Batteries => (hi / 50).max(1),
            _ => 1,
        }
    }

    /// Whether `count` at site `s` meets the targets it answers for in
    /// `result`: `Ok(worst KPI ÷ limit)`, or the worst failure and why.
    /// A transformer answers for every site it feeds. The KPI is the
    /// planner's check (mean + 2.5 half-widths), or with `reported` the
    /// upper 95% bound.
    fn verdict(
        &self,
        result: &RunResult,
        s: usize,
        count: Count,
        reported: bool,
    ) -> Result<f64, (f64, &'static str, KeptWhy)> {
        let sites: Vec<usize> = match (count, self.model.sites[s].transformer) {
            (Count::Transformer, Some(t)) => (0..self.model.sites.len())
                .filter(|&x| self.model.sites[x].transformer == Some(t))
                .collect(),
            _ => vec![s],
        };
        let mut worst: Option<(f64, &'static str, KeptWhy)> = None;
        let mut ratio_met: f64 = 0.0;
        for x in sites {
            let kpis = &result.sites[x].kpis;
            for (kpi, limit) in self.base.targets.set() {
                if !count.answers(kpi) {
                    continue;
                }
                let Some(e) = kpis.get(kpi) else { continue };
                let check = if reported { e.ci95_high } else { strict(e) };
                let ratio = check / limit.max(1e-12);
                if check > limit {
                    if worst.as_ref().is_none_or(|(r, ..)| ratio > *r) {
                        let why = KeptWhy::RaisesKpi {
                            kpi: kpi.into(),
                            mean: e.mean,
                            check: strict(e),
                            limit,
                        };
                        worst = Some((ratio, kpi, why));
                    }
                } else {
                    ratio_met = ratio_met.max(ratio);
                }
            }
        }
        match worst {
            Some(w) => Err(w),
            None => Ok(ratio_met),
        }
    }

    /// Grows `count` at site `s` from `value`, which failed `kpi` at
    /// `ratio` × its limit (`failed`); by `step` batteries after a narrow
    /// failure. `Ok(true)`: grown; `Ok(false)`: a faster charger instead
    /// of batteries; `Err`: at a bound.
    fn grow_count(
        &mut self,
        s: usize,
        count: Count,
        value: u32,
        failed: (&'static str, f64),
        step: u32,
        upgraded: &mut [bool],
    ) -> Result<bool, ProblemWhy> {
        let (kpi, ratio) = failed;
        match count {
            Count::Batteries => {
                let power = self.model.sites[s].charger_power_w;
                if ratio > NARROW {
                    self.grow_for(s, kpi, ratio, upgraded)?;
                    return Ok(self.model.sites[s].charger_power_w == power);
                }
                let planner = &self.base.planner;
                let site = &self.model.sites[s];
                let cap =
                    planner.max_cabinets_per_site.max(1) * site.slots_per_cabinet.saturating_sub(1);
                if value >= cap {
                    return Err(ProblemWhy::Cabinets {
                        max: planner.max_cabinets_per_site,
                        slots_per_cabinet: site.slots_per_cabinet,
                    });
                }
                // Narrowly failed: `step` batteries more, so that a pass
                // closes the bracket.
                self.set_count(s, count, value.saturating_add(step).min(cap));
                Ok(true)
            }
            Count::PilePorts => self.grow_for(s, kpi, ratio, upgraded).map(|()| true),
            Count::Transformer => {
                let Some(t) = self.model.sites[s].transformer else {
                    return Err(ProblemWhy::NoTransformer);
                };
                let ladder = self.ladder(t);
                if value as usize + 1 >= ladder.len() {
                    return Err(ProblemWhy::LargestTransformer {
                        kva: ladder[ladder.len() - 1],
                    });
                }
                self.set_count(s, count, value + 1);
                Ok(true)
            }
        }
    }

    /// Why each count stays at its size, from its closed bracket: the
    /// failure one unit below, or the bound it sits at.
    fn kept_from_brackets(&mut self, brackets: &[SiteBrackets]) {
        for (s, site) in brackets.iter().enumerate() {
            let mut kept = Vec::new();
            let spec = &self.model.sites[s];
            // The failure below the size the count met its targets at; none
            // for a count stuck at its bound (a `Problem` says why).
            let failure = |k: usize| -> Option<KeptWhy> {
                let b = site[k].as_ref()?;
                let (h, _) = b.hi?;
                let (l, .., why) = b.lo.as_ref()?;
                (*l < h).then(|| why.clone())
            };
            // Batteries, and the cabinets that hold them.
            {
                if spec.cabinets <= 1 {
                    kept.push(Kept {
                        unit: Unit::Cabinet,
                        why: KeptWhy::LastOne,
                    });
                } else {
                    kept.push(Kept {
                        unit: Unit::Cabinet,
                        why: KeptWhy::HoldsBatteries {
                            batteries: spec.batteries,
                            capacity: (spec.cabinets - 1)
                                * spec.slots_per_cabinet.saturating_sub(1),
                        },
                    });
                }
                let why = if spec.batteries <= 1 {
                    Some(KeptWhy::LastOne)
                } else {
                    failure(0)
                };
                // The failure below is the bracket's width down.
                let unit = site[0]
                    .as_ref()
                    .map_or(Unit::Battery, Bracket::battery_unit);
                if let Some(why) = why {
                    kept.push(Kept { unit, why });
                }
            }
            // Pile ports.
            {
                let existing = self.existing_ports[s];
                if spec.pile_ports <= existing {
                    kept.push(Kept {
                        unit: Unit::PilePort,
                        why: KeptWhy::ExistingPorts { existing },
                    });
                } else if let Some(why) = failure(1) {
                    if spec.pile_ports > SINGLE_PORT_PRUNING {
                        kept.push(Kept {
                            unit: Unit::PilePortsTenth,
                            why,
                        });
                        kept.push(Kept {
                            unit: Unit::PilePort,
                            why: KeptWhy::TenthStepsOnly {
                                ports: SINGLE_PORT_PRUNING,
                            },
                        });
                    } else {
                        kept.push(Kept {
                            unit: Unit::PilePort,
                            why,
                        });
                    }
                }
            }
            // The transformer's size.
            match (spec.transformer, site[2].as_ref()) {
                (None, _) => kept.push(Kept {
                    unit: Unit::TransformerSize,
                    why: KeptWhy::NoTransformer,
                }),
                (Some(_), None) => kept.push(Kept {
                    unit: Unit::TransformerSize,
                    why: KeptWhy::SharedTransformer,
                }),
                (Some(t), Some(_)) => {
                    let why = if self.model.grid.transformers[t].rating_kva
                        <= self.existing_kva[t] + 1e-9
                    {
                        Some(KeptWhy::SurveyedSize {
                            kva: self.existing_kva[t],
                        })
                    } else {
                        failure(2)
                    };
                    if let Some(why) = why {
                        kept.push(Kept {
                            unit: Unit::TransformerSize,
                            why,
                        });
                    }
                }
            }
            self.kept[s].extend(kept);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why() -> KeptWhy {
        KeptWhy::RaisesKpi {
            kpi: "lost_swap_rate".into(),
            mean: 0.018,
            check: 0.021,
            limit: 0.02,
        }
    }

    fn fail(ratio: f64) -> Result<f64, (f64, &'static str, KeptWhy)> {
        Err((ratio, "lost_swap_rate", why()))
    }

    const ONE: fn(u32) -> u32 = |_| 1;

    /// A count that met the planner's margin keeps it through a failure
    /// the reported test passes, and reopens on one it fails.
    #[test]
    fn a_pass_holds_unless_the_reported_test_fails_too() {
        let mut b = Bracket::new(1, 3, false);
        b.judge(30, fail(1.5), || unreachable!("no pass to hold yet"));
        b.judge(31, Ok(0.9), || unreachable!("a pass"));
        assert!(b.closed(ONE));
        // A neighbour moved: the margin fails, the reported bound holds.
        b.judge(31, fail(1.05), || true);
        assert_eq!(b.hi, Some((31, 0.9)));
        assert!(b.closed(ONE));
        assert!(matches!(b.next(31, ONE), Next::Stay));
        // Both fail: search upwards again.
        b.judge(31, fail(1.05), || false);
        assert_eq!(b.hi, None);
        assert!(matches!(b.next(31, ONE), Next::Grow { from: 31, .. }));
    }

    /// Theory's start is a pass only until a simulation of it fails: no
    /// failure there is held, whatever the reported test says.
    #[test]
    fn an_assumed_start_holds_nothing() {
        let mut b = Bracket::new(1, 3, false);
        b.assume_met(40, 36);
        assert_eq!(b.hi, Some((40, FLOOR_RATIO)));
        // Below the start the bracket steps down twice the first tenth.
        b.judge(36, Ok(0.3), || unreachable!());
        assert!(matches!(b.next(36, ONE), Next::Set(28)));
        // Far from the limit a tenth below: theory's start is doubted too,
        // and the bracket grows from the failure.
        let mut b = Bracket::new(1, 3, false);
        b.assume_met(40, 36);
        b.judge(36, fail(2.0), || unreachable!("nothing met at 36"));
        assert_eq!(b.hi, None);
        assert!(matches!(b.next(36, ONE), Next::Grow { from: 36, .. }));
        let mut b = Bracket::new(1, 3, false);
        b.assume_met(40, 36);
        b.judge(36, fail(1.2), || unreachable!("nothing met at 36"));
        // Narrowly: interior, the next trial lies between, and reaching 40 ...
        assert!(matches!(b.next(36, ONE), Next::Set(v) if v > 36 && v < 40));
        // ... a failure there reopens it, though the reported test passes.
        b.judge(40, fail(1.05), || true);
        assert_eq!(b.hi, None);
        assert_eq!(b.lo.as_ref().map(|l| l.0), Some(40));
        // A start no higher than the first evaluation is no assumption.
        let mut b = Bracket::new(1, 3, false);
        b.assume_met(1, 1);
        assert_eq!(b.hi, None);
    }

    /// Narrow failures in a row double the growth up to 8; the pass after
    /// them closes the bracket at that width, and the failure below it is
    /// that many batteries down.
    #[test]
    fn narrow_failures_in_a_row_grow_faster_and_close_at_their_step() {
        let mut b = Bracket::new(1, 3, false);
        let mut value = 39;
        let mut steps = Vec::new();
        for _ in 0..5 {
            b.judge(value, fail(1.1), || false);
            let step = b.narrow_step();
            steps.push(step);
            value += step;
        }
        assert_eq!(steps, [1, 2, 4, 8, 8]);
        assert_eq!(b.battery_unit(), Unit::Battery, "no pass yet");
        b.judge(value, Ok(0.8), || unreachable!());
        assert!(b.closed(ONE), "closed at the last step's width");
        assert!(matches!(b.next(value, ONE), Next::Stay));
        assert_eq!(b.battery_unit(), Unit::Batteries(8));
        // A pass resets the run.
        b.judge(value, fail(1.6), || false);
        assert_eq!(b.narrow_step(), 1);
        // Closed one apart, the failure is one battery down.
        let mut b = Bracket::new(1, 3, false);
        b.judge(20, fail(1.5), || false);
        b.judge(21, Ok(0.9), || unreachable!());
        assert_eq!(b.battery_unit(), Unit::Battery);
    }
}
