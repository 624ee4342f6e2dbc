//! JS values to core values and back. Nothing here decides a rule; it only refuses values
//! of the wrong JS type and hands everything else to the core.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::{to_js, IntoJs, JsResult};
use super::js;
use crate::entry_id::{EntryId, StoreUid};
use crate::error::{Error, MapiCode};
use crate::mapi_err;
use crate::props::names::{key_for_tag, shown};
use crate::props::{self, PropTag, PropType, PropValue};

/// How a JS value is described in an error message (never its whole content). Reads
/// nothing the caller's code could intercept.
pub fn describe(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if v.is_undefined() {
        "undefined".into()
    } else if let Some(s) = v.as_string() {
        format!("the string {}", shown(&s))
    } else if let Some(n) = v.as_f64() {
        format!("the number {}", crate::num::show(n))
    } else if let Some(b) = v.as_bool() {
        format!("the boolean {b}")
    } else if v.is_bigint() {
        "a bigint".into()
    } else if v.is_symbol() {
        "a Symbol".into()
    } else if v.is_function() {
        "a function".into()
    } else if js::is_view(v) && v.is_instance_of::<js_sys::Uint8Array>() {
        "a Uint8Array".into()
    } else if js::is_view(v) {
        "a typed array".into()
    } else if js::date_ms(v).is_some() {
        "a Date".into()
    } else if js::is_array(v).is_err() {
        "a revoked Proxy".into()
    } else if js::looks_like_array(v) {
        "an array".into()
    } else {
        "an object".into()
    }
}

fn invalid(msg: String) -> JsValue {
    to_js(Error::new(MapiCode::InvalidParameter, msg))
}

/// What a caught JS exception says (its `message`, else its text), read without trusting it.
fn exception_text(e: &JsValue) -> String {
    let text = js::get(e, "message")
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| describe(e));
    let mut t: String = text.chars().take(200).collect();
    if t.len() < text.len() {
        t.push('…');
    }
    t
}

/// A MapiError with the caller's exception as its `cause`.
fn with_cause(err: JsValue, cause: &JsValue) -> JsValue {
    let _ = js_sys::Reflect::set(&err, &"cause".into(), cause);
    err
}

/// The MapiError for a value that could not be read; `what` names the argument.
pub fn caught(what: &str, c: js::Caught) -> JsValue {
    match c {
        js::Caught::Threw(e) => with_cause(
            invalid(format!(
                "{what} could not be read: it threw ({})",
                exception_text(&e)
            )),
            &e,
        ),
        js::Caught::TooMany { count, max } => to_js(mapi_err!(
            TooBig,
            "{what} has {} items or bytes; at most {} are accepted",
            crate::num::show(count),
            crate::num::show(max)
        )),
        js::Caught::NoMemory(n) => to_js(mapi_err!(
            TooBig,
            "{what}: could not allocate room for {n} bytes"
        )),
    }
}

/// An object argument (not null, not an array, not a function).
pub fn expect_object(what: &str, v: &JsValue) -> JsResult<js_sys::Object> {
    if v.is_object() && !js::is_array(v).map_err(|c| caught(what, c))? && !v.is_function() {
        Ok(v.clone().unchecked_into())
    } else {
        Err(invalid(format!(
            "{what} must be an object, got {}",
            describe(v)
        )))
    }
}

/// A plain object argument: `{ ... }` or `Object.create(null)`, from this realm or another
/// (an iframe's). Typed arrays, Maps, Dates and class instances are refused before a single
/// key is read (a 12 MiB Uint8Array would otherwise be read as 12 million option names).
pub fn expect_plain_object(what: &str, v: &JsValue) -> JsResult<js_sys::Object> {
    let obj = expect_object(what, v)?;
    let proto = js::prototype(v).map_err(|c| caught(what, c))?;
    let plain = proto.is_null()
        || js_sys::Object::is(
            &proto,
            &js_sys::Object::get_prototype_of(&js_sys::Object::new()),
        )
        || (!js::is_view(v) && js::prototype(&proto).is_ok_and(|pp| pp.is_null()));
    if plain {
        Ok(obj)
    } else {
        Err(invalid(format!(
            "{what} must be a plain object ({{ ... }}), got {}",
            describe(v)
        )))
    }
}

