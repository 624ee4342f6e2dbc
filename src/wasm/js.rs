//! Reading caller-supplied JS values without letting the caller's code escape.
//!
//! A value handed to the module may be a Proxy whose traps throw, a revoked Proxy, an object
//! with throwing getters, a detached buffer or a huge sparse array. js-sys's plain bindings
//! (`Array.isArray`, `Object.keys`, `Uint8Array.prototype.set` …) let such a JS exception
//! unwind straight through the wasm frames: Rust cleanup is skipped (a borrowed store stays
//! borrowed), a future being polled never settles its promise, and the caller sees a foreign
//! TypeError. Every read of a caller's value goes through this file instead: each import
//! catches, every size is checked before anything is allocated, and allocation sized by
//! input is fallible. The result is a `Caught`, which `convert` turns into a `MapiError`
//! naming the argument, with the original exception as its `cause`.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// At most this many array elements or object keys are read from one argument.
pub const MAX_ITEMS: u32 = 100_000;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array_js(v: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn keys_js(v: &JsValue) -> Result<js_sys::Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = getPrototypeOf)]
    fn prototype_js(v: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ArrayBuffer, js_name = isView)]
    fn is_view_js(v: &JsValue) -> bool;
    // The intrinsics, called on the value: an own `getTime` or `set` of the caller's object
    // is never used, and a Proxy (which has none of the internal slots) throws, caught.
    #[wasm_bindgen(catch, js_namespace = ["Date", "prototype", "getTime"], js_name = call)]
    fn get_time_js(this: &JsValue) -> Result<f64, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["Uint8Array", "prototype", "set"], js_name = call)]
    fn set_from_js(this: &JsValue, src: &JsValue) -> Result<(), JsValue>;
    /// `Reflect.get(target, key, receiver)`: a getter of `target` called on `receiver`.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn reflect_get_as(
        target: &JsValue,
        key: &JsValue,
        receiver: &JsValue,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["String", "prototype", "isWellFormed"], js_name = call)]
    fn is_well_formed_js(this: &JsValue) -> Result<bool, JsValue>;
}

/// Why a value could not be read.
pub enum Caught {
    /// The caller's code threw (a trap, a getter, a revoked Proxy, a detached buffer).
    Threw(JsValue),
    /// The value is larger than the module reads (`what` it was, and how large).
    TooMany { count: f64, max: f64 },
    /// The module could not allocate room for it.
    NoMemory(usize),
}

pub type Read<T> = Result<T, Caught>;

/// `Array.isArray(v)`; a revoked Proxy throws.
pub fn is_array(v: &JsValue) -> Read<bool> {
    is_array_js(v).map_err(Caught::Threw)
}

/// `Array.isArray(v)` for describing a value: a value that throws is no array.
pub fn looks_like_array(v: &JsValue) -> bool {
    is_array_js(v).unwrap_or(false)
}

/// `Object.getPrototypeOf(v)`.
pub fn prototype(v: &JsValue) -> Read<JsValue> {
    prototype_js(v).map_err(Caught::Threw)
}

/// `Reflect.get(v, key)`.
pub fn get(v: &JsValue, key: &str) -> Read<JsValue> {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).map_err(Caught::Threw)
}

/// The elements of an array (length read once, each element read once), at most `MAX_ITEMS`.
pub fn elements(v: &JsValue) -> Read<Vec<JsValue>> {
    let len = get(v, "length")?.as_f64().unwrap_or(0.0);
    if len > f64::from(MAX_ITEMS) {
        return Err(Caught::TooMany {
            count: len,
            max: f64::from(MAX_ITEMS),
        });
    }
    let len = len as u32;
    let mut out = Vec::new();
    out.try_reserve_exact(len as usize)
        .map_err(|_| Caught::NoMemory(len as usize))?;
    for i in 0..len {
        out.push(js_sys::Reflect::get_u32(v, i).map_err(Caught::Threw)?);
    }
    Ok(out)
}

