// IndexedDB-only cases (Chromium), included by tests/wasm_browser.rs inside `mod indexeddb`
// after cases.rs, whose helpers they use.

use wasm_bindgen::JsCast;

async fn store_named(name: &str) -> Store {
    open(obj(&[
        ("backend", "indexeddb".into()),
        ("name", name.into()),
        ("identity", obj(&[("email", "me@example.org".into())])),
    ]))
    .await
}

async fn queue_ids(store: &Store) -> Vec<String> {
    let rows: Array = JsFuture::from(store.outgoing_queue()).await.unwrap().into();
    rows.iter().map(|r| get(&r, "entryId").as_string().unwrap()).collect()
}

async fn ticks(n: usize) {
    for _ in 0..n {
        let p = js_sys::Promise::new(&mut |ok, _| {
            let g = js_sys::global();
            let st: js_sys::Function = Reflect::get(&g, &"setTimeout".into()).unwrap().into();
            st.call2(&g, &ok, &JsValue::from_f64(5.0)).unwrap();
        });
        JsFuture::from(p).await.unwrap();
    }
}

/// A promise resolved from an IDBRequest's `onsuccess` (the way TOOLCHAIN trap 13 suggests).
fn request_promise(req: &web_sys::IdbRequest) -> js_sys::Promise {
    let req = req.clone();
    js_sys::Promise::new(&mut |ok, fail| {
        let r2 = req.clone();
        let on_ok = Closure::once_into_js(move || {
            ok.call1(&JsValue::UNDEFINED, &r2.result().unwrap()).unwrap();
        });
        let on_err = Closure::once_into_js(move || {
            fail.call0(&JsValue::UNDEFINED).unwrap();
        });
        req.set_onsuccess(Some(on_ok.unchecked_ref()));
        req.set_onerror(Some(on_err.unchecked_ref()));
    })
}

#[wasm_bindgen_test]
async fn a_jsfuture_continuation_keeps_the_transaction_active_in_chromium() {
    // Trap 13: awaiting a JsFuture of a promise resolved from onsuccess, then writing, must
    // still be the same transaction (no TransactionInactiveError).
    let factory: web_sys::IdbFactory = Reflect::get(&js_sys::global(), &"indexedDB".into()).unwrap().into();
    let req = factory.open_with_u32(&fresh_name(), 1).unwrap();
    let r2 = req.clone();
    let up = Closure::once_into_js(move || {
        let db: web_sys::IdbDatabase = r2.result().unwrap().into();
        db.create_object_store("s").unwrap();
    });
    req.set_onupgradeneeded(Some(up.unchecked_ref()));
    let db: web_sys::IdbDatabase = JsFuture::from(request_promise(&req)).await.unwrap().into();
    let tx = db
        .transaction_with_str_and_mode("s", web_sys::IdbTransactionMode::Readwrite)
        .unwrap();
    let s = tx.object_store("s").unwrap();
    s.put_with_key(&1.into(), &"k".into()).unwrap();
    let v = JsFuture::from(request_promise(&s.get(&"k".into()).unwrap())).await.unwrap();
    assert_eq!(v.as_f64(), Some(1.0));
    s.put_with_key(&2.into(), &"k".into()).expect("the transaction is still active after the await");
    let v = JsFuture::from(request_promise(&s.get(&"k".into()).unwrap())).await.unwrap();
    assert_eq!(v.as_f64(), Some(2.0));
    db.close();
}

#[wasm_bindgen_test]
async fn two_store_objects_of_one_database_share_uid_queue_and_messages() {
    let name = fresh_name();
    let a = store_named(&name).await;
    let b = store_named(&name).await;
    assert_eq!(
        get(&a.folders().unwrap(), "drafts").as_string(),
        get(&b.folders().unwrap(), "drafts").as_string(),
        "all store objects of a database share its uid"
    );
    let m = new_draft(&a);
    let id = m.entry_id().unwrap();
    JsFuture::from(m.submit()).await.unwrap();
    assert_eq!(queue_ids(&b).await, vec![id.clone()]);
    JsFuture::from(b.abort_submit(id.clone().into())).await.unwrap();
    assert!(queue_ids(&a).await.is_empty());
    let again = JsFuture::from(a.open_message(id.into(), JsValue::UNDEFINED)).await.unwrap();
    assert!(Message::try_from_js_value(again).is_ok());
}

#[wasm_bindgen_test]
async fn events_reach_the_other_store_objects_of_the_database() {
    let name = fresh_name();
    let a = store_named(&name).await;
    let b = store_named(&name).await;
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let s2 = seen.clone();
    let listener = Closure::<dyn Fn(JsValue)>::new(move |ev: JsValue| {
        s2.borrow_mut().push(get(&ev, "type").as_string().unwrap());
    });
    for t in ["queuechange", "submitted", "aborted"] {
        b.add_event_listener(t.into(), listener.as_ref().clone()).unwrap();
    }
    let m = new_draft(&a);
    let id = m.entry_id().unwrap();
    JsFuture::from(m.submit()).await.unwrap();
    JsFuture::from(a.abort_submit(id.into())).await.unwrap();
    for _ in 0..100 {
        if seen.borrow().len() >= 4 {
            break;
        }
        ticks(1).await;
    }
    assert_eq!(*seen.borrow(), vec!["submitted", "queuechange", "aborted", "queuechange"]);
}

