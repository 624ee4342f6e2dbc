//! JS timers from Rust. Timers are unref'd in Node, so a deferred message an hour away
//! does not keep a Node process alive.

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

/// A future that completes after `ms` (a JS timer). Dropped early, it clears its timer and
/// settles its promise, so nothing of Rust waits on a promise that will never settle.
pub struct Sleep {
    fut: wasm_bindgen_futures::JsFuture,
    handle: JsValue,
    resolve: Option<js_sys::Function>,
}

impl Sleep {
    pub fn new(ms: f64) -> Sleep {
        let mut handle = JsValue::UNDEFINED;
        let mut resolve = None;
        let p = js_sys::Promise::new(&mut |res, _| {
            handle = set_timeout(&res, ms);
            resolve = Some(res);
        });
        Sleep {
            fut: p.into(),
            handle,
            resolve,
        }
    }
}

impl std::future::Future for Sleep {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        match std::pin::Pin::new(&mut self.fut).poll(cx) {
            std::task::Poll::Ready(_) => {
                self.resolve = None;
                std::task::Poll::Ready(())
            }
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(resolve) = self.resolve.take() {
            clear(&self.handle);
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}
