//! Many runs from one input: what-if sweeps over a scenario's keys, and the
//! split of a run or a sweep into shards that machines of a cluster compute
//! apart and `merge` joins into exactly the one-machine result.
//!
//! Architecture invariant: no terminal and no exit codes here; `cli` parses
//! the arguments, calls this crate and prints. Every point and every shard
//! shares nothing but read-only input, so a result does not depend on the
//! threads, the shards or the machine that computed it.

pub mod emit;
pub mod merge;
pub mod partial;
pub mod shard;
pub mod sweep;

pub use sweep::{Sweep, SweepError};
