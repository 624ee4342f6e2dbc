//! The binding layer in real headless Chromium (`wasm-pack test --headless --chrome`): the
//! shared cases against both backends, and the IndexedDB-only cases.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod memory {
    const BACKEND: &str = "memory";
    include!("wasm_cases/cases.rs");
}

mod indexeddb {
    const BACKEND: &str = "indexeddb";
    include!("wasm_cases/cases.rs");
    include!("wasm_cases/idb.rs");
}
