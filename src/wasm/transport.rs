//! Transports are plain JS objects `{ name, addressTypes, send(outgoing, { signal }) }`.
//! This file checks them, calls `send`, and reads how it settled; what that means is decided
//! by the core (`spool::classify`).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::convert::{describe, expect_array, expect_object, get, set};
use super::error::{to_js, JsResult};
use super::js;
use crate::error::MapiCode;
use crate::spool::{Settled, TransportInfo};

#[derive(Clone)]
pub struct JsTransport {
    pub info: TransportInfo,
    obj: JsValue,
    send: js_sys::Function,
}

fn invalid(msg: String) -> JsValue {
    to_js(crate::error::Error::new(MapiCode::InvalidParameter, msg))
}

/// Checks a transport object; `what` names it in errors.
pub fn parse(what: &str, v: &JsValue) -> JsResult<JsTransport> {
    let o = expect_object(what, v)?;
    let name = get(&o, "name")?
        .as_string()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| invalid(format!("{what}.name must be a non-empty string")))?;
    let types_v = get(&o, "addressTypes")?;
    if !js::looks_like_array(&types_v) {
        return Err(invalid(format!(
            "{what}.addressTypes must be a non-empty array of strings such as [\"SMTP\"], got {}",
            describe(&types_v)
        )));
    }
    let mut address_types = Vec::new();
    for t in expect_array(&format!("{what}.addressTypes"), &types_v)? {
        match t.as_string().filter(|s| !s.is_empty() && s.len() <= 64) {
            Some(s) => address_types.push(s.to_ascii_uppercase()),
            None => {
                return Err(invalid(format!(
                    "{what}.addressTypes must hold non-empty strings, got {}",
                    describe(&t)
                )))
            }
        }
    }
    if address_types.is_empty() {
        return Err(invalid(format!("{what}.addressTypes must not be empty")));
    }
    let send = get(&o, "send")?
        .dyn_into::<js_sys::Function>()
        .map_err(|v| {
            invalid(format!(
                "{what}.send must be a function, got {}",
                describe(&v)
            ))
        })?;
    Ok(JsTransport {
        info: TransportInfo {
            name,
            address_types,
        },
        obj: v.clone(),
        send,
    })
}

/// A new AbortController, where the platform has one.
fn abort_controller() -> Option<JsValue> {
    let ctor = js_sys::Reflect::get(&js_sys::global(), &"AbortController".into()).ok()?;
    let ctor = ctor.dyn_into::<js_sys::Function>().ok()?;
    js_sys::Reflect::construct(&ctor, &js_sys::Array::new()).ok()
}

pub fn abort(controller: &JsValue) {
    if let Ok(f) = js_sys::Reflect::get(controller, &"abort".into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call0(controller);
        }
    }
}

