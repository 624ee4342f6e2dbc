// The binding layer's tests, included by tests/wasm_node.rs (run by `wasm-pack test --node`)
// and tests/wasm_browser.rs (run by `wasm-pack test --headless --chrome`) inside a module
// that defines `BACKEND` ("memory" or "indexeddb"): the browser runs them against both
// backends. They call the exported classes the way the generated JS glue does, with JS
// values made by js-sys, and check what JS would see.

use js_sys::{Array, Object, Reflect, Uint8Array};
use mapi_outbox::wasm::{Message, Store};
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn code_name(err: &JsValue) -> String {
    get(err, "codeName").as_string().unwrap_or_else(|| format!("not a MapiError: {err:?}"))
}

async fn open(options: JsValue) -> Store {
    let v = JsFuture::from(Store::open(options)).await.expect("Store.open");
    Store::try_from_js_value(v).expect("a Store")
}

/// A database name no other test uses (IndexedDB stores persist for the whole run).
fn fresh_name() -> String {
    format!("wasm-test-{}", (js_sys::Math::random() * 1e15) as u64)
}

/// Options for a new, empty store of the backend under test.
fn store_options(extra: &[(&str, JsValue)]) -> JsValue {
    let mut pairs = vec![
        ("backend", BACKEND.into()),
        ("name", fresh_name().into()),
        ("identity", obj(&[("email", "me@example.org".into())])),
    ];
    pairs.extend(extra.iter().cloned());
    obj(&pairs)
}

async fn default_store() -> Store {
    open(store_options(&[])).await
}

async fn rejects(p: js_sys::Promise) -> String {
    code_name(&JsFuture::from(p).await.expect_err("the promise should reject"))
}

fn new_draft(store: &Store) -> Message {
    let m = store.create_message().unwrap();
    m.set_props(obj(&[("PidTagSubject", "Отправка сообщения".into())])).unwrap();
    let row = obj(&[("PidTagEmailAddress", "a@example.org".into()), ("PidTagRecipientType", 1.into())]);
    m.modify_recipients("add".into(), Array::of1(&row).into()).unwrap();
    m
}

#[wasm_bindgen_test]
async fn submit_queues_the_message_and_kills_the_object() {
    let store = default_store().await;
    let m = new_draft(&store);
    let id = m.entry_id().unwrap();
    JsFuture::from(m.submit()).await.unwrap();
    assert_eq!(code_name(&m.get_props(JsValue::UNDEFINED).unwrap_err()), "MAPI_E_INVALID_OBJECT");
    assert_eq!(code_name(&m.entry_id().unwrap_err()), "MAPI_E_INVALID_OBJECT");
    let rows: Array = JsFuture::from(store.outgoing_queue()).await.unwrap().into();
    assert_eq!(rows.length(), 1);
    assert_eq!(get(&rows.get(0), "entryId").as_string().unwrap(), id);
    assert_eq!(get(&rows.get(0), "PidTagSubject").as_string().unwrap(), "Отправка сообщения");
    assert_eq!(get(&rows.get(0), "PidTagMessageFlags").as_f64().unwrap() as u32 & 0xC, 0xC);
}

#[wasm_bindgen_test]
async fn calls_while_a_submit_is_in_flight_are_busy() {
    let store = default_store().await;
    let m = new_draft(&store);
    let pending = m.submit();
    assert_eq!(code_name(&m.get_props(JsValue::UNDEFINED).unwrap_err()), "MAPI_E_BUSY");
    JsFuture::from(pending).await.unwrap();
}

