//! `--max-memory` and the resource check before a run: a run whose
//! estimate (`sim_core::Resources`) does not fit is refused with the
//! estimate, before anything is simulated.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use batch::shard::Shard;
use clap::Args;
use sim_core::{Model, Resources};

use crate::error::{Error, TooBig};

/// Memory assumed when the machine's cannot be read \[bytes\]: 4 GiB,
/// a small laptop's share.
const FALLBACK_MEMORY: u64 = 4 << 30;

/// Most events a run may take: at about 10⁷ events a second and core,
/// 10¹² events is more than a day of a 32-core machine; past it a run is
/// a mistake (days, replications or riders off by orders of magnitude).
pub(crate) const MAX_EVENTS: f64 = 1e12;

/// `--max-memory`.
#[derive(Clone, Copy, Debug, Default, Args)]
pub(crate) struct Limits {
    /// Refuse a run estimated to need more memory than this (e.g. 4G, 512M); default: half the memory this process may use (available memory, cgroup limit, ulimit -v)
    #[arg(long = "max-memory", value_name = "SIZE")]
    pub(crate) max_memory: Option<ByteSize>,
}

/// A size in bytes, written as `4G`, `512M`, `64K` or a plain number of
/// bytes (binary units: 1G = 2³⁰ bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ByteSize(pub(crate) u64);

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let (number, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
            Some(i) => t.split_at(i),
            None => (t, ""),
        };
        let shift = match unit
            .trim()
            .to_ascii_uppercase()
            .trim_end_matches(['B', 'I'])
        {
            "" => 0,
            "K" => 10,
            "M" => 20,
            "G" => 30,
            "T" => 40,
            _ => {
                return Err(format!(
                    "'{s}' is not a size: write a number with K, M, G or T, such as 4G or 512M"
                ));
            }
        };
        let value: f64 = number
            .parse()
            .map_err(|_| format!("'{s}' is not a size: write a number such as 4G or 512M"))?;
        let bytes = value * (1u64 << shift) as f64;
        if !(bytes >= 1.0 && bytes < 2f64.powi(63)) {
            return Err(format!("'{s}' is not a size between 1 byte and 8E"));
        }
        Ok(ByteSize(bytes as u64))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&human_bytes(self.0))
    }
}

/// `bytes` for people: "about 2.1 GB" without the "about".
pub(crate) fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    let (value, unit) = if b >= (1u64 << 40) as f64 {
        (b / (1u64 << 40) as f64, "TB")
    } else if b >= (1u64 << 30) as f64 {
        (b / (1u64 << 30) as f64, "GB")
    } else if b >= (1u64 << 20) as f64 {
        (b / (1u64 << 20) as f64, "MB")
    } else {
        (b / 1024.0, "KB")
    };
    if value >= 100.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// An event count for people: "4·10⁹".