/// Own enumerable string keys of an object (at most `js::MAX_ITEMS`).
pub fn keys(what: &str, obj: &js_sys::Object) -> JsResult<Vec<String>> {
    Ok(js::key_array(obj)
        .map_err(|c| caught(what, c))?
        .iter()
        .filter_map(|k| k.as_string())
        .collect())
}

/// Reads a property, turning a throwing getter or proxy into a MapiError (with the
/// exception as `cause`).
pub fn get(obj: &JsValue, key: &str) -> JsResult<JsValue> {
    js::get(obj, key).map_err(|c| match c {
        js::Caught::Threw(e) => get_threw(key, e),
        other => caught(key, other),
    })
}

/// The MapiError for reading `key` having thrown `e`.
fn get_threw(key: &str, e: JsValue) -> JsValue {
    with_cause(
        invalid(format!(
            "reading {} threw an exception ({})",
            shown(key),
            exception_text(&e)
        )),
        &e,
    )
}

pub fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// The elements of an array argument (at most `js::MAX_ITEMS`).
pub fn expect_array(what: &str, v: &JsValue) -> JsResult<Vec<JsValue>> {
    if !js::is_array(v).map_err(|c| caught(what, c))? {
        return Err(invalid(format!(
            "{what} must be an array, got {}",
            describe(v)
        )));
    }
    js::elements(v).map_err(|c| caught(what, c))
}

/// A string argument, refused when it holds a lone UTF-16 surrogate.
pub fn expect_string(what: &str, v: &JsValue) -> JsResult<String> {
    text("", what, v)
        .js()?
        .ok_or_else(|| invalid(format!("{what} must be a string, got {}", describe(v))))
}

/// `Some(text)` when `v` is a string; an error (naming `{prefix}{what}`) when it holds a
/// lone surrogate.
fn text(prefix: &str, what: &str, v: &JsValue) -> Result<Option<String>, Error> {
    match js::text(v) {
        None => Ok(None),
        Some(Ok(s)) => Ok(Some(s)),
        Some(Err(())) => Err(mapi_err!(
            InvalidParameter,
            "{prefix}{what} holds a lone UTF-16 surrogate (half of a character), which has no \
             UTF-8 form; it was refused rather than changed"
        )),
    }
}

/// A property key argument.
pub fn prop_key(v: &JsValue) -> JsResult<PropTag> {
    let key = v.as_string().ok_or_else(|| {
        invalid(format!(
            "a property name must be a string, got {}",
            describe(v)
        ))
    })?;
    props::parse_key(&key).js()
}

/// An array of property names.
pub fn prop_names(what: &str, v: &JsValue) -> JsResult<Vec<PropTag>> {
    expect_array(what, v)?.iter().map(prop_key).collect()
}

/// The largest binary or text value accepted in one property: `max(maxMessageSize, 256 MiB)`
/// is passed in by the caller (a value that big could never be sent anyway).
pub type MaxBytes = usize;