#[wasm_bindgen_test]
async fn of_two_concurrent_locks_of_one_message_exactly_one_wins() {
    let name = fresh_name();
    let a = store_named(&name).await;
    let b = store_named(&name).await;
    let m = new_draft(&a);
    let id = m.entry_id().unwrap();
    JsFuture::from(m.submit()).await.unwrap();
    let now = js_sys::Date::now();
    let (ra, rb) = futures_join(a.lock_message(&id, "spooler-a", now, 60_000.0), b.lock_message(&id, "spooler-b", now, 60_000.0)).await;
    let wins = [&ra, &rb].iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{ra:?} {rb:?}");
    let loser = match (ra, rb) {
        (Err(e), _) | (_, Err(e)) => e,
        _ => unreachable!(),
    };
    assert_eq!(code_name(&loser), "MAPI_E_BUSY");
    assert_eq!(rejects(a.abort_submit(id.clone().into())).await, "MAPI_E_UNABLE_TO_ABORT");
    let rows: Array = JsFuture::from(b.outgoing_queue()).await.unwrap().into();
    assert_eq!(get(&rows.get(0), "PidTagSubmitFlags").as_f64(), Some(1.0), "SUBMITFLAG_LOCKED");
}

/// Both futures polled together (the test crate has no futures dependency).
async fn futures_join<A: std::future::Future, B: std::future::Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let std::task::Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let std::task::Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    (ra.unwrap(), rb.unwrap())
}

async fn lead(
    s: &Store,
    owner: &str,
    lease: bool,
) -> Result<Option<mapi_outbox::wasm::idb::Leadership>, JsValue> {
    if lease {
        s.lead_with_lease(owner).await
    } else {
        s.lead(owner).await
    }
}

async fn leadership_is_exclusive(lease: bool) {
    let name = fresh_name();
    let a = store_named(&name).await;
    let b = store_named(&name).await;
    let la = lead(&a, "a", lease).await.unwrap().expect("an IndexedDB store has a leadership");
    assert!(la.is_held());
    let order = std::rc::Rc::new(std::cell::RefCell::new(Vec::<&str>::new()));
    let o2 = order.clone();
    let waiting = wasm_bindgen_futures::future_to_promise(async move {
        let l = lead(&b, "b", lease).await?.unwrap();
        o2.borrow_mut().push("b leads");
        l.release().await.map_err(|e| JsValue::from_str(&e.message))?;
        Ok(JsValue::UNDEFINED)
    });
    ticks(20).await;
    assert!(order.borrow().is_empty(), "b must wait while a leads");
    order.borrow_mut().push("a releases");
    la.release().await.unwrap();
    assert!(!la.is_held());
    JsFuture::from(waiting).await.unwrap();
    assert_eq!(*order.borrow(), vec!["a releases", "b leads"]);
}

#[wasm_bindgen_test]
async fn spooler_leadership_is_exclusive_with_web_locks() {
    leadership_is_exclusive(false).await;
}

#[wasm_bindgen_test]
async fn spooler_leadership_is_exclusive_with_the_lease_fallback() {
    leadership_is_exclusive(true).await;
}

#[wasm_bindgen_test]
async fn corrupt_damages_the_stored_record_that_another_store_object_reads() {
    let name = fresh_name();
    let a = store_named(&name).await;
    let m = new_draft(&a);
    let id = m.entry_id().unwrap();
    JsFuture::from(m.save_changes(JsValue::UNDEFINED)).await.unwrap();
    JsFuture::from(a.corrupt_record_for_testing(id.clone().into())).await.unwrap();
    let b = store_named(&name).await;
    assert_eq!(rejects(b.open_message(id.clone().into(), JsValue::UNDEFINED)).await, "MAPI_E_CORRUPT_DATA");
    // the rewrite-and-resubmit path repairs it
    assert_eq!(rejects(m.submit()).await, "MAPI_E_CORRUPT_DATA");
    JsFuture::from(m.save_changes(JsValue::UNDEFINED)).await.unwrap();
    JsFuture::from(m.submit()).await.unwrap();
    assert_eq!(queue_ids(&b).await, vec![id]);
}

#[wasm_bindgen_test]
async fn a_foreign_database_of_that_name_is_refused_with_a_reason() {
    let name = fresh_name();
    let factory: web_sys::IdbFactory = Reflect::get(&js_sys::global(), &"indexedDB".into()).unwrap().into();
    let req = factory.open_with_u32(&name, 1).unwrap();
    let db: web_sys::IdbDatabase = JsFuture::from(request_promise(&req)).await.unwrap().into();
    db.close();
    let e = JsFuture::from(Store::open(obj(&[("backend", "indexeddb".into()), ("name", name.into())])))
        .await
        .unwrap_err();
    assert_eq!(code_name(&e), "MAPI_E_CALL_FAILED");
    assert!(get(&e, "message").as_string().unwrap().contains("not a mapi-outbox store"));
}
