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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_b_matches_domain_reference_points() {
        // DOMAIN.md lists B = 8, a = 4 → 0.0304 and B = 12, a = 10 → 0.1197.
        assert!((erlang_b(8, 4.0) - 0.0304).abs() < 5e-5);
        assert!((erlang_b(12, 10.0) - 0.1197).abs() < 5e-5);
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
