//! Lossless serde forms of the raw results' fields that serde cannot
//! write exactly on its own: HDR histograms and `f32` series. A
//! replication written on one machine and read on another summarises
//! into the same bytes as one that never left memory.

/// An HDR histogram as its bounds and its recorded `(value, count)` pairs,
/// each value the highest equivalent of its bucket: recording the pairs
/// again into a histogram of the same bounds gives the same counts in the
/// same buckets, so every quantile and every merge is the same.
pub(crate) mod histogram {
    use hdrhistogram::Histogram;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// The written form.
    #[derive(Serialize, Deserialize)]
    struct Recorded {
        /// Lowest discernible value.
        low: u64,
        /// Highest trackable value.
        high: u64,
        /// Significant decimal digits.
        digits: u8,
        /// `(value, count)` of every non-empty bucket, in value order.
        counts: Vec<(u64, u32)>,
    }

    pub(crate) fn serialize<S: Serializer>(h: &Histogram<u32>, s: S) -> Result<S::Ok, S::Error> {
        Recorded {
            low: h.low(),
            high: h.high(),
            digits: h.sigfig(),
            counts: h
                .iter_recorded()
                .map(|v| (v.value_iterated_to(), v.count_at_value()))
                .collect(),
        }
        .serialize(s)
    }

    /// Read back, a histogram grows as the engine's do (`auto`): the
    /// summary adds every site's into the first one's, whose highest
    /// trackable value is only as high as that site's longest wait. One
    /// read back without it refused a longer wait of another site, and
    /// the merge of a district's shards panicked.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Histogram<u32>, D::Error> {
        let r = Recorded::deserialize(d)?;
        let mut h: Histogram<u32> =
            Histogram::new_with_bounds(r.low, r.high, r.digits).map_err(D::Error::custom)?;
        h.auto(true);
        for (value, count) in r.counts {
            h.record_n(value, count).map_err(D::Error::custom)?;
        }
        Ok(h)
    }
}

/// A vector of `f32` written as the `f64`s they widen to (exact both ways),
/// so a reader that parses `f64` exactly reads back the same bits; parsing
/// `f32` text through an `f64` could round twice.
pub(crate) mod f32s {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &[f32], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|&x| f64::from(x)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        let wide = Vec::<f64>::deserialize(d)?;
        // Each value was an f32 widened exactly, so the cast is exact.
        Ok(wide.into_iter().map(|x| x as f32).collect())
    }
}