pub(crate) fn human_events(events: f64) -> String {
    if !events.is_finite() {
        return "10³⁰⁸ or more".to_owned();
    }
    if events < 1e4 {
        return format!("{events:.0}");
    }
    let exponent = events.log10().floor();
    let mantissa = events / 10f64.powf(exponent);
    let digits: String = format!("{exponent:.0}")
        .chars()
        .map(|c| match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect();
    format!("{mantissa:.1}·10{digits}")
}

/// The default `--max-memory`: half of the memory this process may use,
/// so a run leaves the machine usable: the least of the memory available
/// now (or the total, where the kernel does not say), the cgroup's limit
/// (a container's, a Kubernetes pod's, a Slurm job's) and the address
/// space `ulimit -v` allows; a fixed 4 GiB share where none is known. A
/// limit from the machine alone once let a run inside a smaller cgroup
/// or under `ulimit -v` start, and the kernel or the allocator stop it.
pub(crate) fn default_max_memory() -> u64 {
    let read = |path: &str| std::fs::read_to_string(path).ok();
    usable_memory(
        &read("/proc/meminfo").unwrap_or_default(),
        read("/sys/fs/cgroup/memory.max")
            .or_else(|| read("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
            .as_deref(),
        &read("/proc/self/limits").unwrap_or_default(),
    )
    .unwrap_or(FALLBACK_MEMORY)
        / 2
}

/// The memory a process may use \[bytes\], from the text of
/// `/proc/meminfo`, of the cgroup's limit (`max`, or a cgroup v1 figure
/// near 2⁶³, for none) and of `/proc/self/limits`; `None` when none of
/// them says.
fn usable_memory(meminfo: &str, cgroup: Option<&str>, limits: &str) -> Option<u64> {
    let field = |name: &str| {
        meminfo
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kb| kb * 1024)
    };
    let machine = field("MemAvailable:").or_else(|| field("MemTotal:"));
    // cgroup v1 writes "no limit" as the largest page-aligned i64.
    let cgroup = cgroup
        .and_then(|text| text.trim().parse::<u64>().ok())
        .filter(|&bytes| bytes < 1 << 62);
    // "Max address space  unlimited  unlimited  bytes": the soft limit.
    let address_space = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max address space"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|soft| soft.parse::<u64>().ok());
    [machine, cgroup, address_space].into_iter().flatten().min()
}

/// Worker threads for `threads` (0 = all cores), as rayon will start them.
pub(crate) fn resolved_threads(threads: usize) -> usize {
    if threads > 0 {
        threads
    } else {
        std::thread::available_parallelism().map_or(1, usize::from)
    }
}

/// What a refused command should change, for a command that runs.
const RUN_ADVICE: &str = "run fewer days, replications, threads or sites";

/// Refuses a run of `model` for `days` days and `replications`
/// replications on `threads` threads whose estimate is past `limits` or
/// [`MAX_EVENTS`]; `command` names what was asked for.
pub(crate) fn check(
    scenario: &Path,
    command: &'static str,
    model: &Model,
    replications: u32,
    threads: usize,
    limits: &Limits,
) -> Result<Resources, Error> {
    let threads = resolved_threads(threads);
    let estimate = Resources::estimate(model, model.days, replications, threads);
    judge(
        scenario,
        command.to_owned(),
        estimate,
        format!("{} days × {replications} replications", model.days),
        RUN_ADVICE,
        limits,
    )
}

/// [`check`] for `run`: the whole run, or with `--shard` the shard's
/// block of replications alone, which it runs and writes without a
/// summary (the merge summarises; see [`check_merge_run`]). A shard of a
/// large job fits where the whole job would not: every task of a
/// cluster array is judged by what it computes.
pub(crate) fn check_run(
    scenario: &Path,
    model: &Model,
    shard: Option<Shard>,
    threads: usize,
    limits: &Limits,
) -> Result<Resources, Error> {
    let Some(shard) = shard else {
        return check(scenario, "run", model, model.replications, threads, limits);
    };
    let threads = resolved_threads(threads);
    let block = shard.block(model.replications).len() as u32;
    let estimate = Resources::unsummarised(model, model.days, block, threads);
    judge(
        scenario,
        format!("run --shard {shard}"),
        estimate,
        format!(
            "{} days × {block} of {} replications",
            model.days, model.replications
        ),
        RUN_ADVICE,
        limits,
    )
}

/// [`check`] for `compare`: its scenarios run one after another, and it
/// keeps every replication of each summarised on its own (for the paired
/// differences) beside the summaries, about as much again as the
/// replications' results; so the estimates of every scenario, with twice
/// the replications, add up.
pub(crate) fn check_compare(
    scenarios: &[(std::path::PathBuf, Model)],
    threads: usize,
    limits: &Limits,
) -> Result<Resources, Error> {
    let threads = resolved_threads(threads);
    let mut total = Resources {
        memory_bytes: 0,
        events: 0.0,
    };
    for (_, model) in scenarios {
        let kept = Resources::estimate(model, model.days, 2 * model.replications, threads);
        let run = Resources::estimate(model, model.days, model.replications, threads);
        total.memory_bytes = total.memory_bytes.saturating_add(kept.memory_bytes);
        total.events += run.events;
    }
    let (path, first) = &scenarios[0];
    judge(
        path,
        "compare".to_owned(),
        total,
        format!("{} days × {} replications", first.days, first.replications),
        RUN_ADVICE,
        limits,
    )
}

/// [`check`] for `sweep`: a run or check sweep holds every replication of
/// its points until each point is summarised (one pool of work), so their
/// estimates add up; a plan sweep plans one point after another, so the
/// largest point's plan is what must fit. Events add up either way. With
/// `--shard`, only the shard's block of points counts: it is all the
/// shard computes.
pub(crate) fn check_sweep(
    path: &Path,
    sweep: &batch::Sweep,
    shard: Option<Shard>,
    threads: usize,
    limits: &Limits,
) -> Result<Resources, Error> {
    let threads = resolved_threads(threads);
    let plan = sweep.file.mode == scenarios::sweep::Mode::Plan;
    let mut total = Resources {
        memory_bytes: 0,
        events: 0.0,
    };
    let all = sweep.points();
    let points = match shard {
        Some(shard) => {
            let block = shard.block(u32::try_from(all.len()).unwrap_or(u32::MAX));
            &all[block.start as usize..(block.end as usize).min(all.len())]
        }
        None => all,
    };
    let (mut days, mut replications) = (0, 0);
    for point in points {
        let model = sweep.model(point.index);
        let reps = if plan {
            model.replications.max(model.planner.max_replications)
        } else {
            model.replications
        };
        let one = Resources::estimate(model, model.days, reps, threads);
        total.memory_bytes = if plan {
            total.memory_bytes.max(one.memory_bytes)
        } else {
            total.memory_bytes.saturating_add(one.memory_bytes)
        };
        total.events += one.events;
        days = days.max(model.days);
        replications = replications.max(reps);
    }
    let (command, work) = match shard {
        Some(shard) => (
            format!("sweep --shard {shard}"),
            format!(
                "{days} days × {replications} replications × {} of {} points",
                points.len(),
                all.len()
            ),
        ),
        None => (
            "sweep".to_owned(),
            format!("{days} days × {replications} replications"),
        ),
    };
    judge(path, command, total, work, RUN_ADVICE, limits)
}

/// What a refused merge should change: it runs nothing, so only another
/// machine (or a smaller job) helps.
const MERGE_ADVICE: &str = "merge on a machine with more memory and pass --max-memory, \
     or run the job again with fewer days, replications or sites";

/// The text of the partials a merge reads at once \[bytes\]: each
/// partial is read whole before its items are parsed, on as many
/// threads as the machine has cores, so the largest of them, one per
/// thread, may be in memory together.
fn partials_text(partials: &[u64]) -> u64 {
    let mut sizes = partials.to_vec();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes
        .iter()
        .take(resolved_threads(0))
        .fold(0u64, |sum, &b| sum.saturating_add(b))
}

/// [`check`] for `merge` of a run's shards: it simulates nothing, but
/// holds every replication's result read back, as the unsharded run
/// does, and summarises them, beside the text of the partials being
/// read (`partials`: their sizes \[bytes\]). 100 replications of a year
/// of the district are about 12 GB, however many machines ran them.
pub(crate) fn check_merge_run(
    scenario: &Path,
    model: &Model,
    partials: &[u64],
    limits: &Limits,
) -> Result<Resources, Error> {
    let mut estimate = Resources::summarise(model, model.days, model.replications);
    estimate.memory_bytes = estimate
        .memory_bytes
        .saturating_add(partials_text(partials));
    judge(
        scenario,
        "merge".to_owned(),
        estimate,
        format!(
            "{} days × {} replications read back",
            model.days, model.replications
        ),
        MERGE_ADVICE,
        limits,
    )
}

/// [`check_merge_run`] for `merge` of a sweep's shards: every point's
/// summarised result (and in mode `plan` the plan's run beside it), with
/// the text of the partials being read. Far less than the sweep held
/// while it ran: a point's replications were summarised by its shard.
pub(crate) fn check_merge_sweep(
    path: &Path,
    sweep: &batch::Sweep,
    partials: &[u64],
    limits: &Limits,
) -> Result<Resources, Error> {
    let per_point = if sweep.file.mode == scenarios::sweep::Mode::Plan {
        2
    } else {
        1
    };
    let mut memory = Resources::BASE_BYTES.saturating_add(partials_text(partials));
    let mut days = 0;
    for point in sweep.points() {
        let model = sweep.model(point.index);
        memory = memory.saturating_add(Resources::result_bytes(model, model.days) * per_point);
        days = days.max(model.days);
    }
    judge(
        path,
        "merge".to_owned(),
        Resources {
            memory_bytes: memory,
            events: 0.0,
        },
        format!("{days} days × {} points read back", sweep.points().len()),
        MERGE_ADVICE,
        limits,
    )
}

fn judge(
    scenario: &Path,
    command: String,
    estimate: Resources,
    work: String,
    advice: &'static str,
    limits: &Limits,
) -> Result<Resources, Error> {
    let (limit, flag_given) = match limits.max_memory {
        Some(ByteSize(b)) => (b, true),
        None => (default_max_memory(), false),
    };
    if estimate.memory_bytes > limit || estimate.events > MAX_EVENTS {
        return Err(Error::TooBig(Box::new(TooBig {
            scenario: scenario.to_path_buf(),
            command,
            memory: human_bytes(estimate.memory_bytes),
            events: human_events(estimate.events),
            limit: if estimate.memory_bytes > limit {
                if flag_given {
                    format!("past --max-memory {}", human_bytes(limit))
                } else {
                    format!(
                        "past the default limit of {} (half the memory available to this process; raise it with --max-memory)",
                        human_bytes(limit)
                    )
                }
            } else {
                format!(
                    "past the {} events a run may take",
                    human_events(MAX_EVENTS)
                )
            },
            work,
            advice,
        })));
    }
    Ok(estimate)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The least of the machine's available memory, the cgroup's limit
    /// and the address space `ulimit -v` allows; where none says, none.
    #[test]
    fn usable_memory_is_the_least_of_the_machine_the_cgroup_and_ulimit() {
        let meminfo = "MemTotal:       24000000 kB\nMemAvailable:   20000000 kB\n";
        let unlimited =
            "Max address space         unlimited            unlimited            bytes\n";
        let machine = 20_000_000 * 1024;
        assert_eq!(usable_memory(meminfo, None, unlimited), Some(machine));
        assert_eq!(
            usable_memory(meminfo, Some("max\n"), unlimited),
            Some(machine)
        );
        // cgroup v1's "no limit".
        let v1_none = "9223372036854771712\n";
        assert_eq!(
            usable_memory(meminfo, Some(v1_none), unlimited),
            Some(machine)
        );
        assert_eq!(
            usable_memory(meminfo, Some("2147483648\n"), unlimited),
            Some(2 << 30)
        );
        let ulimit = "Max address space         409600000            unlimited            bytes\n";
        assert_eq!(
            usable_memory(meminfo, Some("2147483648\n"), ulimit),
            Some(409_600_000)
        );
        assert_eq!(
            usable_memory("MemTotal:       1000 kB\n", None, ""),
            Some(1000 * 1024)
        );
        assert_eq!(usable_memory("", Some("max"), unlimited), None);
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!("4G".parse(), Ok(ByteSize(4 << 30)));
        assert_eq!("512M".parse(), Ok(ByteSize(512 << 20)));
        assert_eq!("512MB".parse(), Ok(ByteSize(512 << 20)));
        assert_eq!("1.5GiB".parse(), Ok(ByteSize(3 << 29)));
        assert_eq!("64k".parse(), Ok(ByteSize(64 << 10)));
        assert_eq!("1000".parse(), Ok(ByteSize(1000)));
        for bad in ["", "G", "4X", "-1G", "0", "1e999", "nanG", "99999999999T"] {
            assert!(bad.parse::<ByteSize>().is_err(), "{bad}");
        }
    }

    #[test]
    fn figures_read_as_the_issue_writes_them() {
        assert_eq!(human_bytes(2_254_857_830), "2.1 GB");
        assert_eq!(human_events(4.2e9), "4.2·10⁹");
        assert_eq!(human_events(1e12), "1.0·10¹²");
        assert_eq!(human_events(950.0), "950");
    }
}
