//! JS timers from Rust. Timers are unref'd in Node, so a deferred message an hour away
//! does not keep a Node process alive.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn global_fn(name: &str) -> Option<js_sys::Function> {
    js_sys::Reflect::get(&js_sys::global(), &name.into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()
}

/// Calls `f` once after `ms`; returns the handle for `clear`.
pub fn set_timeout(f: &js_sys::Function, ms: f64) -> JsValue {
    set_timeout_with(f, ms, &JsValue::UNDEFINED)
}

/// Calls `f(arg)` once after `ms` (setTimeout passes extra arguments on, so no closure is
/// needed to bind one); returns the handle for `clear`.
fn set_timeout_with(f: &js_sys::Function, ms: f64, arg: &JsValue) -> JsValue {
    let Some(st) = global_fn("setTimeout") else {
        return JsValue::UNDEFINED;
    };
    let ms = if ms.is_finite() {
        ms.clamp(0.0, 2_147_483_647.0)
    } else {
        2_147_483_647.0
    };
    let handle = st
        .call3(&JsValue::UNDEFINED, f, &JsValue::from_f64(ms), arg)
        .unwrap_or(JsValue::UNDEFINED);
    if let Ok(unref) = js_sys::Reflect::get(&handle, &"unref".into()) {
        if let Some(unref) = unref.dyn_ref::<js_sys::Function>() {
            let _ = unref.call0(&handle);
        }
    }
    handle
}

pub fn clear(handle: &JsValue) {
    if handle.is_undefined() {
        return;
    }
    if let Some(ct) = global_fn("clearTimeout") {
        let _ = ct.call1(&JsValue::UNDEFINED, handle);
    }
}

/// A future that completes after `ms`. Sleeps do not each get a JS timer: they wait in one
/// ordered list per module, woken by a single `setTimeout` armed for the earliest of them (a
/// send holds two sleeps, its time-out and its lease renewal, and most are dropped long
/// before they are due: dropping one only takes it off the list).
pub struct Sleep {
    at: i64,
    id: Option<u64>,
}

#[derive(Default)]
struct Wheel {
    /// (due time, id, waker), unordered: a handful at a time (two per send in flight).
    sleeps: Vec<(i64, u64, Waker)>,
    seq: u64,
    /// When the JS timer fires, and its handle.
    armed: Option<(i64, JsValue)>,
    tick: Option<Closure<dyn FnMut()>>,
}

thread_local! {
    static WHEEL: RefCell<Wheel> = RefCell::default();
}

fn arm(w: &mut Wheel, now: i64) {
    let Some(at) = w.sleeps.iter().map(|s| s.0).min() else {
        return;
    };
    if w.armed.as_ref().is_some_and(|(armed, _)| *armed <= at) {
        return;
    }
    if let Some((_, handle)) = w.armed.take() {
        clear(&handle);
    }
    let tick = w.tick.get_or_insert_with(|| Closure::new(tick));
    let handle = set_timeout(tick.as_ref().unchecked_ref(), (at - now).max(0) as f64);
    w.armed = Some((at, handle));
}

/// The JS timer fired: wakes every sleep that is due, and arms the timer for the next.
fn tick() {
    let now = super::now_ms();
    let due: Vec<Waker> = WHEEL.with(|w| {
        let mut w = w.borrow_mut();
        w.armed = None;
        let mut due = Vec::new();
        w.sleeps.retain(|(at, _, waker)| {
            if *at <= now {
                due.push(waker.clone());
            }
            *at > now
        });
        arm(&mut w, now);
        due
    });
    for waker in due {
        waker.wake();
    }
}

impl Sleep {
    pub fn new(ms: f64) -> Sleep {
        let ms = if ms.is_finite() { ms.max(0.0) } else { 1e15 };
        Sleep {
            at: super::now_ms().saturating_add(ms as i64),
            id: None,
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let now = super::now_ms();
        if now >= self.at {
            if let Some(id) = self.id.take() {
                WHEEL.with(|w| w.borrow_mut().sleeps.retain(|s| s.1 != id));
            }
            return Poll::Ready(());
        }
        let at = self.at;
        let id = WHEEL.with(|w| {
            let mut w = w.borrow_mut();
            let id = match self.id {
                Some(id) => {
                    w.sleeps.retain(|s| s.1 != id);
                    id
                }
                None => {
                    w.seq += 1;
                    w.seq
                }
            };
            w.sleeps.push((at, id, cx.waker().clone()));
            arm(&mut w, now);
            id
        });
        self.id = Some(id);
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            // (The JS timer stays armed if this was the earliest: it fires once, finds
            // nothing due, and arms itself for the next.)
            let _ = WHEEL.try_with(|w| w.borrow_mut().sleeps.retain(|s| s.1 != id));
        }
    }
}