#[wasm_bindgen_test]
async fn abort_puts_the_message_back_in_drafts_with_the_same_id() {
    let store = default_store().await;
    let m = new_draft(&store);
    let id = m.entry_id().unwrap();
    JsFuture::from(m.submit()).await.unwrap();
    JsFuture::from(store.abort_submit(id.clone().into())).await.unwrap();
    let drafts: Array = JsFuture::from(store.contents("drafts".into())).await.unwrap().into();
    assert_eq!(get(&drafts.get(0), "entryId").as_string().unwrap(), id);
    assert_eq!(rejects(store.abort_submit(id.clone().into())).await, "MAPI_E_NOT_IN_QUEUE");
    let again = JsFuture::from(store.open_message(id.into(), JsValue::UNDEFINED)).await.unwrap();
    let again = Message::try_from_js_value(again).unwrap();
    let flags = get(&again.get_props(JsValue::UNDEFINED).unwrap(), "PidTagMessageFlags").as_f64().unwrap() as u32;
    assert_eq!(flags & 0x4, 0, "SUBMIT cleared");
}

#[wasm_bindgen_test]
async fn corrupt_data_is_repaired_by_rewriting_and_resubmitting() {
    let store = default_store().await;
    let m = new_draft(&store);
    let id = m.entry_id().unwrap();
    JsFuture::from(m.save_changes(JsValue::UNDEFINED)).await.unwrap();
    JsFuture::from(store.corrupt_record_for_testing(id.clone().into())).await.unwrap();
    assert_eq!(rejects(m.submit()).await, "MAPI_E_CORRUPT_DATA");
    m.set_props(obj(&[("PidTagSubject", "Отправка сообщения".into())])).unwrap();
    JsFuture::from(m.save_changes(JsValue::UNDEFINED)).await.unwrap();
    JsFuture::from(m.submit()).await.unwrap();
    let rows: Array = JsFuture::from(store.outgoing_queue()).await.unwrap().into();
    assert_eq!(get(&rows.get(0), "entryId").as_string().unwrap(), id);
}

#[wasm_bindgen_test]
async fn property_values_round_trip_with_their_js_types() {
    let store = default_store().await;
    let m = store.create_message().unwrap();
    let bytes = Uint8Array::from(&[0u8, 1, 254, 255][..]);
    let date = js_sys::Date::new(&JsValue::from_f64(1_700_000_000_000.0));
    m.set_props(obj(&[
        ("0x8001001F", "custom".into()),
        ("0x80020003", JsValue::from_f64(-7.0)),
        ("0x80030102", bytes.into()),
        ("0x80040014", JsValue::from(1i64 << 40)),
        ("0x80050040", date.into()),
        ("0x8006101F", Array::of2(&"a".into(), &"b".into()).into()),
        ("PidTagDeleteAfterSubmit", true.into()),
    ]))
    .unwrap();
    let p = m.get_props(JsValue::UNDEFINED).unwrap();
    assert_eq!(get(&p, "0x8001001F").as_string().unwrap(), "custom");
    assert_eq!(get(&p, "0x80020003").as_f64().unwrap(), -7.0);
    assert_eq!(Uint8Array::new(&get(&p, "0x80030102")).to_vec(), vec![0, 1, 254, 255]);
    assert_eq!(i64::try_from(get(&p, "0x80040014")).unwrap(), 1i64 << 40);
    assert_eq!(js_sys::Date::from(get(&p, "0x80050040")).get_time(), 1_700_000_000_000.0);
    assert_eq!(Array::from(&get(&p, "0x8006101F")).length(), 2);
    assert_eq!(get(&p, "PidTagDeleteAfterSubmit").as_bool(), Some(true));
}

