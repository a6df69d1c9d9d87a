//! Evaluating a district part by part.
//!
//! Residents ride only to cabinets within the detour limit, and a
//! transformer feeds only its own sites, so the sites fall into parts that
//! no resident links: the connected components of "within reach of" and
//! "on the same transformer". Only district couriers cross between parts.
//! A part is simulated alone as a sub-model ([`simulate_within`]): the
//! other sites are emptied, and a district courier who needs a swap there
//! gets a full battery at once.
//!
//! Between sizing rounds most parts do not change. A part whose sites and
//! transformers are as at its last evaluation keeps its replications, and
//! each part gets more replications only where one of its own sites is
//! close to a limit, instead of the whole district running as many as
//! its closest site needs. Each replication is one sub-model of every part
//! that still needs it: the district's travelling couriers cost as much
//! in a 6-site part as in the whole district, so parts run one by one
//! would cost 1.9 times the whole model when all of them changed. The search's last evaluation, which the plan's
//! figures reuse, is of the whole model ([`Search::evaluate`]).

use std::sync::Arc;

use rayon::prelude::*;

use super::Search;
use crate::engine::{Replication, simulate_within};
use crate::model::{Demand, Model, SiteSpec, TransformerSpec};
use crate::reach::Reach;
use crate::results::{RunResult, SiteResult, site_kpis};

/// The parts of a district and what each was last evaluated at.
#[derive(Default)]
pub(super) struct Parts {
    /// Each part's sites, in site order; parts in order of their first site.
    sites: Vec<Vec<usize>>,
    /// Each part's transformers.
    transformers: Vec<Vec<usize>>,
    /// Per part, the sites outside it.
    outside: Vec<Vec<bool>>,
    /// Per part, the deployment of its last evaluation and its
    /// replications.
    memo: Vec<Option<(Deployment, Vec<Arc<Replication>>)>>,
}

/// A part's sites and transformers, as evaluated.
type Deployment = (Vec<SiteSpec>, Vec<TransformerSpec>);

impl Parts {
    /// The parts of `model`.
    pub(super) fn new(model: &Model) -> Parts {
        let n = model.sites.len();
        let mut root: Vec<usize> = (0..n).collect();
        fn find(root: &mut [usize], mut x: usize) -> usize {
            while root[x] != x {
                root[x] = root[root[x]];
                x = root[x];
            }
            x
        }
        let join = |root: &mut Vec<usize>, a: usize, b: usize| {
            let (ra, rb) = (find(root, a), find(root, b));
            root[ra.max(rb)] = ra.min(rb);
        };
        let reach = Reach::new(model);
        let mut fed_by: Vec<Option<usize>> = vec![None; model.grid.transformers.len()];
        for (s, site) in model.sites.iter().enumerate() {
            for &t in reach.of(s as u32) {
                join(&mut root, s, t as usize);
            }
            if let Some(t) = site.transformer {
                match fed_by[t] {
                    Some(first) => join(&mut root, first, s),
                    None => fed_by[t] = Some(s),
                }
            }
        }
        let mut parts = Parts::default();
        let mut part_of_root = vec![usize::MAX; n];
        for s in 0..n {
            let r = find(&mut root, s);
            if part_of_root[r] == usize::MAX {
                part_of_root[r] = parts.sites.len();
                parts.sites.push(Vec::new());
            }
            parts.sites[part_of_root[r]].push(s);
        }
        for sites in &parts.sites {
            let mut transformers: Vec<usize> = sites
                .iter()
                .filter_map(|&s| model.sites[s].transformer)
                .collect();
            transformers.sort_unstable();
            transformers.dedup();
            parts.transformers.push(transformers);
            let mut outside = vec![true; n];
            for &s in sites {
                outside[s] = false;
            }
            parts.outside.push(outside);
        }
        parts.memo = vec![None; parts.sites.len()];
        parts
    }

    /// Parts in all.
    pub(super) fn len(&self) -> usize {
        self.sites.len()
    }

    fn deployment(&self, p: usize, model: &Model) -> Deployment {
        (
            self.sites[p]
                .iter()
                .map(|&s| model.sites[s].clone())
                .collect(),
            self.transformers[p]
                .iter()
                .map(|&t| model.grid.transformers[t].clone())
                .collect(),
        )
    }
}

/// `model` with every site outside part `outside` emptied of cabinets,
/// batteries and pile ports (the engine keeps only its riders who work
/// across the district, and its work weight, for them).
fn sub_model(model: &Model, outside: &[bool]) -> Model {
    let mut sub = model.clone();
    for (site, _) in sub.sites.iter_mut().zip(outside).filter(|(_, o)| **o) {
        site.cabinets = 0;
        site.batteries = 0;
        site.pile_ports = 0;
        if let Demand::Poisson { swaps_per_hour } = &mut site.demand {
            *swaps_per_hour = 0.0;
        }
    }
    sub
}

/// The parts of `model`'s district, each a list of site indices in site
/// order, parts in order of their first site: the connected components
/// of "within the detour limit" and "on the same transformer".
pub fn parts(model: &Model) -> Vec<Vec<usize>> {
    Parts::new(model).sites
}

