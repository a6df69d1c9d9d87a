//! Queueing formulas the simulator is checked against, computed from first
//! principles (never pasted from tables).
//!
//! The swap cabinet as a queue: each of the `B` batteries is a "server" that
//! is busy while it charges. A request takes a ready battery and hands in an
//! empty one, which starts a charge of mean `T` hours. So with Poisson
//! demand λ the number of batteries charging is the number of busy servers
//! of an M/G/B system with offered load a = λ·T.

/// Erlang B blocking probability for `servers` and offered load `a` \[Erl\],
/// by the stable recursion E₀ = 1, E_k = a·E_{k−1} / (k + a·E_{k−1}).
pub fn erlang_b(servers: u32, a: f64) -> f64 {
    let mut e = 1.0;
    for k in 1..=servers {
        e = a * e / (f64::from(k) + a * e);
    }
    e
}

/// Erlang C probability of waiting (requires a < servers).
pub fn erlang_c(servers: u32, a: f64) -> f64 {
    let b = erlang_b(servers, a);
    let c = f64::from(servers);
    c * b / (c - a * (1.0 - b))
}

/// Mean wait in M/M/c over all arrivals \[h\]: C / (c/T − λ).
pub fn erlang_c_mean_wait_hours(servers: u32, lambda_per_h: f64, mean_hours: f64) -> f64 {
    erlang_c(servers, lambda_per_h * mean_hours) / (f64::from(servers) / mean_hours - lambda_per_h)
}

/// Mean wait in M/D/1 \[s\] (Pollaczek–Khinchine with a fixed service
/// time): ρ·s / (2(1 − ρ)), ρ = λ·s; `lambda_per_s` arrivals per second,
/// `service_s` seconds each (requires ρ < 1).
pub fn md1_mean_wait_seconds(lambda_per_s: f64, service_s: f64) -> f64 {
    let rho = lambda_per_s * service_s;
    rho * service_s / (2.0 * (1.0 - rho))
}

/// Stationary figures of the cabinet's birth–death chain.
#[derive(Clone, Copy, Debug)]
pub struct ChainFigures {
    /// P(an arrival finds no ready battery) (PASTA).
    pub stockout: f64,
    /// P(an arrival abandons), zero without patience.
    pub abandon: f64,
    /// Mean number of riders waiting.
    pub riders_waiting: f64,
}

/// The cabinet as a birth–death chain on k = batteries charging (0..=B),
/// then B + riders waiting. Births at λ; deaths at min(k, cap)/T while
/// k ≤ B, and min(B, cap)/T + (k − B)·θ above, with θ = 1/mean patience.
///
/// - `patience_mean_h = Some(0.0)`: loss system (chain stops at B).
/// - `None`: infinite patience (Erlang C when uncapped).
/// - `Some(m)`: exponential patience, Erlang A.
pub fn cabinet_chain(
    batteries: u32,
    cap: Option<u32>,
    lambda_per_h: f64,
    mean_charge_h: f64,
    patience_mean_h: Option<f64>,
) -> ChainFigures {
    let b = batteries as usize;
    let cap = cap.unwrap_or(batteries).min(batteries) as f64;
    let service = |k: usize| (k as f64).min(cap) / mean_charge_h;
    let max_k = match patience_mean_h {
        Some(0.0) => b,
        _ => b + 20_000,
    };
    let theta = match patience_mean_h {
        Some(m) if m > 0.0 => 1.0 / m,
        _ => 0.0,
    };
    // Unnormalised π in log space would be overkill for these sizes; scale
    // as we go to avoid overflow.
    let mut pi = Vec::with_capacity(max_k + 1);
    pi.push(1.0f64);
    for k in 1..=max_k {
        let death = if k <= b {
            service(k)
        } else {
            service(b) + (k - b) as f64 * theta
        };
        let next = pi[k - 1] * lambda_per_h / death;
        pi.push(next);
        if next < 1e-300 {
            break;
        }
    }
    let total: f64 = pi.iter().sum();
    let p = |k: usize| pi.get(k).copied().unwrap_or(0.0) / total;
    let stockout: f64 = (b..pi.len()).map(p).sum();
    let abandon: f64 = ((b + 1)..pi.len())
        .map(|k| p(k) * (k - b) as f64 * theta)
        .sum::<f64>()
        / lambda_per_h;
    let riders_waiting = ((b + 1)..pi.len()).map(|k| p(k) * (k - b) as f64).sum();
    ChainFigures {
        stockout,
        abandon,
        riders_waiting,
    }
}

