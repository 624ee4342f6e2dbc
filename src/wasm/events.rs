//! Store events. Listeners run asynchronously (a microtask after the change), so a listener
//! that calls back into the store never meets a half-made change, and one that throws is
//! reported without affecting the store or the other listeners.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::set;
use crate::store::Event;

pub const TYPES: &[&str] = &[
    "queuechange",
    "submitted",
    "sending",
    "sent",
    "retry",
    "aborted",
    "ndr",
    "versionchange",
];

#[derive(Default)]
pub struct Listeners {
    list: RefCell<Vec<(String, JsValue)>>,
    /// Called when events arrive from another store object of the same database (another
    /// tab): the spooler looks at the queue again.
    on_remote: RefCell<Option<Box<dyn Fn()>>>,
}

impl Listeners {
    pub fn set_on_remote(&self, f: Box<dyn Fn()>) {
        *self.on_remote.borrow_mut() = Some(f);
    }

    pub fn add(&self, ty: String, listener: JsValue) {
        let mut list = self.list.borrow_mut();
        if !list
            .iter()
            .any(|(t, l)| *t == ty && js_sys::Object::is(l, &listener))
        {
            list.push((ty, listener));
        }
    }

    pub fn remove(&self, ty: &str, listener: &JsValue) {
        self.list
            .borrow_mut()
            .retain(|(t, l)| !(t == ty && js_sys::Object::is(l, listener)));
    }

    pub fn clear(&self) {
        self.list.borrow_mut().clear();
    }

    fn listens_to(&self, ty: &str) -> bool {
        self.list.borrow().iter().any(|(t, _)| t == ty)
    }

    fn matching(&self, ty: &str) -> Vec<JsValue> {
        self.list
            .borrow()
            .iter()
            .filter(|(t, _)| t == ty)
            .map(|(_, l)| l.clone())
            .collect()
    }
}

fn detail_of(e: &Event) -> (&'static str, JsValue) {
    super::wire::detail(e)
}

/// A `CustomEvent` where the platform has one, else `{ type, detail }`.
fn make_event(ty: &str, detail: &JsValue) -> JsValue {
    let global = js_sys::global();
    if let Ok(ctor) = js_sys::Reflect::get(&global, &"CustomEvent".into()) {
        if let Ok(ctor) = ctor.dyn_into::<js_sys::Function>() {
            let init = js_sys::Object::new();
            set(&init, "detail", detail);
            let args = js_sys::Array::of2(&ty.into(), &init);
            if let Ok(ev) = js_sys::Reflect::construct(&ctor, &args) {
                return ev;
            }
        }
    }
    let ev = js_sys::Object::new();
    set(&ev, "type", &ty.into());
    set(&ev, "detail", detail);
    ev.into()
}

fn report(err: &JsValue) {
    let global = js_sys::global();
    let console = js_sys::Reflect::get(&global, &"console".into()).unwrap_or(JsValue::UNDEFINED);
    if let Ok(f) = js_sys::Reflect::get(&console, &"error".into()) {
        if let Ok(f) = f.dyn_into::<js_sys::Function>() {
            let _ = f.call2(
                &console,
                &"mapi-outbox: an event listener threw".into(),
                err,
            );
        }
    }
}

/// Queues the events for dispatch on the next microtask. Only the events somebody listens
/// to are made into JS objects.
pub fn dispatch(listeners: &Rc<Listeners>, events: Vec<Event>) {
    let wanted: Vec<(String, JsValue)> = events
        .iter()
        .filter(|e| listeners.listens_to(e.type_name()))
        .map(detail_of)
        .map(|(t, d)| (t.to_string(), d))
        .collect();
    dispatch_details(listeners, wanted);
}

/// The events as `[[type, detail], ...]`, for another tab (structured-cloneable).
pub fn to_wire(events: &[Event]) -> js_sys::Array {
    events
        .iter()
        .map(|e| {
            let (ty, detail) = detail_of(e);
            JsValue::from(js_sys::Array::of2(&ty.into(), &detail))
        })
        .collect()
}

/// Events that came from another store object as `[[type, detail], ...]`: each detail is
/// read as the shape of its type and made afresh (anything else in the message is dropped).
pub fn dispatch_wire(listeners: &Rc<Listeners>, wire: &JsValue) {
    if !js_sys::Array::is_array(wire) {
        return;
    }
    let list = js_sys::Array::from(wire)
        .iter()
        .filter(js_sys::Array::is_array)
        .map(|p| js_sys::Array::from(&p))
        .filter_map(|pair| {
            let ty = pair.get(0).as_string()?;
            if !listeners.listens_to(&ty) {
                return None;
            }
            let detail = super::wire::check_detail(&ty, pair.get(1))?;
            Some((ty, detail))
        })
        .collect();
    dispatch_details(listeners, list);
    if let Some(f) = listeners.on_remote.borrow().as_ref() {
        f();
    }
}

/// Queues `(type, detail)` pairs for dispatch on the next microtask.
pub fn dispatch_details(listeners: &Rc<Listeners>, events: Vec<(String, JsValue)>) {
    if events.is_empty() {
        return;
    }
    let listeners = listeners.clone();
    wasm_bindgen_futures::spawn_local(async move {
        for (ty, detail) in &events {
            let targets = listeners.matching(ty);
            if targets.is_empty() {
                continue;
            }
            let ev = make_event(ty, detail);
            for l in targets {
                let result = if let Some(f) = l.dyn_ref::<js_sys::Function>() {
                    f.call1(&JsValue::UNDEFINED, &ev)
                } else {
                    match js_sys::Reflect::get(&l, &"handleEvent".into()) {
                        Ok(h) if h.is_function() => {
                            h.unchecked_into::<js_sys::Function>().call1(&l, &ev)
                        }
                        _ => Ok(JsValue::UNDEFINED),
                    }
                };
                if let Err(err) = result {
                    report(&err);
                }
            }
        }
    });
}
