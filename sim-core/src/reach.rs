//! Which cabinet sites a rider at each site may use: neighbour lists
//! within the detour limit, built through a grid of cells one detour
//! wide, so the cost is proportional to the neighbours, not to the
//! square of the sites.

use std::collections::HashMap;

use crate::model::{ChoicePolicy, Model, SiteSpec};

/// Cabinet sites within reach of each site, nearest first (ties by site
/// index): `sites[start[s]..start[s + 1]]`. Distances are not stored
/// (4 bytes an entry instead of 16); [`distance_m`] gives them again,
/// bit for bit the ones the order was sorted by.
#[derive(Debug, Default)]
pub(crate) struct Reach {
    start: Vec<usize>,
    sites: Vec<u32>,
}

impl Reach {
    /// The lists of every site of `model`, by its choice policy.
    pub(crate) fn new(model: &Model) -> Reach {
        let n = model.sites.len();
        let mut reach = Reach {
            start: Vec::with_capacity(n + 1),
            sites: Vec::new(),
        };
        let choice = model.riders.choice;
        let grid = Grid::new(model);
        let mut near: Vec<(u32, f64)> = Vec::new();
        for (s, a) in model.sites.iter().enumerate() {
            reach.start.push(reach.sites.len());
            match choice.policy {
                ChoicePolicy::Home => {
                    if a.slots() > 0 {
                        reach.sites.push(s as u32);
                    }
                }
                ChoicePolicy::Nearest | ChoicePolicy::AppInformed => {
                    near.clear();
                    grid.around(a, |t| {
                        let d = distance_m(model, s as u32, t);
                        if t as usize == s || d <= choice.max_detour_m {
                            near.push((t, d));
                        }
                    });
                    near.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
                    // Quadratic in co-located sites: 10,000 at one place
                    // are 10⁸ entries, which the machine may refuse.
                    crate::alloc::grow(&mut reach.sites, near.len(), "the sites within reach");
                    reach.sites.extend(near.iter().map(|&(t, _)| t));
                }
            }
        }
        reach.start.push(reach.sites.len());
        reach
    }

    /// The cabinet sites within reach of `site`, nearest first.
    #[inline]
    pub(crate) fn of(&self, site: u32) -> &[u32] {
        let s = site as usize;
        &self.sites[self.start[s]..self.start[s + 1]]
    }
}

/// Distance from site `s` to site `t` \[m\]; 0 from a site to itself.
#[inline]
pub(crate) fn distance_m(model: &Model, s: u32, t: u32) -> f64 {
    if s == t {
        return 0.0;
    }
    let (a, b) = (&model.sites[s as usize], &model.sites[t as usize]);
    ((a.x_m - b.x_m).powi(2) + (a.y_m - b.y_m).powi(2)).sqrt()
}

/// An upper bound on the entries of [`Reach::new`] for `model`: for each
/// site, the cabinet sites in its cell and the eight around it. Linear in
/// the sites, for the resource estimate.
pub(crate) fn entries_bound(model: &Model) -> u64 {
    match model.riders.choice.policy {
        ChoicePolicy::Home => model.sites.iter().filter(|s| s.slots() > 0).count() as u64,
        ChoicePolicy::Nearest | ChoicePolicy::AppInformed => {
            let grid = Grid::new(model);
            model
                .sites
                .iter()
                .map(|a| grid.count_around(a) as u64)
                .sum()
        }
    }
}

/// Cabinet sites by square cell, each cell's list in site order. A cell is
/// a little wider than the detour limit, so every site within the limit of
/// a point lies in the point's cell or one of the eight around it, even
/// after rounding.
struct Grid {
    cell_m: f64,
    cells: HashMap<(i64, i64), Vec<u32>>,
}

impl Grid {
    fn new(model: &Model) -> Grid {
        let cell_m = model.riders.choice.max_detour_m.max(1.0) * (1.0 + 1e-6);
        let mut cells: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
        for (t, b) in model.sites.iter().enumerate() {
            if b.slots() > 0 {
                cells.entry(cell_of(b, cell_m)).or_default().push(t as u32);
            }
        }
        Grid { cell_m, cells }
    }

    /// Calls `f` with every cabinet site in the cells around `a`.
    fn around(&self, a: &SiteSpec, mut f: impl FnMut(u32)) {
        let (cx, cy) = cell_of(a, self.cell_m);
        for dx in -1..=1 {
            for dy in -1..=1 {
                let key = (cx.saturating_add(dx), cy.saturating_add(dy));
                for &t in self.cells.get(&key).map_or(&[][..], Vec::as_slice) {
                    f(t);
                }
            }
        }
    }