/// Stationary figures of the door chain ([`door_chain`]).
#[derive(Clone, Copy, Debug)]
pub struct DoorFigures {
    /// P(an arrival finds `max_present` riders and balks) (PASTA).
    pub balk: f64,
    /// Mean riders present, waiting or at a door.
    pub present: f64,
    /// Mean doors holding a swap.
    pub busy_doors: f64,
}

/// The cabinet with doors as an exact continuous-time Markov chain on
/// (n riders present, e batteries empty: charging or waiting to charge).
/// Poisson arrivals at `lambda_per_h` balk when n = `max_present`; the
/// A = B − e batteries not empty are ready or held for a swap; the line is
/// served in order whenever a door and a battery are free, so
/// k = min(n, doors, A) swaps run, each ending at rate 1 / swap mean, when
/// the rider leaves and the returned battery starts charging; min(e, cap)
/// batteries charge, each done at rate 1 / charge mean. Riders wait
/// without limit. Solved exactly (dense Gaussian elimination on the
/// balance equations with one replaced by the normalisation).
pub fn door_chain(
    batteries: u32,
    doors: u32,
    cap: Option<u32>,
    max_present: u32,
    lambda_per_h: f64,
    mean_swap_h: f64,
    mean_charge_h: f64,
) -> DoorFigures {
    let (b, n_max) = (batteries as usize, max_present as usize);
    let cap = cap.unwrap_or(batteries).min(batteries) as usize;
    let id = |n: usize, e: usize| n * (b + 1) + e;
    let swaps = |n: usize, e: usize| n.min(doors as usize).min(b - e);
    let pi = stationary((n_max + 1) * (b + 1), |from, out| {
        let (n, e) = (from / (b + 1), from % (b + 1));
        if n < n_max {
            out(id(n + 1, e), lambda_per_h);
        }
        let k = swaps(n, e);
        if k > 0 {
            out(id(n - 1, e + 1), k as f64 / mean_swap_h);
        }
        if e > 0 {
            out(id(n, e - 1), e.min(cap) as f64 / mean_charge_h);
        }
    });
    let mut figures = DoorFigures {
        balk: 0.0,
        present: 0.0,
        busy_doors: 0.0,
    };
    for (state, &p) in pi.iter().enumerate() {
        let (n, e) = (state / (b + 1), state % (b + 1));
        figures.present += p * n as f64;
        figures.busy_doors += p * swaps(n, e) as f64;
        if n == n_max {
            figures.balk += p;
        }
    }
    figures
}

/// [`door_chain`] for the model before issue 10, as a counter-example:
/// an arrival who finds a ready battery takes it at once and hands in
/// the empty one, which starts charging then, and only then waits for a
/// door (the line at the doors holds batteries already dispensed). One
/// who finds none waits for the next battery to charge, then queues for
/// a door with it. The same cap on riders present (in line for a
/// battery, for a door, or at one), doors, chargers and rates.
///
/// State (d riders with a battery: at a door or in line for one, w riders
/// in line for a battery, e batteries empty), with w > 0 only when all B
/// are empty. The engine's chain holds the door and the battery together,
/// so a swap both needs and blocks a battery; here a battery is freed for
/// charging a swap time earlier and a door never waits for one.
pub fn door_chain_taken_on_arrival(
    batteries: u32,
    doors: u32,
    cap: Option<u32>,
    max_present: u32,
    lambda_per_h: f64,
    mean_swap_h: f64,
    mean_charge_h: f64,
) -> DoorFigures {
    let (b, n_max) = (batteries as usize, max_present as usize);
    let cap = cap.unwrap_or(batteries).min(batteries) as usize;
    let mut states = Vec::new();
    for d in 0..=n_max {
        for w in 0..=n_max - d {
            for e in 0..=b {
                if w == 0 || e == b {
                    states.push((d, w, e));
                }
            }
        }
    }
    let id = |x: (usize, usize, usize)| {
        states
            .binary_search(&x)
            .expect("transitions stay among the states")
    };
    let pi = stationary(states.len(), |from, out| {
        let (d, w, e) = states[from];
        if d + w < n_max {
            let to = if e < b {
                (d + 1, w, e + 1)
            } else {
                (d, w + 1, e)
            };
            out(id(to), lambda_per_h);
        }
        let k = d.min(doors as usize);
        if k > 0 {
            out(id((d - 1, w, e)), k as f64 / mean_swap_h);
        }
        if e > 0 {
            // The head of the battery line takes the battery just charged
            // and hands in theirs: still no battery ready.
            let to = if w > 0 {
                (d + 1, w - 1, e)
            } else {
                (d, w, e - 1)
            };
            out(id(to), e.min(cap) as f64 / mean_charge_h);
        }
    });
    let mut figures = DoorFigures {
        balk: 0.0,
        present: 0.0,
        busy_doors: 0.0,
    };
    for (&(d, w, _), &p) in states.iter().zip(&pi) {
        figures.present += p * (d + w) as f64;
        figures.busy_doors += p * d.min(doors as usize) as f64;
        if d + w == n_max {
            figures.balk += p;
        }
    }
    figures
}

