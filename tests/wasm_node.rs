//! The binding layer in Node's wasm engine (`wasm-pack test --node`).
#![cfg(target_arch = "wasm32")]

include!("wasm_cases/cases.rs");
