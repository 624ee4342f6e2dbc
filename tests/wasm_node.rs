//! The binding layer in Node's wasm engine (`wasm-pack test --node`).
#![cfg(target_arch = "wasm32")]

mod memory {
    const BACKEND: &str = "memory";
    include!("wasm_cases/cases.rs");

    #[wasm_bindgen_test]
    async fn indexeddb_in_node_is_no_support_saying_why() {
        let e = JsFuture::from(Store::open(obj(&[("backend", "indexeddb".into())])))
            .await
            .unwrap_err();
        assert_eq!(code_name(&e), "MAPI_E_NO_SUPPORT");
        let msg = get(&e, "message").as_string().unwrap();
        assert!(msg.contains("indexedDB"), "{msg}");
    }
}
