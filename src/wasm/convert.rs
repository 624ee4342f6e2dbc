//! JS values to core values and back. Nothing here decides a rule; it only refuses values
//! of the wrong JS type and hands everything else to the core.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::{to_js, IntoJs, JsResult};
use crate::entry_id::{EntryId, StoreUid};
use crate::error::{Error, MapiCode};
use crate::mapi_err;
use crate::props::names::{key_for_tag, shown};
use crate::props::{self, PropTag, PropType, PropValue};

/// How a JS value is described in an error message (never its whole content).
pub fn describe(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if v.is_undefined() {
        "undefined".into()
    } else if let Some(s) = v.as_string() {
        format!("the string {}", shown(&s))
    } else if let Some(n) = v.as_f64() {
        format!("the number {n}")
    } else if let Some(b) = v.as_bool() {
        format!("the boolean {b}")
    } else if v.is_bigint() {
        "a bigint".into()
    } else if v.is_symbol() {
        "a Symbol".into()
    } else if v.is_function() {
        "a function".into()
    } else if js_sys::Array::is_array(v) {
        "an array".into()
    } else if v.is_instance_of::<js_sys::Date>() {
        "a Date".into()
    } else if v.is_instance_of::<js_sys::Uint8Array>() {
        "a Uint8Array".into()
    } else {
        "an object".into()
    }
}

fn invalid(msg: String) -> JsValue {
    to_js(Error::new(MapiCode::InvalidParameter, msg))
}

/// A plain object argument (not null, not an array, not a function).
pub fn expect_object(what: &str, v: &JsValue) -> JsResult<js_sys::Object> {
    if v.is_object() && !js_sys::Array::is_array(v) && !v.is_function() {
        Ok(v.clone().unchecked_into())
    } else {
        Err(invalid(format!(
            "{what} must be an object, got {}",
            describe(v)
        )))
    }
}

/// Own enumerable string keys of an object.
pub fn keys(obj: &js_sys::Object) -> Vec<String> {
    js_sys::Object::keys(obj)
        .iter()
        .filter_map(|k| k.as_string())
        .collect()
}

/// Reads a property, turning a throwing getter or proxy into a MapiError.
pub fn get(obj: &JsValue, key: &str) -> JsResult<JsValue> {
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
        .map_err(|_| invalid(format!("reading {} threw an exception", shown(key))))
}

pub fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// The elements of an array argument.
pub fn expect_array(what: &str, v: &JsValue) -> JsResult<Vec<JsValue>> {
    if !js_sys::Array::is_array(v) {
        return Err(invalid(format!(
            "{what} must be an array, got {}",
            describe(v)
        )));
    }
    let arr: &js_sys::Array = v.unchecked_ref();
    Ok(arr.iter().collect())
}

pub fn expect_string(what: &str, v: &JsValue) -> JsResult<String> {
    v.as_string()
        .ok_or_else(|| invalid(format!("{what} must be a string, got {}", describe(v))))
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

fn scalar(key: &str, ty: PropType, v: &JsValue) -> Result<PropValue, Error> {
    let wrong = || {
        mapi_err!(
            InvalidParameter,
            "property {key} must be {}, got {}",
            ty.js_name(),
            describe(v)
        )
    };
    Ok(match ty {
        PropType::Unicode => PropValue::Unicode(v.as_string().ok_or_else(wrong)?),
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
            let d = v.dyn_ref::<js_sys::Date>().ok_or_else(wrong)?;
            PropValue::SysTime(props::systime_from_f64(key, d.get_time())?)
        }
        PropType::Binary => PropValue::Binary(
            v.dyn_ref::<js_sys::Uint8Array>()
                .ok_or_else(wrong)?
                .to_vec(),
        ),
    })
}

/// A JS value as the value of property `tag`, by the tag's type.
pub fn prop_value(tag: PropTag, v: &JsValue) -> JsResult<PropValue> {
    let key = key_for_tag(tag);
    let (ty, multi) = tag.value_type(&key).js()?;
    if !multi {
        return scalar(&key, ty, v).js();
    }
    if !js_sys::Array::is_array(v) {
        return Err(invalid(format!(
            "property {key} is multi-valued and must be an array of {}, got {}",
            ty.js_name(),
            describe(v)
        )));
    }
    let items: Vec<PropValue> = js_sys::Array::from(v)
        .iter()
        .map(|e| scalar(&key, ty, &e))
        .collect::<Result<_, _>>()
        .js()?;
    macro_rules! collect {
        ($variant:ident, $mv:ident) => {
            PropValue::$mv(
                items
                    .into_iter()
                    .filter_map(|i| match i {
                        PropValue::$variant(x) => Some(x),
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

/// A `{ key: value }` object as a property list (all converted before any is used). Only a
/// plain object will do: a Map or a Date has no own keys and would silently set nothing.
pub fn prop_object(what: &str, v: &JsValue) -> JsResult<Vec<(PropTag, PropValue)>> {
    let obj = expect_object(what, v)?;
    let proto = js_sys::Object::get_prototype_of(v);
    if !(proto.is_null()
        || js_sys::Object::is(
            &proto,
            &js_sys::Object::get_prototype_of(&js_sys::Object::new()),
        ))
    {
        return Err(invalid(format!(
            "{what} must be a plain object of properties ({{ PidTagSubject: \"...\" }}), got {}",
            describe(v)
        )));
    }
    let mut out = Vec::new();
    for key in keys(&obj) {
        let tag = props::parse_key(&key).js()?;
        let value = get(&obj, &key)?;
        out.push((tag, prop_value(tag, &value)?));
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
        set(&obj, &key_for_tag(*tag), &to_js_value(value));
    }
    obj.into()
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
    } else if let Some(b) = v.dyn_ref::<js_sys::Uint8Array>() {
        if b.length() as usize > 4096 {
            return Err(to_js(mapi_err!(
                InvalidEntryId,
                "{what} must be an entry id of {} bytes, got {} bytes",
                crate::entry_id::ENTRY_ID_LEN,
                b.length()
            )));
        }
        EntryId::from_bytes(what, &b.to_vec()).js()?
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
    for k in keys(obj) {
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
    let obj = expect_object(what, v)?;
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
            "{what} must be an integer from 0 to {max}, got {}",
            describe(v)
        ))),
    }
}