fn scalar(key: &str, ty: PropType, v: &JsValue, max: MaxBytes) -> Result<PropValue, Error> {
    let wrong = || {
        mapi_err!(
            InvalidParameter,
            "property {key} must be {}, got {}",
            ty.js_name(),
            describe(v)
        )
    };
    Ok(match ty {
        PropType::Unicode => {
            let s = text("property ", key, v)?.ok_or_else(wrong)?;
            if s.len() > max {
                return Err(mapi_err!(
                    TooBig,
                    "property {key} is {} bytes of text; a value may be at most {max} bytes",
                    s.len()
                ));
            }
            PropValue::Unicode(s)
        }
        PropType::Long => {
            PropValue::Long(props::long_from_f64(key, v.as_f64().ok_or_else(wrong)?)?)
        }
        PropType::Boolean => PropValue::Boolean(v.as_bool().ok_or_else(wrong)?),
        PropType::I8 => {
            if !v.is_bigint() {
                return Err(wrong());
            }
            PropValue::I8(i64::try_from(v.clone()).map_err(|_| {
                mapi_err!(
                    InvalidParameter,
                    "property {key} must be a bigint in int64 range"
                )
            })?)
        }
        PropType::SysTime => {
            let ms = js::date_ms(v).ok_or_else(wrong)?;
            PropValue::SysTime(props::systime_from_f64(key, ms)?)
        }
        PropType::Binary => match js::bytes(v, max) {
            None => return Err(wrong()),
            Some(Ok(b)) => PropValue::Binary(b.into()),
            Some(Err(js::Caught::TooMany { count, .. })) => {
                return Err(mapi_err!(
                    TooBig,
                    "property {key} is {} bytes; a value may be at most {max} bytes",
                    crate::num::show(count)
                ))
            }
            Some(Err(js::Caught::NoMemory(n))) => {
                return Err(mapi_err!(
                    TooBig,
                    "property {key}: could not allocate room for its {n} bytes"
                ))
            }
            Some(Err(js::Caught::Threw(_))) => {
                return Err(mapi_err!(
                    InvalidParameter,
                    "property {key} is a Uint8Array whose buffer cannot be read (detached, \
                     e.g. transferred to a worker)"
                ))
            }
        },
    })
}

/// A JS value as the value of property `tag`, by the tag's type.
fn prop_value(tag: PropTag, v: &JsValue, max: MaxBytes) -> JsResult<PropValue> {
    let key = key_for_tag(tag);
    let (ty, multi) = tag.value_type(&key).js()?;
    if !multi {
        return scalar(&key, ty, v, max).js();
    }
    let what = format!("property {key}");
    if !js::is_array(v).map_err(|c| caught(&what, c))? {
        return Err(invalid(format!(
            "property {key} is multi-valued and must be an array of {}, got {}",
            ty.js_name(),
            describe(v)
        )));
    }
    let mut total = 0usize;
    let mut items = Vec::new();
    for e in js::elements(v).map_err(|c| caught(&what, c))? {
        let item = scalar(&key, ty, &e, max).js()?;
        total = total.saturating_add(item.byte_size());
        if total > max {
            return Err(to_js(mapi_err!(
                TooBig,
                "property {key} holds more than {max} bytes in all"
            )));
        }
        items.push(item);
    }
    macro_rules! collect {
        ($variant:ident, $mv:ident) => {
            PropValue::$mv(
                items
                    .into_iter()
                    .filter_map(|i| match i {
                        PropValue::$variant(x) => Some(x.into()),
                        _ => None,
                    })
                    .collect(),
            )
        };
    }
    Ok(match ty {
        PropType::Long => collect!(Long, MvLong),
        PropType::I8 => collect!(I8, MvI8),
        PropType::Unicode => collect!(Unicode, MvUnicode),
        PropType::SysTime => collect!(SysTime, MvSysTime),
        PropType::Binary => collect!(Binary, MvBinary),
        PropType::Boolean => {
            return Err(invalid(format!(
                "property {key}: multi-valued booleans are not supported"
            )))
        }
    })
}

/// The tag of a property key: a canonical name seen before is looked up by its JS string
/// (no copy of the text into the module); any other key is parsed.
fn tag_of_key(key: &JsValue) -> JsResult<PropTag> {
    if let Some(t) = KEY_TAGS.with(|m| m.get(key).as_f64()) {
        return Ok(PropTag(t as u32));
    }
    let name = key.as_string().unwrap_or_default();
    let tag = props::parse_key(&name).js()?;
    if crate::props::names::name_of(tag) == Some(name.as_str()) {
        KEY_TAGS.with(|m| m.set(key, &JsValue::from(tag.0)));
    }
    Ok(tag)
}

thread_local! {
    /// Canonical property names (JS strings) and their tags, as `tag_of_key` met them.
    static KEY_TAGS: js_sys::Map = js_sys::Map::new();
    /// `Object.prototype` of this realm.
    static OBJECT_PROTOTYPE: JsValue =
        js_sys::Object::get_prototype_of(&js_sys::Object::new()).into();
}

