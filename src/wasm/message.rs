//! `Message`: a JS handle on a core `MessageObject`. Every JS value is converted before the
//! object is borrowed, so no user code (a getter, a proxy) runs while Rust holds a borrow.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::attachment::Attachment;
use super::convert::{
    self, describe, expect_array, prop_names, prop_object, props_to_object, rows_to_array,
};
use super::error::{to_js, IntoJs, JsResult};
use super::now_ms;
use super::store::{run, StoreInner};
use crate::error::Result;
use crate::mapi_err;
use crate::message::RecipientOp;
use crate::object::MessageObject;
use crate::store::SubmitInput;

#[wasm_bindgen]
pub struct Message {
    store: Rc<StoreInner>,
    obj: Rc<RefCell<MessageObject>>,
}

pub(crate) type SharedObject = Rc<RefCell<MessageObject>>;

/// Runs `f` on the object once the store is known to be open; a borrow conflict (only
/// possible from re-entrant JS) is MAPI_E_BUSY, never a panic.
pub(crate) fn with_obj<R>(
    store: &StoreInner,
    obj: &SharedObject,
    f: impl FnOnce(&mut MessageObject) -> Result<R>,
) -> JsResult<R> {
    store.check_open()?;
    let mut o = obj.try_borrow_mut().map_err(|_| {
        to_js(mapi_err!(
            Busy,
            "the message object is busy with another call"
        ))
    })?;
    f(&mut o).js()
}

impl Message {
    pub(crate) fn new(store: Rc<StoreInner>, obj: MessageObject) -> Message {
        Message {
            store,
            obj: Rc::new(RefCell::new(obj)),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut MessageObject) -> Result<R>) -> JsResult<R> {
        with_obj(&self.store, &self.obj, f)
    }
}

/// An attachment number argument.
pub(crate) fn attach_number(v: &JsValue) -> JsResult<u32> {
    match v.as_f64() {
        Some(n) if n.is_finite() && n.fract() == 0.0 && n >= 0.0 && n <= u32::MAX as f64 => {
            Ok(n as u32)
        }
        _ => Err(to_js(mapi_err!(
            InvalidParameter,
            "an attachment number must be a non-negative integer, got {}",
            describe(v)
        ))),
    }
}

/// `names` of getProps: undefined/null for all.
pub(crate) fn wanted(names: &JsValue) -> JsResult<Option<Vec<crate::props::PropTag>>> {
    if names.is_undefined() || names.is_null() {
        Ok(None)
    } else {
        prop_names("getProps names", names).map(Some)
    }
}

#[wasm_bindgen]
impl Message {
    /// `new Message()` is not how one is made: it throws a MapiError saying what is.
    #[wasm_bindgen(constructor)]
    pub fn new_refused() -> JsResult<Message> {
        Err(super::error::to_js(crate::mapi_err!(
            NoSupport,
            "new Message() is not supported: create one with `store.createMessage()` or open one with `await store.openMessage(entryId)`"
        )))
    }

    #[wasm_bindgen(getter, js_name = entryId)]
    pub fn entry_id(&self) -> JsResult<String> {
        self.with(|o| o.entry_id().map(|id| id.to_hex()))
    }

    #[wasm_bindgen(js_name = setProps)]
    pub fn set_props(&self, props: JsValue) -> JsResult<()> {
        self.with(|o| o.check_write())?;
        let max = self.store.config.limits.max_draft_bytes();
        let values = prop_object("setProps argument", &props, max)?;
        self.with(|o| o.set_props(values))
    }

    #[wasm_bindgen(js_name = getProps)]
    pub fn get_props(&self, names: JsValue) -> JsResult<JsValue> {
        self.with(|o| o.check_alive())?;
        let wanted = wanted(&names)?;
        let props = self.with(|o| o.get_props(wanted.as_deref()))?;
        Ok(props_to_object(&props))
    }

    #[wasm_bindgen(js_name = deleteProps)]
    pub fn delete_props(&self, names: JsValue) -> JsResult<()> {
        self.with(|o| o.check_write())?;
        let tags = prop_names("deleteProps names", &names)?;
        self.with(|o| o.delete_props(&tags))
    }

    #[wasm_bindgen(js_name = modifyRecipients)]
    pub fn modify_recipients(&self, op: JsValue, rows: JsValue) -> JsResult<()> {
        self.with(|o| o.check_write())?;
        let op = RecipientOp::parse(&convert::enum_option(
            "modifyRecipients op",
            &op,
            &["add", "modify", "remove"],
        )?)
        .js()?;
        let max = self.store.config.limits.max_draft_bytes();
        let rows = expect_array("modifyRecipients rows", &rows)?
            .iter()
            .enumerate()
            .map(|(i, r)| convert::prop_object_named(&format_args!("recipient row {i}"), r, max))
            .collect::<JsResult<Vec<_>>>()?;
        self.with(|o| o.modify_recipients(op, rows))
    }

    #[wasm_bindgen(js_name = getRecipients)]
    pub fn get_recipients(&self) -> JsResult<JsValue> {
        let rows = self.with(|o| o.get_recipients())?;
        Ok(rows_to_array(&rows))
    }

