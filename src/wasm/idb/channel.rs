//! Events between the store objects of one database (every tab of the origin, and other
//! store objects in this one): a BroadcastChannel named after the database. A sender's own
//! object does not receive its message; it dispatches its events itself.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::super::events::{self, Listeners};
use crate::store::Event;

pub struct Channel {
    bc: Option<web_sys::BroadcastChannel>,
    _on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
}

/// The channel name for database `name`.
pub fn channel_name(name: &str) -> String {
    format!("mapi-outbox:{name}")
}

impl Channel {
    /// Without BroadcastChannel (an old engine) events stay in this store object.
    pub fn open(name: &str, listeners: Rc<Listeners>) -> Channel {
        let has = js_sys::Reflect::get(&js_sys::global(), &"BroadcastChannel".into())
            .is_ok_and(|c| c.is_function());
        let Some(bc) = has
            .then(|| web_sys::BroadcastChannel::new(&channel_name(name)).ok())
            .flatten()
        else {
            return Channel {
                bc: None,
                _on_message: None,
            };
        };
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                events::dispatch_wire(&listeners, &ev.data());
            });
        bc.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Channel {
            bc: Some(bc),
            _on_message: Some(on_message),
        }
    }

    pub fn post(&self, list: &[Event]) {
        if let (Some(bc), false) = (&self.bc, list.is_empty()) {
            let _ = bc.post_message(&events::to_wire(list).into());
        }
    }

    pub fn close(&self) {
        if let Some(bc) = &self.bc {
            bc.set_onmessage(None);
            bc.close();
        }
    }
}

/// A store object dropped without `close()` (garbage-collected): no message of another tab
/// may reach its freed callback.
impl Drop for Channel {
    fn drop(&mut self) {
        self.close();
    }
}
