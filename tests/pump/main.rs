//! The core spooler (`spool::Pump`) natively and deterministically: a fake clock, a
//! single-threaded executor, the memory store and scripted transports (harness.rs); each
//! rule of SPEC §6 pinned (rules.rs); and a model-based property test of the whole pump
//! (model.rs).
#![cfg(not(target_arch = "wasm32"))]

mod harness;
mod model;
mod rules;