/// [`door_chain`] with the other half of the old model left in, as a
/// counter-example: the full battery is reserved at the swap's start and
/// handed over at its end, but the returned battery goes on charge at the
/// start (as if the cabinet took it before the swap). While a swap runs
/// the cabinet holds both, so B + k batteries for k swaps running.
///
/// State (n riders present, k swaps running, e batteries empty), with
/// k = min(n, doors) unless all B are empty: a swap starts, taking a ready
/// battery and adding an empty one, whenever a rider, a door and a ready
/// battery are free.
pub fn door_chain_charging_from_swap_start(
    batteries: u32,
    doors: u32,
    cap: Option<u32>,
    max_present: u32,
    lambda_per_h: f64,
    mean_swap_h: f64,
    mean_charge_h: f64,
) -> DoorFigures {
    let (b, n_max, doors) = (batteries as usize, max_present as usize, doors as usize);
    let cap = cap.unwrap_or(batteries).min(batteries) as usize;
    let mut states = Vec::new();
    for n in 0..=n_max {
        for k in 0..=n.min(doors) {
            for e in 0..=b {
                if k == n.min(doors) || e == b {
                    states.push((n, k, e));
                }
            }
        }
    }
    let id = |x: (usize, usize, usize)| {
        states
            .binary_search(&x)
            .expect("transitions stay among the states")
    };
    // Swaps start while a rider, a door and a ready battery are free.
    let start_swaps = |(n, mut k, mut e): (usize, usize, usize)| {
        while k < n.min(doors) && e < b {
            (k, e) = (k + 1, e + 1);
        }
        id((n, k, e))
    };
    let pi = stationary(states.len(), |from, out| {
        let (n, k, e) = states[from];
        if n < n_max {
            out(start_swaps((n + 1, k, e)), lambda_per_h);
        }
        if k > 0 {
            out(start_swaps((n - 1, k - 1, e)), k as f64 / mean_swap_h);
        }
        if e > 0 {
            out(
                start_swaps((n, k, e - 1)),
                e.min(cap) as f64 / mean_charge_h,
            );
        }
    });
    let mut figures = DoorFigures {
        balk: 0.0,
        present: 0.0,
        busy_doors: 0.0,
    };
    for (&(n, k, _), &p) in states.iter().zip(&pi) {
        figures.present += p * n as f64;
        figures.busy_doors += p * k as f64;
        if n == n_max {
            figures.balk += p;
        }
    }
    figures
}

/// The stationary distribution of a finite continuous-time Markov chain
/// on `states` states, irreducible, whose transitions out of each state
/// `from` `transitions(from, out)` lists as `out(to, rate)`: the
/// balance equations Q^T π = 0, one of them replaced by Σ π = 1, solved
/// exactly.
fn stationary(states: usize, transitions: impl Fn(usize, &mut dyn FnMut(usize, f64))) -> Vec<f64> {
    let mut rates = Vec::new();
    for from in 0..states {
        transitions(from, &mut |to, rate| rates.push((from, to, rate)));
    }
    // Generator transposed: q[to][from], so that Q^T π = 0.
    let mut q = vec![vec![0.0f64; states]; states];
    for (from, to, rate) in rates {
        if rate > 0.0 {
            q[to][from] += rate;
            q[from][from] -= rate;
        }
    }
    let mut rhs = vec![0.0; states];
    q[states - 1] = vec![1.0; states];
    rhs[states - 1] = 1.0;
    solve(q, rhs)
}

