//! Waits and delays: counted during a replication in [`WaitCounts`], handed
//! over as HDR histograms at its end.
//!
//! A recorded wait cost about 63 instructions in `hdrhistogram`'s
//! `record_n_inner` (index, bounds, saturating count, min, max, total);
//! M/M/10 records one for two in three swaps. [`WaitCounts`] keeps the
//! same buckets as a bare array and counts a wait in about a dozen; the
//! histogram's min, max and total are set once from the counts, when
//! [`WaitCounts::add_to`] records each bucket's count at the bucket's
//! lowest value. Every quantile, the mean, the max and the written form
//! (`wire::histogram`) depend only on the counts per bucket, so they are
//! the bits a histogram fed wait by wait gives (the tests below hold both
//! side by side).

use hdrhistogram::Histogram;

/// Largest wait the histograms resolve \[ms\] (about 400 days).
pub(super) const MAX_WAIT_MS: u64 = 1 << 35;

/// The longest wait a histogram sized for [`MAX_WAIT_MS`] held as itself
/// (the end of its last bucket) \[ms\].
const TOP_WAIT_MS: u64 = (1 << 36) - 1;

/// The histograms' layout: lowest discernible value 1 ms and 2
/// significant digits, so 256 sub-buckets (2⁸) and every bucket past the
/// first holds its upper 128: a wait `v` goes in bucket
/// `e = max(0, ⌊log₂ v⌋ − 7)`, at index `128·e + (v >> e)`.
const SUB_BUCKET_BITS: u32 = 8;
const HALF_BITS: u32 = SUB_BUCKET_BITS - 1;
/// Waits below this share bucket 0, one index each.
const FIRST_BUCKET_MASK: u64 = (1 << SUB_BUCKET_BITS) - 1;

/// An empty histogram of waits or delays \[ms\].
///
/// It starts with one bucket (1 KB) and grows as longer waits come in:
/// a histogram sized for [`MAX_WAIT_MS`] up front took 15 KB, three per
/// site, which at 10⁵ sites was gigabytes of zeros. The buckets, and so
/// every quantile, are those of the full-size histogram.
pub(super) fn wait_histogram() -> Histogram<u32> {
    let mut h = Histogram::new_with_bounds(1, 2, 2).expect("static histogram bounds are valid");
    h.auto(true);
    h
}

/// Waits counted per bucket of [`wait_histogram`]: empty until the first
/// wait, then grown, as the histogram would, to the longest wait's bucket.
#[derive(Clone, Debug, Default)]
pub(super) struct WaitCounts {
    counts: Vec<u32>,
    /// Waits past a full bucket (`u32::MAX`), by bucket index: the
    /// histogram's bucket saturates there too, but its total counts every
    /// wait, so these are handed over as well. Never seen in a real run
    /// (4.29·10⁹ waits in one bucket at one site in one replication).
    overflow: Vec<(usize, u64)>,
}

impl WaitCounts {
    /// Counts a wait of `ms`; longer than a histogram sized for
    /// [`MAX_WAIT_MS`] holds counts as `MAX_WAIT_MS`, as its saturating
    /// record did.
    #[inline(always)]
    pub(super) fn record(&mut self, ms: u64) {
        let i = index(if ms > TOP_WAIT_MS { MAX_WAIT_MS } else { ms });
        match self.counts.get_mut(i) {
            Some(c) if *c < u32::MAX => *c += 1,
            _ => self.record_slow(i),
        }
    }

    /// Counts a wait at index `i` past the counts' end (growing them to
    /// whole buckets up to it) or in a full bucket.
    #[cold]
    #[inline(never)]
    fn record_slow(&mut self, i: usize) {
        if i < self.counts.len() {
            match self.overflow.iter_mut().find(|(k, _)| *k == i) {
                Some((_, n)) => *n += 1,
                None => self.overflow.push((i, 1)),
            }
            return;
        }
        let bucket_end = ((i >> HALF_BITS) + 1) << HALF_BITS;
        self.counts.resize(bucket_end.max(1 << SUB_BUCKET_BITS), 0);
        self.counts[i] = 1;
    }

    /// Records every counted wait into `h` (a [`wait_histogram`]).
    pub(super) fn add_to(&self, h: &mut Histogram<u32>) {
        // `record_n` grows the histogram; the saturating call would clamp
        // to its current top instead. Growing to 2³⁶ ms takes 3,840
        // counts: it cannot fail.
        let mut record = |i: usize, n: u32| {
            h.record_n(lowest(i), n)
                .expect("a wait histogram grows to any wait");
        };
        for (i, &n) in self.counts.iter().enumerate() {
            if n > 0 {
                record(i, n);
            }
        }
        for &(i, mut n) in &self.overflow {
            while n > 0 {
                let part = u32::try_from(n).unwrap_or(u32::MAX);
                record(i, part);
                n -= u64::from(part);
            }
        }
    }

    /// Bytes held.
    pub(super) fn bytes(&self) -> usize {
        self.counts.capacity() * size_of::<u32>() + size_of::<Self>()
    }
}

/// The bucket index of a wait of `v` ms (at most [`MAX_WAIT_MS`]).
#[inline(always)]
fn index(v: u64) -> usize {
    let e = (u64::BITS - 1 - HALF_BITS) - (v | FIRST_BUCKET_MASK).leading_zeros();
    ((e << HALF_BITS) as usize) + (v >> e) as usize
}

