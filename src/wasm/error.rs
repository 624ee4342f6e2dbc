//! The one place where core errors become JS `MapiError`s.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::error::Error;

thread_local! {
    static ERROR_CLASS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

pub fn register_class(ctor: js_sys::Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(ctor));
}

/// A `MapiError` for a core error: the registered class when the package entry set it,
/// otherwise an `Error` with the same name, code and codeName (the raw wasm-bindgen module,
/// as `wasm-pack test` uses it).
pub fn to_js(e: Error) -> JsValue {
    let code = JsValue::from_f64(e.code.value() as f64);
    let message = JsValue::from_str(&e.message);
    let constructed = ERROR_CLASS.with(|c| {
        c.borrow().as_ref().and_then(|ctor| {
            let args = js_sys::Array::of2(&code, &message);
            js_sys::Reflect::construct(ctor, &args).ok()
        })
    });
    if let Some(err) = constructed {
        return err;
    }
    let err = js_sys::Error::new(&e.message);
    err.set_name("MapiError");
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code);
    let _ = js_sys::Reflect::set(&err, &"codeName".into(), &e.code.name().into());
    err.into()
}

pub type JsResult<T> = Result<T, JsValue>;

/// `?` on a core result inside the binding.
pub trait IntoJs<T> {
    fn js(self) -> JsResult<T>;
}

impl<T> IntoJs<T> for crate::error::Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(to_js)
    }
}

/// A promise settled with the result: async methods reject rather than throw.
pub fn settle(r: JsResult<JsValue>) -> js_sys::Promise {
    match r {
        Ok(v) => js_sys::Promise::resolve(&v),
        Err(e) => js_sys::Promise::reject(&e),
    }
}