    #[wasm_bindgen(js_name = removeAllRecipients)]
    pub fn remove_all_recipients(&self) -> JsResult<()> {
        self.with(|o| o.remove_all_recipients())
    }

    #[wasm_bindgen(js_name = createAttach)]
    pub fn create_attach(&self) -> JsResult<Attachment> {
        let att = self.with(|o| o.create_attach())?;
        Ok(Attachment::new(self.store.clone(), self.obj.clone(), att))
    }

    #[wasm_bindgen(js_name = openAttach)]
    pub fn open_attach(&self, number: JsValue) -> JsResult<Attachment> {
        self.with(|o| o.check_alive())?;
        let n = attach_number(&number)?;
        let att = self.with(|o| o.open_attach(n))?;
        Ok(Attachment::new(self.store.clone(), self.obj.clone(), att))
    }

    #[wasm_bindgen(js_name = deleteAttach)]
    pub fn delete_attach(&self, number: JsValue) -> JsResult<()> {
        self.with(|o| o.check_write())?;
        let n = attach_number(&number)?;
        self.with(|o| o.delete_attach(n))
    }

    #[wasm_bindgen(js_name = getAttachments)]
    pub fn get_attachments(&self) -> JsResult<JsValue> {
        let rows = self.with(|o| o.get_attachments())?;
        Ok(rows_to_array(&rows))
    }

    /// `toMime()`: the message as it would be sent now (SPEC §7), from the object's pending
    /// content, saved or not; the store identity is the sender when the message has none.
    #[wasm_bindgen(js_name = toMime)]
    pub fn to_mime(&self) -> JsResult<js_sys::Uint8Array> {
        let opts = crate::mime::MimeOptions {
            identity: self.store.config.identity.as_ref(),
            now_ms: now_ms(),
            date_ms: None,
        };
        let bytes = self.with(|o| {
            o.check_alive()?;
            crate::mime::build(&o.content, &opts)
        })?;
        Ok(js_sys::Uint8Array::from(bytes.as_slice()))
    }

    /// `saveChanges({ keepOpen, force })`. The content is saved as it is at the call; changes
    /// made while the save is in flight stay pending in the object.
    #[wasm_bindgen(js_name = saveChanges)]
    pub fn save_changes(&self, options: JsValue) -> js_sys::Promise {
        let prepared = (|| -> JsResult<_> {
            self.with(|o| o.check_write())?;
            let o =
                convert::options_object("saveChanges options", &options, &["keepOpen", "force"])?;
            let read_only = match convert::opt(&o, "keepOpen")? {
                None => false,
                Some(k) => {
                    convert::enum_option("options.keepOpen", &k, &["readwrite", "readonly"])?
                        == "readonly"
                }
            };
            let force = match convert::opt(&o, "force")? {
                None => false,
                Some(f) => convert::bool_option("options.force", &f)?,
            };
            let limits = self.store.config.limits;
            let (base, content) = self.with(|o| {
                limits.check_draft(&o.content)?;
                Ok((o.base, o.content.clone()))
            })?;
            Ok((base, content, force, read_only))
        })();
        let (base, content, force, read_only) = match prepared {
            Ok(p) => p,
            Err(e) => return js_sys::Promise::reject(&e),
        };
        let store = self.store.clone();
        let obj = self.obj.clone();
        run(async move {
            let rec = store.backend()?.save(base, &content, force).await.js()?;
            with_obj(&store, &obj, |o| {
                o.after_save(&rec, read_only);
                Ok(())
            })?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `submit()`: busy until it settles; dead after success; unchanged after a failure.
    pub fn submit(&self) -> js_sys::Promise {
        if let Err(e) = self.with(|o| o.begin_submit()) {
            return js_sys::Promise::reject(&e);
        }
        let store = self.store.clone();
        let obj = self.obj.clone();
        super::store::run(async move {
            // Let the caller's synchronous code run first: the submit is in flight (and the
            // object busy) from the call until the promise settles, as on IndexedDB.
            let _ = JsFuture::from(js_sys::Promise::resolve(&JsValue::UNDEFINED)).await;
            let input = SubmitInput {
                now: now_ms(),
                seq: 0,
                submission_id: store.new_submission_id(),
                message_id: store.new_message_id(),
                send_delay_ms: store.config.send_delay_ms,
                limits: store.config.limits,
            };
            let snapshot = obj
                .try_borrow()
                .map(|o| (o.base, o.content.clone()))
                .map_err(|_| to_js(mapi_err!(Busy, "the message object is busy")));
            let result = match (snapshot, store.backend()) {
                (Ok((base, content)), Ok(backend)) => {
                    backend.submit(base, &content, input).await.js()
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
            let mut o = obj.try_borrow_mut().map_err(|_| {
                to_js(mapi_err!(
                    CallFailed,
                    "submit finished while the object was borrowed"
                ))
            })?;
            match result {
                Ok((_, events)) => {
                    o.end_submit(true);
                    // A dead object keeps nothing worth its memory.
                    o.content = Default::default();
                    drop(o);
                    store.emit(events);
                    store.spooler.kick();
                    Ok(JsValue::UNDEFINED)
                }
                Err(e) => {
                    o.end_submit(false);
                    Err(e)
                }
            }
        })
    }
}
