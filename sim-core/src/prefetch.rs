//! A hint to the processor to start loading a cache line that an event
//! soon to come will read: at a million e-bikes the riders and slots an
//! event touches lie anywhere in 100 MB, and the load of the first of
//! them was a fifth of the run's time. The hint changes no result: it
//! reads nothing and cannot fault, whatever the address.
#![allow(unsafe_code)]

/// Asks for the cache line holding `*p` to be loaded into every cache
/// level. Does nothing on processors other than x86-64.
#[inline(always)]
pub(crate) fn line<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetcht0` only hints the cache: it never dereferences
    // `p` in the program's sense, cannot fault on any address and writes
    // nothing. SSE, which it needs, is part of the x86-64 baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