/// `Object.keys(v)` (JS strings), at most `MAX_ITEMS` of them.
pub fn key_array(v: &JsValue) -> Read<js_sys::Array> {
    let keys = keys_js(v).map_err(Caught::Threw)?;
    let n = keys.length();
    if n > MAX_ITEMS {
        return Err(Caught::TooMany {
            count: f64::from(n),
            max: f64::from(MAX_ITEMS),
        });
    }
    Ok(keys)
}

/// `Reflect.get(v, key)` with the key as a JS value; the exception when it throws.
pub fn get_key(v: &JsValue, key: &JsValue) -> Result<JsValue, JsValue> {
    js_sys::Reflect::get(v, key)
}

/// A genuine typed array or DataView (never a Proxy: `ArrayBuffer.isView` does not trap).
pub fn is_view(v: &JsValue) -> bool {
    is_view_js(v)
}

thread_local! {
    /// `%TypedArray%.prototype` and "byteLength": `Reflect.get` of the two with a typed array
    /// as the receiver calls the intrinsic getter on it, so a typed array's true length is
    /// read, whatever own `byteLength` property the caller gave the object.
    static BYTE_LENGTH: (JsValue, JsValue) = (
        js_sys::Object::get_prototype_of(&js_sys::Object::get_prototype_of(
            &js_sys::Uint8Array::new_with_length(0),
        ))
        .into(),
        "byteLength".into(),
    );
}

/// The bytes of a genuine `Uint8Array`, at most `max` of them; `None` when `v` is not one.
/// A detached buffer throws (caught); the copy is allocated fallibly.
pub fn bytes(v: &JsValue, max: usize) -> Option<Read<Vec<u8>>> {
    if !is_view(v) {
        return None;
    }
    if !v.is_instance_of::<js_sys::Uint8Array>() {
        return None;
    }
    Some((|| {
        let len = BYTE_LENGTH
            .with(|(proto, key)| reflect_get_as(proto, key, v))
            .map_err(Caught::Threw)?
            .as_f64()
            .unwrap_or(0.0);
        if len > max as f64 {
            return Err(Caught::TooMany {
                count: len,
                max: max as f64,
            });
        }
        let len = len as usize;
        let mut out: Vec<u8> = Vec::new();
        out.try_reserve_exact(len)
            .map_err(|_| Caught::NoMemory(len))?;
        // SAFETY: the view covers the `len` bytes reserved in `out` and is dropped before
        // anything else touches the heap (no allocation can move wasm memory meanwhile).
        // Only JS writes through it: `set` copies all of `v` (exactly `len` bytes, its true
        // length) or throws (a detached buffer, before anything is read back here).
        let view = unsafe { js_sys::Uint8Array::view_mut_raw(out.as_mut_ptr(), len) };
        set_from_js(&view, v).map_err(Caught::Threw)?;
        drop(view);
        // SAFETY: `set` returned, so it wrote all `len` bytes (see above).
        unsafe { out.set_len(len) };
        Ok(out)
    })())
}

/// The time of a genuine `Date`; `None` when `v` is not one (a Proxy of a Date is not).
pub fn date_ms(v: &JsValue) -> Option<f64> {
    if !v.is_object() {
        return None;
    }
    get_time_js(v).ok()
}

/// The text of a JS string, or `Err(())` when it holds a lone UTF-16 surrogate (which has no
/// UTF-8 form: converting it would silently put U+FFFD in its place). `None`: not a string.
pub fn text(v: &JsValue) -> Option<Result<String, ()>> {
    let s = v.as_string()?;
    // A lone surrogate comes out of the conversion as U+FFFD: only a string that has one
    // needs the check (a genuine U+FFFD is well-formed).
    if !s.contains('\u{FFFD}') {
        return Some(Ok(s));
    }
    let well_formed = match is_well_formed_js(v) {
        Ok(w) => w,
        // Engines without String.prototype.isWellFormed (before 2023).
        Err(_) => v.dyn_ref::<js_sys::JsString>()?.is_valid_utf16(),
    };
    Some(if well_formed { Ok(s) } else { Err(()) })
}