/// The lowest wait of bucket index `i` \[ms\].
fn lowest(i: usize) -> u64 {
    let e = (i >> HALF_BITS).saturating_sub(1) as u32;
    let sub = (i - ((e as usize) << HALF_BITS)) as u64;
    sub << e
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records a wait of `ms` straight into `h`, as a histogram sized for
    /// [`MAX_WAIT_MS`] with saturation did (and as the engine recorded
    /// waits before [`WaitCounts`]).
    fn record_wait(h: &mut Histogram<u32>, ms: u64) {
        let ms = if ms > TOP_WAIT_MS { MAX_WAIT_MS } else { ms };
        // Growing to 2³⁶ ms takes 3,840 counts: it cannot fail.
        h.record(ms).expect("a wait histogram grows to any wait");
    }

    /// Waits of every size: each bucket edge up to past the top, and a
    /// spread of pseudo-random values.
    fn waits() -> Vec<u64> {
        let mut v: Vec<u64> = (0..600).collect();
        for bits in 8..40 {
            let p = 1u64 << bits;
            v.extend([
                p - 1,
                p,
                p + 1,
                p + (p >> 1),
                p + (p >> 7),
                p + (p >> 7) - 1,
            ]);
        }
        v.extend([TOP_WAIT_MS, TOP_WAIT_MS + 1, MAX_WAIT_MS, u64::MAX]);
        let mut x = 1u64;
        for k in 0..5000u64 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(k);
            v.push(x >> (k % 44 + 20));
        }
        v
    }

    /// Growing histograms record exactly what the full-size ones did.
    #[test]
    fn growing_histograms_keep_the_full_size_buckets() {
        let mut full: Histogram<u32> =
            Histogram::new_with_bounds(1, MAX_WAIT_MS, 2).expect("bounds");
        let top = full.iter_all().last().expect("buckets").value_iterated_to();
        assert_eq!(top, TOP_WAIT_MS);
        let mut grown = wait_histogram();
        for ms in waits() {
            full.saturating_record(ms);
            record_wait(&mut grown, ms);
        }
        full.saturating_record_n(0, 17);
        grown.saturating_record_n(0, 17);
        for q in [0.0, 0.5, 0.9, 0.95, 0.99, 1.0] {
            assert_eq!(full.value_at_quantile(q), grown.value_at_quantile(q), "{q}");
        }
        assert_eq!(full.len(), grown.len());
        assert_eq!(full.max(), grown.max());
        assert_eq!(full.mean().to_bits(), grown.mean().to_bits());
    }

    /// Counted waits handed over are the histogram fed wait by wait: the
    /// same buckets, quantiles, mean, max, min and written form, after
    /// any prefix of the waits.
    #[test]
    fn counted_waits_make_the_histogram_fed_one_by_one() {
        let all = waits();
        let mut counts = WaitCounts::default();
        let mut direct = wait_histogram();
        for (k, &ms) in all.iter().enumerate() {
            counts.record(ms);
            record_wait(&mut direct, ms);
            if k % 997 != 0 && k + 1 != all.len() {
                continue;
            }
            let mut handed = wait_histogram();
            counts.add_to(&mut handed);
            assert_eq!(handed.len(), direct.len());
            assert_eq!(handed.distinct_values(), direct.distinct_values());
            assert_eq!(
                (handed.max(), handed.min_nz()),
                (direct.max(), direct.min_nz())
            );
            assert_eq!(handed.mean().to_bits(), direct.mean().to_bits());
            for q in [0.0, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0] {
                assert_eq!(handed.value_at_quantile(q), direct.value_at_quantile(q));
            }
            let recorded = |h: &Histogram<u32>| -> Vec<(u64, u32)> {
                h.iter_recorded()
                    .map(|v| (v.value_iterated_to(), v.count_at_value()))
                    .collect()
            };
            assert_eq!(recorded(&handed), recorded(&direct));
            assert!(handed == direct, "after {} waits", k + 1);
        }
    }

    /// Each index is one bucket of the histogram: its lowest value maps
    /// back to it, and the value just below it to the index before.
    #[test]
    fn an_index_is_a_bucket() {
        let h = wait_histogram();
        for i in 1..3840 {
            let low = lowest(i);
            assert_eq!(index(low), i);
            assert_eq!(index(low - 1), i - 1);
            assert_eq!(h.lowest_equivalent(low), low, "index {i}");
        }
        // The full-size histogram's last count is the longest wait's.
        assert_eq!(index(TOP_WAIT_MS), 3839);
    }

    /// A full bucket stays full, and the histogram's total still counts
    /// every wait, as recording wait by wait did.
    #[test]
    fn a_full_bucket_keeps_counting_the_total() {
        let mut counts = WaitCounts::default();
        let mut direct = wait_histogram();
        counts.record(1_000);
        record_wait(&mut direct, 1_000);
        let i = index(1_000);
        counts.counts[i] = u32::MAX - 1;
        direct
            .record_n(1_000, u32::MAX - 2)
            .expect("a wait histogram grows to any wait");
        for _ in 0..3 {
            counts.record(1_000);
            record_wait(&mut direct, 1_000);
        }
        let mut handed = wait_histogram();
        counts.add_to(&mut handed);
        assert_eq!(direct.len(), u64::from(u32::MAX) + 2);
        assert_eq!(handed.len(), direct.len());
        assert_eq!(handed.count_at(1_000), u32::MAX);
        assert!(handed == direct);
    }

    /// No wait, no memory: the counts grow with the longest wait only.
    #[test]
    fn counts_grow_with_the_longest_wait() {
        let mut c = WaitCounts::default();
        assert_eq!(c.counts.capacity(), 0);
        c.record(5);
        assert_eq!(c.counts.len(), 256);
        c.record(10 * 60_000);
        let ten_minutes = c.counts.len();
        let mut h = wait_histogram();
        record_wait(&mut h, 10 * 60_000);
        assert_eq!(ten_minutes, h.distinct_values());
    }
}
