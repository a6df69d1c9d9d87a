//! Allocations the machine may refuse, made so that a refusal stops the
//! run with a clear error instead of aborting the process.
//!
//! `Resources::estimate` refuses, before it starts, a run past
//! `--max-memory`. Its figure errs high, but the machine may still have
//! less than it says (other processes, `ulimit -v`, a container's cap).
//! Rust aborts on a failed allocation, so the arrays that grow with the
//! model (slots, batteries, riders, the series) are reserved here with
//! `try_reserve_exact`: a refusal unwinds with an [`OutOfMemory`] payload,
//! which rayon carries to the thread that started the run and `cli` turns
//! into exit 2 with the size and what it was for. Smaller allocations
//! still abort on failure; they come after these and are a small share.

/// A refused allocation: the payload the run unwinds with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory {
    /// Size asked for \[bytes\].
    pub bytes: u64,
    /// What the memory was for, as in "the slots' state".
    pub what: &'static str,
}

impl std::fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the machine refused {:.1} MB for {}",
            self.bytes as f64 / 1e6,
            self.what
        )
    }
}

/// Makes room in `v` for `additional` more elements, or unwinds with
/// [`OutOfMemory`].
pub(crate) fn reserve<T>(v: &mut Vec<T>, additional: usize, what: &'static str) {
    if v.try_reserve_exact(additional).is_err() {
        let bytes = (additional as u64).saturating_mul(size_of::<T>() as u64);
        std::panic::panic_any(OutOfMemory { bytes, what });
    }
}

/// Makes room in `v` for `additional` more elements, growing it as `push`
/// would (amortised, for a vector grown many times), or unwinds with
/// [`OutOfMemory`].
pub(crate) fn grow<T>(v: &mut Vec<T>, additional: usize, what: &'static str) {
    if v.try_reserve(additional).is_err() {
        let bytes =
            (v.len().saturating_add(additional) as u64).saturating_mul(size_of::<T>() as u64);
        std::panic::panic_any(OutOfMemory { bytes, what });
    }
}

/// An empty vector with room for `n` elements, or an unwind with
/// [`OutOfMemory`].
pub(crate) fn with_capacity<T>(n: usize, what: &'static str) -> Vec<T> {
    let mut v = Vec::new();
    reserve(&mut v, n, what);
    v
}

/// `n` copies of `value`, or an unwind with [`OutOfMemory`].
pub(crate) fn filled<T: Clone>(n: usize, value: T, what: &'static str) -> Vec<T> {
    let mut v = with_capacity(n, what);
    v.resize(n, value);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_reservation_unwinds_with_its_size_and_purpose() {
        // More than any address space: refused at once, nothing touched.
        let refused = std::panic::catch_unwind(|| filled(usize::MAX / 16, 0u64, "a test array"))
            .expect_err("refused");
        let payload = refused.downcast::<OutOfMemory>().expect("an OutOfMemory");
        assert_eq!(payload.what, "a test array");
        assert_eq!(payload.bytes, (usize::MAX / 16) as u64 * 8);
        assert!(payload.to_string().starts_with("the machine refused "));
    }

    #[test]
    fn a_refusal_on_a_worker_thread_reaches_the_caller() {
        let refused = std::panic::catch_unwind(|| {
            rayon::join(
                || with_capacity::<u32>(usize::MAX / 2, "in a worker"),
                || with_capacity::<u32>(1, "fine"),
            )
        })
        .expect_err("refused");
        let payload = refused.downcast::<OutOfMemory>().expect("an OutOfMemory");
        assert_eq!(payload.what, "in a worker");
    }

    /// `grow` refuses as `reserve` does, counting what the vector holds,
    /// and grows amortised (a vector grown once per site, as the sites
    /// within reach are, must not copy itself at every step).
    #[test]
    fn growing_is_refused_with_its_size_and_amortised_when_granted() {
        let refused = std::panic::catch_unwind(|| {
            let mut v: Vec<u32> = vec![1, 2, 3];
            grow(&mut v, usize::MAX / 8, "the sites within reach");
        })
        .expect_err("refused");
        let payload = refused.downcast::<OutOfMemory>().expect("an OutOfMemory");
        assert_eq!(payload.what, "the sites within reach");
        assert_eq!(payload.bytes, (usize::MAX / 8 + 3) as u64 * 4);
        let mut v: Vec<u32> = Vec::new();
        let mut reallocations = 0;
        for i in 0..10_000 {
            let before = v.capacity();
            grow(&mut v, 1, "words");
            reallocations += usize::from(v.capacity() != before);
            v.push(i);
        }
        assert!(reallocations < 20, "{reallocations} reallocations");
    }

    #[test]
    fn granted_reservations_hold_what_was_asked() {
        let v = filled(1000, 7u8, "bytes");
        assert_eq!(v.len(), 1000);
        assert!(v.iter().all(|&b| b == 7));
        let mut w: Vec<u64> = with_capacity(10, "words");
        assert!(w.capacity() >= 10 && w.is_empty());
        reserve(&mut w, 100, "more words");
        assert!(w.capacity() >= 100);
    }
}