#[wasm_bindgen_test]
async fn bad_values_are_mapi_errors_and_the_store_keeps_working() {
    let store = default_store().await;
    let m = store.create_message().unwrap();
    let big = "x".repeat(10 * 1024 * 1024);
    let cases: Vec<(JsValue, &str)> = vec![
        (JsValue::NULL, "MAPI_E_INVALID_PARAMETER"),
        (JsValue::UNDEFINED, "MAPI_E_INVALID_PARAMETER"),
        (JsValue::from_f64(5.0), "MAPI_E_INVALID_PARAMETER"),
        (js_sys::Symbol::for_("s").into(), "MAPI_E_INVALID_PARAMETER"),
        (obj(&[("PidTagSubject", obj(&[("nested", 1.into())]))]), "MAPI_E_INVALID_PARAMETER"),
        (obj(&[("PidTagSubject", JsValue::from_f64(1.0))]), "MAPI_E_INVALID_PARAMETER"),
        (obj(&[("PidTagImportance", JsValue::from_f64(1.5))]), "MAPI_E_INVALID_PARAMETER"),
        (obj(&[("PidTagImportance", JsValue::from_f64(f64::NAN))]), "MAPI_E_INVALID_PARAMETER"),
        (obj(&[("PidTagSubject", big.as_str().into())]), "MAPI_E_INVALID_PARAMETER"),
        (obj(&[(big.as_str(), 1.into())]), "MAPI_E_INVALID_PARAMETER"),
        (obj(&[("PidTagMessageFlags", 1.into())]), "MAPI_E_COMPUTED"),
    ];
    for (value, want) in cases {
        let err = m.set_props(value).unwrap_err();
        assert_eq!(code_name(&err), want);
        assert!(get(&err, "message").as_string().unwrap().len() < 500, "messages stay short");
        m.set_props(obj(&[("PidTagSubject", "still fine".into())])).unwrap();
    }
    for id in [JsValue::NULL, "zz".into(), big.as_str().into(), Uint8Array::new_with_length(3).into()] {
        assert_eq!(rejects(store.open_message(id, JsValue::UNDEFINED)).await, "MAPI_E_INVALID_ENTRYID");
    }
    let m2 = new_draft(&store);
    JsFuture::from(m2.submit()).await.unwrap();
}

#[wasm_bindgen_test]
async fn errors_carry_unsigned_codes_and_names() {
    let store = default_store().await;
    let m = store.create_message().unwrap();
    let err = JsFuture::from(m.submit()).await.unwrap_err();
    assert_eq!(get(&err, "name").as_string().unwrap(), "MapiError");
    assert_eq!(get(&err, "code").as_f64().unwrap(), 0x8004_0607u32 as f64);
    assert_eq!(code_name(&err), "MAPI_E_NO_RECIPIENTS");
    assert!(err.is_instance_of::<js_sys::Error>());
}

#[wasm_bindgen_test]
async fn unknown_options_and_backends_are_refused() {
    let e = JsFuture::from(Store::open(obj(&[("sendDelay", 5.into())]))).await.unwrap_err();
    assert_eq!(code_name(&e), "MAPI_E_INVALID_PARAMETER");
    assert!(get(&e, "message").as_string().unwrap().contains("sendDelay"));
    let e = JsFuture::from(Store::open(obj(&[("backend", "sqlite".into())]))).await.unwrap_err();
    assert_eq!(code_name(&e), "MAPI_E_UNKNOWN_FLAGS");
}

#[wasm_bindgen_test]
async fn a_closed_store_answers_invalid_object() {
    let store = default_store().await;
    let m = store.create_message().unwrap();
    JsFuture::from(store.close()).await.unwrap();
    assert_eq!(rejects(store.outgoing_queue()).await, "MAPI_E_INVALID_OBJECT");
    assert_eq!(code_name(&m.get_props(JsValue::UNDEFINED).unwrap_err()), "MAPI_E_INVALID_OBJECT");
}

#[wasm_bindgen_test]
async fn events_reach_listeners_after_the_change() {
    let store = default_store().await;
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let s2 = seen.clone();
    let listener = Closure::<dyn Fn(JsValue)>::new(move |ev: JsValue| {
        let d = get(&ev, "detail");
        s2.borrow_mut().push(get(&d, "submissionId").as_string().unwrap_or_default());
    });
    store
        .add_event_listener("submitted".into(), listener.as_ref().clone())
        .unwrap();
    let m = new_draft(&store);
    JsFuture::from(m.submit()).await.unwrap();
    // Events are dispatched on a later microtask.
    JsFuture::from(js_sys::Promise::resolve(&JsValue::UNDEFINED)).await.unwrap();
    JsFuture::from(js_sys::Promise::resolve(&JsValue::UNDEFINED)).await.unwrap();
    assert_eq!(seen.borrow().len(), 1);
    assert_eq!(seen.borrow()[0].len(), 32, "a submissionId");
}