    fn count_around(&self, a: &SiteSpec) -> usize {
        let (cx, cy) = cell_of(a, self.cell_m);
        let mut n = 0;
        for dx in -1..=1 {
            for dy in -1..=1 {
                let key = (cx.saturating_add(dx), cy.saturating_add(dy));
                n += self.cells.get(&key).map_or(0, Vec::len);
            }
        }
        n
    }
}

fn cell_of(site: &SiteSpec, cell_m: f64) -> (i64, i64) {
    // `as` saturates: far-off coordinates share the edge cells, which
    // only adds candidates that the distance test then drops.
    (
        (site.x_m / cell_m).floor() as i64,
        (site.y_m / cell_m).floor() as i64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 13: reachability was a dense site × site table. 20,000 sites
    /// on a grid 1 km apart, a detour of 1.5 km: each reaches itself and
    /// at most its 8 neighbours, so the lists hold at most 9 entries a
    /// site, and their memory is in that proportion (a dense table would
    /// be 4·10⁸ entries, 1.6 GB).
    #[test]
    fn entries_are_in_proportion_to_the_neighbours() {
        const N: usize = 20_000;
        const K: usize = 9;
        let side = 141;
        let mut model = Model::default();
        model.riders.choice.max_detour_m = 1500.0;
        model.sites = (0..N)
            .map(|i| SiteSpec {
                name: format!("s{i}"),
                x_m: (i % side) as f64 * 1000.0,
                y_m: (i / side) as f64 * 1000.0,
                cabinets: 1,
                slots_per_cabinet: 8,
                ..SiteSpec::default()
            })
            .collect();
        for policy in [ChoicePolicy::Nearest, ChoicePolicy::AppInformed] {
            model.riders.choice.policy = policy;
            let reach = Reach::new(&model);
            let entries = reach.sites.len();
            assert!(entries <= N * K, "{entries} entries");
            // Most sites are inside the grid, with all 8 neighbours.
            assert!(entries > N * (K - 1), "{entries} entries");
            assert_eq!(reach.of(side as u32 + 1).len(), K);
            assert_eq!(reach.start.len(), N + 1);
            let bytes = reach.sites.capacity() * size_of::<u32>()
                + reach.start.capacity() * size_of::<usize>();
            assert!(bytes <= 2 * N * K * size_of::<u32>() + (N + 1) * size_of::<usize>());
            // The estimate's bound counts the 3 × 3 cells around a site:
            // more than it reaches, still in proportion.
            let bound = entries_bound(&model);
            assert!(
                (entries as u64..=(3 * N * K) as u64).contains(&bound),
                "{bound}"
            );
        }
    }

    /// The neighbour lists equal the dense scan they replace.
    #[test]
    fn grid_lists_equal_the_dense_scan() {
        let mut model = Model::default();
        let base = SiteSpec {
            cabinets: 1,
            slots_per_cabinet: 12,
            ..SiteSpec::default()
        };
        // A scatter with co-located sites, sites on cell edges and sites
        // without cabinets, seeded by a fixed formula.
        for i in 0..300u32 {
            let mut s = base.clone();
            s.name = format!("s{i}");
            s.x_m = f64::from((i * 7919) % 4000) - 2000.0;
            s.y_m = f64::from((i * 104_729) % 3000) * if i % 5 == 0 { 0.0 } else { 1.0 };
            if i % 11 == 0 {
                s.cabinets = 0;
            }
            model.sites.push(s);
        }
        for policy in [
            ChoicePolicy::Home,
            ChoicePolicy::Nearest,
            ChoicePolicy::AppInformed,
        ] {
            for detour in [0.0, 1.0, 500.0, 1500.0, 1e9] {
                model.riders.choice.policy = policy;
                model.riders.choice.max_detour_m = detour;
                let reach = Reach::new(&model);
                let mut bound = 0;
                for (s, a) in model.sites.iter().enumerate() {
                    let mut dense: Vec<(u32, f64)> = Vec::new();
                    for (t, b) in model.sites.iter().enumerate() {
                        if b.slots() == 0 {
                            continue;
                        }
                        let d = ((a.x_m - b.x_m).powi(2) + (a.y_m - b.y_m).powi(2)).sqrt();
                        let allowed = match policy {
                            ChoicePolicy::Home => s == t,
                            _ => s == t || d <= detour,
                        };
                        if allowed {
                            dense.push((t as u32, if s == t { 0.0 } else { d }));
                        }
                    }
                    dense.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
                    let ids: Vec<u32> = dense.iter().map(|&(t, _)| t).collect();
                    assert_eq!(reach.of(s as u32), &ids[..], "site {s}, detour {detour}");
                    for &(t, d) in &dense {
                        assert_eq!(distance_m(&model, s as u32, t).to_bits(), d.to_bits());
                    }
                    bound += ids.len() as u64;
                }
                assert!(entries_bound(&model) >= bound);
            }
        }
    }
}
