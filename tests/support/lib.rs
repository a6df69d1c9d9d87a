//! Shared helpers for swapsim's integration tests and benches: queueing
//! formulas computed from first principles, model builders, and the
//! synthetic city of the scaling benches.

pub mod city;
pub mod fixtures;
pub mod intervals;
pub mod models;
pub mod process;
pub mod theory;