/// How a rejection reads: its numeric MAPI code, its text, and `retryAfterMs`.
fn rejection(err: &JsValue) -> Settled {
    let field = |k: &str| js_sys::Reflect::get(err, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let code = if err.is_object() {
        field("code")
            .as_f64()
            .filter(|c| c.fract() == 0.0)
            .map(|c| c as i64 as u32)
    } else {
        None
    };
    let message = if err.is_object() {
        field("message").as_string()
    } else {
        None
    };
    let message = message.unwrap_or_else(|| err.as_string().unwrap_or_else(|| describe(err)));
    let text = match code.and_then(MapiCode::from_value) {
        Some(c) if !message.starts_with(c.name()) => format!("{}: {message}", c.name()),
        _ => match field("name").as_string() {
            Some(n)
                if err.is_object() && !n.is_empty() && n != "Error" && !message.starts_with(&n) =>
            {
                format!("{n}: {message}")
            }
            _ => message,
        },
    };
    let retry_after_ms = if err.is_object() {
        field("retryAfterMs").as_f64()
    } else {
        None
    };
    Settled::Rejected {
        code,
        text: text.chars().take(2000).collect(),
        retry_after_ms,
    }
}

/// How a resolution reads: nothing, or `{ failed: [{ email, reason }] }`.
fn resolution(v: &JsValue) -> Settled {
    if !v.is_object() {
        return Settled::Resolved { failed: Vec::new() };
    }
    let failed = js_sys::Reflect::get(v, &"failed".into()).unwrap_or(JsValue::UNDEFINED);
    if failed.is_undefined() || failed.is_null() {
        return Settled::Resolved { failed: Vec::new() };
    }
    if !js::looks_like_array(&failed) {
        return malformed("`failed` is not an array");
    }
    let Ok(failed) = js::elements(&failed) else {
        return malformed("`failed` could not be read (it threw, or is too long)");
    };
    let mut out = Vec::new();
    for f in failed {
        let email = js_sys::Reflect::get(&f, &"email".into())
            .ok()
            .and_then(|e| e.as_string());
        let Some(email) = email else {
            return malformed("an entry of `failed` has no email string");
        };
        let reason = js_sys::Reflect::get(&f, &"reason".into())
            .ok()
            .and_then(|r| r.as_string())
            .unwrap_or_else(|| "the transport reported a failure without a reason".into());
        out.push((email, reason.chars().take(2000).collect()));
    }
    Settled::Resolved { failed: out }
}

/// A resolution we cannot read is not taken as delivery: it is retried.
fn malformed(why: &str) -> Settled {
    Settled::Rejected {
        code: None,
        text: format!("the transport resolved with a malformed result: {why}"),
        retry_after_ms: None,
    }
}

/// The AbortControllers of the sends in flight of one spooler (closing the store aborts them).
#[derive(Clone, Default)]
pub struct Controllers(Rc<RefCell<Vec<JsValue>>>);

impl Controllers {
    pub fn abort_all(&self) {
        let all: Vec<JsValue> = self.0.borrow_mut().drain(..).collect();
        for c in &all {
            abort(c);
        }
    }

    fn remove(&self, c: &JsValue) {
        self.0.borrow_mut().retain(|x| !js_sys::Object::is(x, c));
    }
}

/// A send in flight. Dropped before the transport settled (the spooler gave up on it: time
/// out, store closed), it aborts the send's signal and settles the race the spooler waits
/// on, so that no Rust closure stays attached to a promise that may never settle.
struct InFlight {
    controller: Option<JsValue>,
    controllers: Controllers,
    cancel: Option<js_sys::Function>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(c) = &self.controller {
            self.controllers.remove(c);
        }
        if let Some(cancel) = self.cancel.take() {
            if let Some(c) = &self.controller {
                abort(c);
            }
            let _ = cancel.call0(&JsValue::UNDEFINED);
        }
    }
}

impl JsTransport {
    /// Calls `send(outgoing, { signal })` and reads how it settled. The spooler bounds the
    /// wait (dropping this future aborts the signal).
    pub async fn send(&self, outgoing: &JsValue, controllers: &Controllers) -> Settled {
        let controller = abort_controller();
        let opts = js_sys::Object::new();
        if let Some(c) = &controller {
            if let Ok(signal) = js_sys::Reflect::get(c, &"signal".into()) {
                set(&opts, "signal", &signal);
            }
            controllers.0.borrow_mut().push(c.clone());
        }
        let mut flight = InFlight {
            controller,
            controllers: controllers.clone(),
            cancel: None,
        };
        let returned = match self.send.call2(&self.obj, outgoing, &opts) {
            Ok(v) => v,
            Err(e) => return rejection(&e),
        };
        let sent = js_sys::Promise::resolve(&returned);
        // The race settles with the transport's value or rejection, or when this send is
        // abandoned. No Rust closure is handed to the transport's own promise: one settling
        // late, or never, holds nothing of this module.
        let cancelled = js_sys::Promise::new(&mut |resolve, _| flight.cancel = Some(resolve));
        let race = js_sys::Promise::race(&js_sys::Array::of2(&sent, &cancelled));
        let outcome = JsFuture::from(race).await;
        flight.cancel = None;
        drop(flight);
        match outcome {
            Ok(v) => resolution(&v),
            Err(e) => rejection(&e),
        }
    }
}
