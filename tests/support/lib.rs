//! Shared helpers for swapsim's integration tests and benches: queueing
//! formulas computed from first principles, and model builders.

pub mod fixtures;
pub mod intervals;
pub mod models;
pub mod theory;
