//! IndexedDB requests and transactions as futures. The handlers wake the waiting task from
//! the request's own `success`/`error` event; wasm-bindgen-futures then polls it on a
//! microtask of that same event, while the transaction is still active (TOOLCHAIN trap 13:
//! tests/wasm_cases/idb.rs checks that a read, an await and a write stay in one transaction
//! in Chromium). Nothing but these futures may be awaited between a transaction's requests.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

type Outcome = Result<JsValue, JsValue>;

#[derive(Default)]
struct Slot {
    outcome: Option<Outcome>,
    waker: Option<Waker>,
}

/// Waits for one of two events on `target` (set as `on<event>` handlers, removed on drop).
pub struct EventFuture {
    target: JsValue,
    events: [&'static str; 2],
    slot: Rc<RefCell<Slot>>,
    _handlers: [Closure<dyn FnMut(JsValue)>; 2],
}

impl EventFuture {
    /// `ok`/`err` read the outcome from the target when `ok_event`/`err_event` fires.
    pub fn new(
        target: &JsValue,
        ok_event: &'static str,
        err_event: &'static str,
        ok: fn(&JsValue) -> JsValue,
        err: fn(&JsValue) -> JsValue,
    ) -> EventFuture {
        let slot = Rc::new(RefCell::new(Slot::default()));
        let make = |read: fn(&JsValue) -> JsValue, is_ok: bool| {
            let slot = slot.clone();
            let t = target.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_ev: JsValue| {
                let value = read(&t);
                let mut s = slot.borrow_mut();
                if s.outcome.is_none() {
                    s.outcome = Some(if is_ok { Ok(value) } else { Err(value) });
                    if let Some(w) = s.waker.take() {
                        w.wake();
                    }
                }
            })
        };
        let handlers = [make(ok, true), make(err, false)];
        let events = [ok_event, err_event];
        for (ev, h) in events.iter().zip(handlers.iter()) {
            let _ = js_sys::Reflect::set(target, &format!("on{ev}").into(), h.as_ref());
        }
        EventFuture {
            target: target.clone(),
            events,
            slot,
            _handlers: handlers,
        }
    }
}

impl Future for EventFuture {
    type Output = Outcome;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let mut s = self.slot.borrow_mut();
        match s.outcome.take() {
            Some(o) => Poll::Ready(o),
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for EventFuture {
    fn drop(&mut self) {
        // The closures die with this future: JS must not call them afterwards.
        for ev in self.events {
            let _ = js_sys::Reflect::set(&self.target, &format!("on{ev}").into(), &JsValue::NULL);
        }
    }
}

fn prop(target: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn result_of(t: &JsValue) -> JsValue {
    prop(t, "result")
}

fn error_of(t: &JsValue) -> JsValue {
    prop(t, "error")
}

fn nothing(_: &JsValue) -> JsValue {
    JsValue::UNDEFINED
}

/// An `IDBRequest`'s result (or its error).
pub fn request(req: &web_sys::IdbRequest) -> EventFuture {
    EventFuture::new(req.unchecked_ref(), "success", "error", result_of, error_of)
}

/// A transaction's end: Ok once committed, Err(the abort's cause) if aborted. Create it
/// right after the transaction, before any request can end it.
pub fn done(tx: &web_sys::IdbTransaction) -> EventFuture {
    EventFuture::new(tx.unchecked_ref(), "complete", "abort", nothing, error_of)
}

/// Whichever of two futures finishes first (both Unpin); the other is dropped.
pub enum First<A, B> {
    A(A),
    B(B),
}

pub struct Race<A, B>(pub A, pub B);

impl<A: Future + Unpin, B: Future + Unpin> Future for Race<A, B> {
    type Output = First<A::Output, B::Output>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(v) = Pin::new(&mut self.0).poll(cx) {
            return Poll::Ready(First::A(v));
        }
        if let Poll::Ready(v) = Pin::new(&mut self.1).poll(cx) {
            return Poll::Ready(First::B(v));
        }
        Poll::Pending
    }
}

/// Resolves after `ms` milliseconds (the global `setTimeout`, in windows and workers alike).
/// Never await it inside a transaction.
pub fn sleep(ms: f64) -> wasm_bindgen_futures::JsFuture {
    let p = js_sys::Promise::new(&mut |resolve, _reject| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match set_timeout {
            Some(f) => {
                if f.call2(&global, &resolve, &JsValue::from_f64(ms.max(0.0)))
                    .is_err()
                {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            }
            None => {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        }
    });
    wasm_bindgen_futures::JsFuture::from(p)
}
