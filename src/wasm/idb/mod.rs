//! The IndexedDB backend: one database per store name, shared by every tab of the origin.
//! Every state change is one readwrite transaction (durability "strict") that reads the
//! record(s), lets the same core transition as the memory backend decide
//! (`crate::store::transitions`), and writes the result (ops.rs). Events reach the other
//! store objects of the database through a BroadcastChannel (channel.rs); the spooler's
//! leadership is a Web Lock or, without one, a lease record (leader.rs).

mod channel;
mod error;
pub mod leader;
mod open;
mod ops;
mod record;
mod request;
mod schema;
mod tx;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::set;
use super::events::{self, Listeners};
use crate::bail;
use crate::entry_id::StoreUid;
use crate::error::Result;
use crate::store::Event;

pub use leader::Leadership;

pub struct IdbStore {
    name: String,
    db: web_sys::IdbDatabase,
    uid: StoreUid,
    /// Why the connection is gone (another tab upgraded the database, the browser closed it).
    gone: Rc<RefCell<Option<String>>>,
    channel: channel::Channel,
    _on_versionchange: Closure<dyn FnMut(web_sys::IdbVersionChangeEvent)>,
    _on_close: Closure<dyn FnMut(JsValue)>,
}

impl IdbStore {
    pub async fn connect(
        name: &str,
        listeners: Rc<Listeners>,
        new_uid: [u8; 16],
    ) -> Result<IdbStore> {
        let (db, uid) = open::open_database(name, new_uid).await?;
        let gone: Rc<RefCell<Option<String>>> = Rc::default();
        // A newer version of the page wants to upgrade the database: let it (close at once,
        // so that it is never blocked by this tab), and tell this page.
        let on_versionchange = {
            let (db, gone, listeners, name) = (
                db.clone(),
                gone.clone(),
                listeners.clone(),
                name.to_string(),
            );
            Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(
                move |ev: web_sys::IdbVersionChangeEvent| {
                    db.close();
                    let new_version = ev.new_version();
                    *gone.borrow_mut() = Some(match new_version {
                        Some(v) => format!(
                            "another tab opened IndexedDB database {name:?} at version {} (this \
                             page uses version {}), so this store was closed; reload the page",
                            crate::num::show(v),
                            schema::VERSION
                        ),
                        None => format!(
                            "another tab deleted IndexedDB database {name:?}, so this store was \
                             closed; reload the page"
                        ),
                    });
                    let d = js_sys::Object::new();
                    set(&d, "name", &name.as_str().into());
                    set(&d, "oldVersion", &ev.old_version().into());
                    set(
                        &d,
                        "newVersion",
                        &new_version.map_or(JsValue::NULL, JsValue::from_f64),
                    );
                    events::dispatch_details(&listeners, vec![("versionchange".into(), d.into())]);
                },
            )
        };
        db.set_onversionchange(Some(on_versionchange.as_ref().unchecked_ref()));
        let on_close = {
            let (gone, name) = (gone.clone(), name.to_string());
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                gone.borrow_mut().get_or_insert_with(|| {
                    format!(
                        "the browser closed IndexedDB database {name:?} (storage cleared or \
                         unavailable); reload the page"
                    )
                });
            })
        };
        db.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(IdbStore {
            channel: channel::Channel::open(name, listeners),
            name: name.to_string(),
            db,
            uid,
            gone,
            _on_versionchange: on_versionchange,
            _on_close: on_close,
        })
    }

    pub fn uid(&self) -> StoreUid {
        self.uid
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database, unless the connection is gone.
    fn db(&self) -> Result<&web_sys::IdbDatabase> {
        if let Some(why) = self.gone.borrow().as_ref() {
            bail!(InvalidObject, "{why}");
        }
        Ok(&self.db)
    }

    /// Tells the other store objects of this database (other tabs included).
    pub fn broadcast(&self, events: &[Event]) {
        self.channel.post(events);
    }

    pub fn close(&self) {
        self.db.set_onversionchange(None);
        self.db.set_onclose(None);
        self.db.close();
        self.channel.close();
        self.gone
            .borrow_mut()
            .get_or_insert_with(|| "the store is closed".to_string());
    }
}

impl Drop for IdbStore {
    fn drop(&mut self) {
        self.close();
    }
}