/// Solves `a · x = rhs` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut rhs: Vec<f64>) -> Vec<f64> {
    let n = rhs.len();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .expect("a non-empty column");
        a.swap(col, pivot);
        rhs.swap(col, pivot);
        let p = a[col][col];
        assert!(p.abs() > 1e-300, "singular system");
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (offset, row) in rest.iter_mut().enumerate() {
            let f = row[col] / p;
            if f != 0.0 {
                for (x, &y) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * y;
                }
                rhs[col + 1 + offset] -= f * rhs[col];
            }
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (rhs[row] - s) / a[row][row];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_b_matches_domain_reference_points() {
        // DOMAIN.md lists B = 8, a = 4 → 0.0304 and B = 12, a = 10 → 0.1197.
        assert!((erlang_b(8, 4.0) - 0.0304).abs() < 5e-5);
        assert!((erlang_b(12, 10.0) - 0.1197).abs() < 5e-5);
    }

    /// With one door, no battery limit to speak of and instant charging the
    /// door chain is M/M/1/N: balking π_N = ρᴺ(1 − ρ)/(1 − ρᴺ⁺¹).
    #[test]
    fn door_chain_reduces_to_mm1n() {
        let (lambda, swap_h, n) = (20.0, 0.04, 6u32);
        let f = door_chain(30, 1, None, n, lambda, swap_h, 1e-6);
        let rho: f64 = lambda * swap_h;
        let balk = rho.powi(n as i32) * (1.0 - rho) / (1.0 - rho.powi(n as i32 + 1));
        assert!((f.balk - balk).abs() < 1e-6, "{} vs {balk}", f.balk);
        let present: f64 = (0..=n)
            .map(|k| {
                f64::from(k) * rho.powi(k as i32) * (1.0 - rho) / (1.0 - rho.powi(n as i32 + 1))
            })
            .sum();
        assert!((f.present - present).abs() < 1e-6);
    }

    /// Where a battery is always ready (many batteries, charging in an
    /// instant), when it is taken and when the returned one starts
    /// charging change nothing: the two old door models give the
    /// engine's chain, here M/M/2/5.
    #[test]
    fn old_door_chains_agree_where_batteries_never_bind() {
        let args = (40, 2, None, 5, 30.0, 0.05, 1e-6);
        let exact = door_chain(args.0, args.1, args.2, args.3, args.4, args.5, args.6);
        for old in [
            door_chain_taken_on_arrival,
            door_chain_charging_from_swap_start,
        ] {
            let f = old(args.0, args.1, args.2, args.3, args.4, args.5, args.6);
            assert!((f.balk - exact.balk).abs() < 1e-9, "{f:?} vs {exact:?}");
            assert!((f.present - exact.present).abs() < 1e-9);
            assert!((f.busy_doors - exact.busy_doors).abs() < 1e-9);
        }
        // M/M/2/5 at a = 1.5: π_n ∝ aⁿ / n! up to 2, then (a/2)ⁿ⁻² · a² / 2.
        let a: f64 = 1.5;
        let w: Vec<f64> = (0..=5)
            .map(|n| {
                if n <= 2 {
                    a.powi(n) / [1.0, 1.0, 2.0][n as usize]
                } else {
                    a * a / 2.0 * (a / 2.0).powi(n - 2)
                }
            })
            .collect();
        let total: f64 = w.iter().sum();
        assert!((exact.balk - w[5] / total).abs() < 1e-9);
    }

    #[test]
    fn chain_reduces_to_erlang_b_and_c() {
        let loss = cabinet_chain(10, None, 6.0, 1.0, Some(0.0));
        assert!((loss.stockout - erlang_b(10, 6.0)).abs() < 1e-12);
        let delay = cabinet_chain(10, None, 9.0, 1.0, None);
        assert!((delay.stockout - erlang_c(10, 9.0)).abs() < 1e-9);
        // Little: Lq = λ · W.
        let w = erlang_c_mean_wait_hours(10, 9.0, 1.0);
        assert!((delay.riders_waiting - 9.0 * w).abs() < 1e-9);
    }
}