/// A `{ key: value }` object as a property list (all converted before any is used). Only a
/// plain object will do: a Map or a Date has no own keys and would silently set nothing.
pub fn prop_object(what: &str, v: &JsValue, max: MaxBytes) -> JsResult<Vec<(PropTag, PropValue)>> {
    prop_object_named(&what, v, max)
}

/// `prop_object` for an argument named by `what` (formatted only for an error message, so
/// `format_args!("recipient row {i}")` costs nothing when the row is good).
pub fn prop_object_named(
    what: &dyn std::fmt::Display,
    v: &JsValue,
    max: MaxBytes,
) -> JsResult<Vec<(PropTag, PropValue)>> {
    let caught = |c| caught(&what.to_string(), c);
    let is_object = v.is_object() && !js::is_array(v).map_err(caught)? && !v.is_function();
    if !is_object {
        return Err(invalid(format!(
            "{what} must be an object, got {}",
            describe(v)
        )));
    }
    let proto = js::prototype(v).map_err(caught)?;
    if !(proto.is_null() || OBJECT_PROTOTYPE.with(|p| js_sys::Object::is(&proto, p))) {
        return Err(invalid(format!(
            "{what} must be a plain object of properties ({{ PidTagSubject: \"...\" }}), got {}",
            describe(v)
        )));
    }
    let mut out = Vec::new();
    let mut total = 0usize;
    for key in js::key_array(v).map_err(caught)?.iter() {
        let tag = tag_of_key(&key)?;
        let value =
            js::get_key(v, &key).map_err(|e| get_threw(&key.as_string().unwrap_or_default(), e))?;
        let value = prop_value(tag, &value, max)?;
        total = total.saturating_add(value.byte_size());
        if total > max {
            return Err(to_js(mapi_err!(
                TooBig,
                "{what} holds more than {max} bytes in all"
            )));
        }
        out.push((tag, value));
    }
    Ok(out)
}

pub fn to_js_value(v: &PropValue) -> JsValue {
    fn date(ms: i64) -> JsValue {
        js_sys::Date::new(&JsValue::from_f64(ms as f64)).into()
    }
    fn bytes(b: &[u8]) -> JsValue {
        js_sys::Uint8Array::from(b).into()
    }
    fn array(items: impl Iterator<Item = JsValue>) -> JsValue {
        items.collect::<js_sys::Array>().into()
    }
    match v {
        PropValue::Long(n) => JsValue::from_f64(*n as f64),
        PropValue::Boolean(b) => JsValue::from_bool(*b),
        PropValue::I8(n) => JsValue::from(*n),
        PropValue::Unicode(s) => JsValue::from_str(s),
        PropValue::SysTime(ms) => date(*ms),
        PropValue::Binary(b) => bytes(b),
        PropValue::MvLong(v) => array(v.iter().map(|n| JsValue::from_f64(*n as f64))),
        PropValue::MvI8(v) => array(v.iter().map(|n| JsValue::from(*n))),
        PropValue::MvUnicode(v) => array(v.iter().map(|s| JsValue::from_str(s))),
        PropValue::MvSysTime(v) => array(v.iter().map(|ms| date(*ms))),
        PropValue::MvBinary(v) => array(v.iter().map(|b| bytes(b))),
    }
}

