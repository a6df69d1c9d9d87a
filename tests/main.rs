//! swapsim's integration tests: one binary, one module per behaviour.

mod battery_wear;
mod cabinet_choice;
mod cabinet_doors;
mod cli;
mod conservation;
mod determinism;
mod district;
mod door_chain;
mod energy_accounting;
mod excel;
mod fuzz;
mod hardening;
mod nonsub_interval;
mod off_peak;
mod operator_figures;
mod overload_hours;
mod pile_dwell;
mod planner;
mod plausibility;
mod queueing_theory;
mod readme;
mod report;
mod scenario_errors;
mod shipped_scenarios;
mod survey;
mod swap_delay;
