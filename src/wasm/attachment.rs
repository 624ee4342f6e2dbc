//! `Attachment`: pending properties of one attachment; `saveChanges` commits them into the
//! parent message's pending state. Dead whenever its message is.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::convert::{prop_names, prop_object, props_to_object};
use super::error::{to_js, JsResult};
use super::message::{wanted, with_obj, SharedObject};
use super::store::StoreInner;
use crate::error::Result;
use crate::mapi_err;
use crate::object::{AttachmentObject, MessageObject};

#[wasm_bindgen]
pub struct Attachment {
    store: Rc<StoreInner>,
    parent: SharedObject,
    att: RefCell<AttachmentObject>,
}

impl Attachment {
    pub(crate) fn new(store: Rc<StoreInner>, parent: SharedObject, att: AttachmentObject) -> Self {
        Attachment {
            store,
            parent,
            att: RefCell::new(att),
        }
    }

    fn with<R>(
        &self,
        f: impl FnOnce(&mut MessageObject, &mut AttachmentObject) -> Result<R>,
    ) -> JsResult<R> {
        let mut att = self.att.try_borrow_mut().map_err(|_| {
            to_js(mapi_err!(
                Busy,
                "the attachment object is busy with another call"
            ))
        })?;
        with_obj(&self.store, &self.parent, |parent| f(parent, &mut att))
    }
}

#[wasm_bindgen]
impl Attachment {
    /// `new Attachment()` is not how one is made: it throws a MapiError saying what is.
    #[wasm_bindgen(constructor)]
    pub fn new_refused() -> JsResult<Attachment> {
        Err(super::error::to_js(crate::mapi_err!(
            NoSupport,
            "new Attachment() is not supported: create one with `message.createAttach()` or open one with `message.openAttach(number)`"
        )))
    }

    #[wasm_bindgen(js_name = setProps)]
    pub fn set_props(&self, props: JsValue) -> JsResult<()> {
        self.with(|p, _| p.check_write())?;
        let max = self.store.config.limits.max_draft_bytes();
        let values = prop_object("setProps argument", &props, max)?;
        self.with(|p, a| a.set_props(p, values))
    }

    #[wasm_bindgen(js_name = getProps)]
    pub fn get_props(&self, names: JsValue) -> JsResult<JsValue> {
        self.with(|p, _| p.check_alive())?;
        let wanted = wanted(&names)?;
        let props = self.with(|p, a| a.get_props(p, wanted.as_deref()))?;
        Ok(props_to_object(&props))
    }

    #[wasm_bindgen(js_name = deleteProps)]
    pub fn delete_props(&self, names: JsValue) -> JsResult<()> {
        self.with(|p, _| p.check_write())?;
        let tags = prop_names("deleteProps names", &names)?;
        self.with(|p, a| a.delete_props(p, &tags))
    }

    /// Synchronous: commits into the message's pending state.
    #[wasm_bindgen(js_name = saveChanges)]
    pub fn save_changes(&self) -> JsResult<()> {
        let max = self.store.config.limits.max_draft_bytes();
        self.with(|p, a| a.save_within(p, max))
    }
}