/// A property list as a `{ key: value }` object with canonical or hex keys.
pub fn props_to_object(props: &[(PropTag, PropValue)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (tag, value) in props {
        let value = to_js_value(value);
        match crate::props::names::name_of(*tag) {
            // A canonical name: its JS string made once (rows repeat the same few names).
            Some(name) => NAMES.with(|names| {
                let mut names = names.borrow_mut();
                let key = names.entry(name).or_insert_with(|| JsValue::from_str(name));
                put(&obj, key, &value);
            }),
            None => put(&obj, &JsValue::from_str(&key_for_tag(*tag)), &value),
        }
    }
    obj.into()
}

thread_local! {
    static NAMES: std::cell::RefCell<std::collections::HashMap<&'static str, JsValue>> =
        std::cell::RefCell::default();
}

#[wasm_bindgen]
extern "C" {
    /// A plain object of ours.
    type Plain;
    /// `obj[key] = value` on a fresh plain object (nothing can throw; the keys are property
    /// names and hex tags, never `__proto__`).
    #[wasm_bindgen(method, structural, indexing_setter)]
    fn put(this: &Plain, key: &JsValue, value: &JsValue);
}

fn put(obj: &js_sys::Object, key: &JsValue, value: &JsValue) {
    obj.unchecked_ref::<Plain>().put(key, value);
}

pub fn rows_to_array(rows: &[Vec<(PropTag, PropValue)>]) -> JsValue {
    rows.iter()
        .map(|r| props_to_object(r))
        .collect::<js_sys::Array>()
        .into()
}

/// An entry id argument of this store: hex string or Uint8Array.
pub fn entry_id(what: &str, v: &JsValue, store: StoreUid) -> JsResult<EntryId> {
    let id = if let Some(s) = v.as_string() {
        EntryId::parse_hex(what, &s).js()?
    } else if let Some(read) = js::bytes(v, 4096) {
        let b = read.map_err(|c| match c {
            js::Caught::TooMany { count, .. } => to_js(mapi_err!(
                InvalidEntryId,
                "{what} must be an entry id of {} bytes, got {} bytes",
                crate::entry_id::ENTRY_ID_LEN,
                crate::num::show(count)
            )),
            other => caught(what, other),
        })?;
        EntryId::from_bytes(what, &b).js()?
    } else {
        return Err(to_js(mapi_err!(
            InvalidEntryId,
            "{what} must be an entry id (a hex string or a Uint8Array), got {}",
            describe(v)
        )));
    };
    if id.store_uid() != store {
        return Err(to_js(mapi_err!(
            NotFound,
            "{what} {id} belongs to another store"
        )));
    }
    Ok(id)
}

pub fn time_or_null(ms: Option<i64>) -> JsValue {
    ms.map_or(JsValue::NULL, |ms| {
        js_sys::Date::new(&JsValue::from_f64(ms as f64)).into()
    })
}

/// Checks that an options object has only the keys listed.
pub fn only_keys(what: &str, obj: &js_sys::Object, allowed: &[&str]) -> JsResult<()> {
    for k in keys(what, obj)? {
        if !allowed.contains(&k.as_str()) {
            return Err(invalid(format!(
                "{what} has an unknown option {}; known options are {}",
                shown(&k),
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// An optional options object: undefined/null → None.
pub fn options_object(
    what: &str,
    v: &JsValue,
    allowed: &[&str],
) -> JsResult<Option<js_sys::Object>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let obj = expect_plain_object(what, v)?;
    only_keys(what, &obj, allowed)?;
    Ok(Some(obj))
}

/// An optional option value (undefined → None).
pub fn opt(obj: &Option<js_sys::Object>, key: &str) -> JsResult<Option<JsValue>> {
    match obj {
        None => Ok(None),
        Some(o) => {
            let v = get(o, key)?;
            Ok(if v.is_undefined() { None } else { Some(v) })
        }
    }
}

/// An option that must be one of some strings: anything else is MAPI_E_UNKNOWN_FLAGS.
pub fn enum_option(what: &str, v: &JsValue, allowed: &[&str]) -> JsResult<String> {
    match v.as_string() {
        Some(s) if allowed.contains(&s.as_str()) => Ok(s),
        _ => Err(to_js(mapi_err!(
            UnknownFlags,
            "{what} must be one of {}, got {}",
            allowed
                .iter()
                .map(|a| format!("{a:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            describe(v)
        ))),
    }
}

pub fn bool_option(what: &str, v: &JsValue) -> JsResult<bool> {
    v.as_bool()
        .ok_or_else(|| invalid(format!("{what} must be a boolean, got {}", describe(v))))
}

/// A non-negative integer option up to `max`.
pub fn uint_option(what: &str, v: &JsValue, max: f64) -> JsResult<u64> {
    match v.as_f64() {
        Some(n) if n.is_finite() && n.fract() == 0.0 && n >= 0.0 && n <= max => Ok(n as u64),
        _ => Err(invalid(format!(
            "{what} must be an integer from 0 to {}, got {}",
            crate::num::show(max),
            describe(v)
        ))),
    }
}
