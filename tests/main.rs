//! swapsim's integration tests: one binary, one module per behaviour.

mod cli;
mod conservation;
mod determinism;
mod district;
mod off_peak;
mod planner;
mod queueing_theory;
mod report;
mod scenario_errors;
mod shipped_scenarios;
mod survey;
