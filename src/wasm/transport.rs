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

thread_local! {
    /// js/common.js's `callTransport`, once registered.
    static CALL: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

pub fn register_call(f: js_sys::Function) {
    CALL.with(|c| *c.borrow_mut() = Some(f));
}

/// How to give up a send: abort its signal (where it has a controller of ours) and settle
/// the promise the spooler waits on.
#[derive(Clone)]
struct GiveUp {
    controller: Option<JsValue>,
    cancel: js_sys::Function,
}

impl GiveUp {
    fn run(&self) {
        if let Some(c) = &self.controller {
            abort(c);
        }
        let _ = self.cancel.call0(&JsValue::UNDEFINED);
    }
}

/// The sends in flight of one spooler: closing the store gives them all up.
#[derive(Clone, Default)]
pub struct Controllers(Rc<RefCell<Vec<GiveUp>>>);

impl Controllers {
    pub fn abort_all(&self) {
        let all: Vec<GiveUp> = self.0.borrow_mut().drain(..).collect();
        for g in &all {
            g.run();
        }
    }

    fn add(&self, g: &GiveUp) {
        self.0.borrow_mut().push(g.clone());
    }

    fn remove(&self, g: &GiveUp) {
        self.0
            .borrow_mut()
            .retain(|x| !js_sys::Object::is(&x.cancel, &g.cancel));
    }
}

/// A send in flight. Dropped before the transport settled (the spooler gave up on it: time
/// out, store closed), it aborts the send's signal and settles the promise the spooler waits
/// on, so that no Rust closure stays attached to a promise that may never settle.
struct InFlight {
    give_up: GiveUp,
    controllers: Controllers,
    settled: bool,
}

impl InFlight {
    fn new(give_up: GiveUp, controllers: &Controllers) -> InFlight {
        controllers.add(&give_up);
        InFlight {
            give_up,
            controllers: controllers.clone(),
            settled: false,
        }
    }

    /// The send settled: nothing to give up.
    fn settled(mut self) {
        self.settled = true;
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.controllers.remove(&self.give_up);
        if !self.settled {
            self.give_up.run();
        }
    }
}

impl JsTransport {
    /// Calls `send(outgoing, { signal })` and reads how it settled. The spooler bounds the
    /// wait (dropping this future aborts the signal).
    pub async fn send(&self, outgoing: &JsValue, controllers: &Controllers) -> Settled {
        let Some(call) = CALL.with(|c| c.borrow().clone()) else {
            return self.send_here(outgoing, controllers).await;
        };
        // [settled, cancel]: settled resolves with [0, value], [1, error] or [2] (given up).
        let pair = match call.call3(&JsValue::UNDEFINED, &self.send, &self.obj, outgoing) {
            Ok(p) => js_sys::Array::from(&p),
            Err(e) => return rejection(&e),
        };
        let (Ok(settled), Ok(cancel)) = (
            pair.get(0).dyn_into::<js_sys::Promise>(),
            pair.get(1).dyn_into::<js_sys::Function>(),
        ) else {
            return malformed("the transport could not be called");
        };
        let give_up = GiveUp {
            controller: None,
            cancel,
        };
        let flight = InFlight::new(give_up, controllers);
        let outcome = JsFuture::from(settled).await;
        flight.settled();
        let outcome = js_sys::Array::from(&outcome.unwrap_or(JsValue::UNDEFINED));
        match outcome.get(0).as_f64() {
            Some(0.0) => resolution(&outcome.get(1)),
            Some(1.0) => rejection(&outcome.get(1)),
            // Given up on: not read (this future was dropped first).
            _ => Settled::TimedOut,
        }
    }

    /// The same without js/common.js (the raw module, as `wasm-pack test` loads it): the
    /// transport's promise raced against one settled when the send is given up; no Rust
    /// closure is attached to the transport's own promise (one that never settled would keep
    /// it allocated).
    async fn send_here(&self, outgoing: &JsValue, controllers: &Controllers) -> Settled {
        let controller = abort_controller();
        let opts = js_sys::Object::new();
        if let Some(c) = &controller {
            if let Ok(signal) = js_sys::Reflect::get(c, &"signal".into()) {
                set(&opts, "signal", &signal);
            }
        }
        let returned = match self.send.call2(&self.obj, outgoing, &opts) {
            Ok(v) => v,
            Err(e) => return rejection(&e),
        };
        let sent = js_sys::Promise::resolve(&returned);
        let mut resolve = None;
        let cancelled = js_sys::Promise::new(&mut |r, _| resolve = Some(r));
        let Some(resolve) = resolve else {
            return malformed("the transport could not be called");
        };
        let given_up: JsValue = js_sys::Object::new().into();
        // Giving up aborts the signal and resolves the race with `given_up` (bound, so that
        // no Rust closure is made for it).
        let cancel: js_sys::Function = resolve
            .bind1(&JsValue::UNDEFINED, &given_up)
            .unchecked_into();
        let flight = InFlight::new(GiveUp { controller, cancel }, controllers);
        let race = js_sys::Promise::race(&js_sys::Array::of2(&sent, &cancelled));
        let outcome = JsFuture::from(race).await;
        flight.settled();
        match outcome {
            Ok(v) if js_sys::Object::is(&v, &given_up) => Settled::TimedOut,
            Ok(v) => resolution(&v),
            Err(e) => rejection(&e),
        }
    }
}