/// Replication `replication` of the sub-model of `part` (site indices) that
/// the planner evaluates while sizing: the sites outside lose their
/// cabinets, ports, residents and plug-ins, and district-wide riders get a
/// full battery at once when their need falls outside. The counters of
/// the sites in `part` are exactly the whole model's when no rider works
/// across the district.
pub fn simulate_part(model: &Model, part: &[usize], replication: u32) -> Replication {
    let mut outside = vec![true; model.sites.len()];
    for &s in part {
        outside[s] = false;
    }
    simulate_within(&sub_model(model, &outside), replication, &outside, None)
}

impl Search<'_> {
    /// Evaluates the current model part by part (see the module's
    /// documentation); the whole model when it is one part. Each part
    /// starts at `min_replications` (or what it kept) and doubles, up to
    /// `max_replications`, while one of its sites is close to a limit. A
    /// sub-model's replication counts as one in the progress and the
    /// plan's count.
    pub(super) fn evaluate_parts(&mut self, note: &str) -> RunResult {
        if self.parts.len() <= 1 {
            return self.evaluate(note);
        }
        let planner = &self.base.planner;
        let (min, max) = (
            planner.min_replications.max(2),
            planner.max_replications.max(2),
        );
        let n_parts = self.parts.len();
        let deployments: Vec<Deployment> = (0..n_parts)
            .map(|p| self.parts.deployment(p, &self.model))
            .collect();
        let mut reps: Vec<Vec<Arc<Replication>>> = Vec::with_capacity(n_parts);
        for (p, deployment) in deployments.iter().enumerate() {
            reps.push(match self.parts.memo[p].take() {
                Some((kept, done)) if kept == *deployment => done,
                _ => Vec::new(),
            });
        }
        let mut want = vec![min.min(max); n_parts];
        let mut sites: Vec<SiteResult> = self
            .model
            .sites
            .iter()
            .map(|spec| SiteResult {
                name: spec.name.clone(),
                kpis: Default::default(),
            })
            .collect();
        let mut open: Vec<usize> = (0..n_parts).collect();
        while !open.is_empty() {
            // One sub-model per replication, of every open part that still
            // needs it: the riders who work across the district are then
            // simulated once a replication, not once a part, and a round
            // where every part changed is one run of the whole model.
            let top = open.iter().map(|&p| want[p]).max().unwrap_or(0);
            let jobs: Vec<(u32, Vec<usize>)> = (0..top)
                .map(|r| {
                    let members = open
                        .iter()
                        .copied()
                        .filter(|&p| reps[p].len() as u32 <= r && r < want[p])
                        .collect::<Vec<_>>();
                    (r, members)
                })
                .filter(|(_, members)| !members.is_empty())
                .collect();
            if !jobs.is_empty() {
                self.simulations += 1;
                self.announce(jobs.len() as u32, top, note);
                let mut subs: Vec<(Vec<usize>, Vec<bool>, Model)> = Vec::new();
                for (_, members) in &jobs {
                    if !subs.iter().any(|(m, ..)| m == members) {
                        let mut outside = vec![true; self.model.sites.len()];
                        for &p in members {
                            for &s in &self.parts.sites[p] {
                                outside[s] = false;
                            }
                        }
                        let sub = sub_model(&self.model, &outside);
                        subs.push((members.clone(), outside, sub));
                    }
                }
                let progress = self.progress;
                let one = |(r, members): &(u32, Vec<usize>)| {
                    let (_, outside, sub) = subs
                        .iter()
                        .find(|(m, ..)| m == members)
                        .expect("a sub-model per group of parts");
                    let mut rep = simulate_within(sub, *r, outside, Some(progress));
                    // The series are the whole model's (8 MB a district
                    // replication); the planner reads only the counters.
                    rep.series = Default::default();
                    Arc::new(rep)
                };
                let work = || jobs.par_iter().map(one).collect::<Vec<_>>();
                let done = match rayon::ThreadPoolBuilder::new()
                    .num_threads(self.threads)
                    .build()
                {
                    Ok(pool) => pool.install(work),
                    Err(_) => jobs.iter().map(one).collect(),
                };
                for ((_, members), rep) in jobs.iter().zip(done) {
                    for &p in members {
                        reps[p].push(Arc::clone(&rep));
                    }
                }
            }
            let mut next = Vec::new();
            for &p in &open {
                let done = &reps[p][..want[p] as usize];
                for &s in &self.parts.sites[p] {
                    sites[s].kpis = site_kpis(&self.model, done, s);
                }
                let close = self.parts.sites[p]
                    .iter()
                    .any(|&s| self.site_close(&sites, s));
                if close && want[p] < max {
                    want[p] = (want[p] * 2).min(max);
                    next.push(p);
                }
            }
            open = next;
        }
        // Each site's figures from its part's sub-model; nothing of the
        // network.
        let result = RunResult {
            scenario: self.model.name.clone(),
            seed: self.model.seed,
            replications: want.iter().copied().max().unwrap_or(0),
            days: self.model.days,
            warmup_days: self.model.warmup_days,
            network: Default::default(),
            sites,
            events: 0,
            timeseries: Default::default(),
            profiles: Default::default(),
        };
        let replications: u64 = want.iter().map(|&w| u64::from(w)).sum();
        self.evaluations += 1;
        self.evaluated_replications += replications;
        self.record(&result);
        for (p, (deployment, done)) in deployments.into_iter().zip(reps).enumerate() {
            self.parts.memo[p] = Some((deployment, done));
        }
        result
    }
}
