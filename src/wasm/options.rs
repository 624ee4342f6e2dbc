//! `Store.open(options)`: every option checked, unknown keys refused (a typo must not be
//! silently ignored).

use wasm_bindgen::prelude::*;

use super::convert::{self, bool_option, enum_option, get, opt, uint_option};
use super::error::{to_js, IntoJs, JsResult};
use super::transport::{self, JsTransport};
use crate::mapi_err;
use crate::object::Identity;
use crate::props::rules;
use crate::store::Limits;

const KEYS: &[&str] = &[
    "backend",
    "name",
    "identity",
    "transport",
    "spooler",
    "sendDelayMs",
    "transports",
    "retry",
    "maxMessageSize",
    "maxRecipients",
    "backgroundSync",
];

/// The Background Sync tag used when `backgroundSync: true`.
pub const DEFAULT_SYNC_TAG: &str = "mapi-outbox";

/// Largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Memory,
    IndexedDb,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub backend: Backend,
    pub name: String,
    pub identity: Option<Identity>,
    pub spooler: bool,
    pub send_delay_ms: u64,
    pub retry_initial_ms: u64,
    pub retry_max_ms: u64,
    /// Lease of a spooler's lock (extension: `retry.leaseMs`); renewed every third of it.
    pub lease_ms: u64,
    pub limits: Limits,
    /// `backgroundSync`: the sync tag registered on every submit and transient failure.
    pub background_sync: Option<String>,
}

pub fn parse(v: &JsValue) -> JsResult<Options> {
    let o = convert::options_object("Store.open options", v, KEYS)?;
    let backend = match opt(&o, "backend")? {
        None => Backend::Memory,
        Some(b) => match enum_option("options.backend", &b, &["memory", "indexeddb"])?.as_str() {
            "memory" => Backend::Memory,
            _ => Backend::IndexedDb,
        },
    };
    let name = match opt(&o, "name")? {
        None => "mapi-outbox".to_string(),
        Some(n) => {
            let n = convert::expect_string("options.name", &n)?;
            if n.is_empty() || n.len() > 1024 {
                return Err(to_js(mapi_err!(
                    InvalidParameter,
                    "options.name must be a non-empty string of at most 1024 bytes"
                )));
            }
            n
        }
    };
    let identity = match opt(&o, "identity")? {
        None => None,
        Some(i) => Some(identity(&i)?),
    };
    let spooler = match opt(&o, "spooler")? {
        None => true,
        Some(s) => bool_option("options.spooler", &s)?,
    };
    let send_delay_ms = match opt(&o, "sendDelayMs")? {
        None => 0,
        Some(d) => uint_option("options.sendDelayMs", &d, MAX_SAFE)?,
    };
    let (mut retry_initial_ms, mut retry_max_ms) = (1000, 300_000);
    let mut lease_ms = crate::spool::LEASE_MS as u64;
    if let Some(r) = opt(&o, "retry")? {
        let r = convert::options_object("options.retry", &r, &["initialMs", "maxMs", "leaseMs"])?;
        if let Some(v) = opt(&r, "leaseMs")? {
            lease_ms = uint_option("options.retry.leaseMs", &v, MAX_SAFE)?;
            if lease_ms < 300 {
                return Err(to_js(mapi_err!(
                    InvalidParameter,
                    "options.retry.leaseMs must be at least 300, got {lease_ms}"
                )));
            }
        }
        if let Some(v) = opt(&r, "initialMs")? {
            retry_initial_ms = uint_option("options.retry.initialMs", &v, MAX_SAFE)?;
        }
        if let Some(v) = opt(&r, "maxMs")? {
            retry_max_ms = uint_option("options.retry.maxMs", &v, MAX_SAFE)?;
        }
    }
    let mut limits = Limits::default();
    if let Some(v) = opt(&o, "maxMessageSize")? {
        limits.max_message_size = uint_option(
            "options.maxMessageSize",
            &v,
            Limits::MAX_MESSAGE_SIZE_CEILING as f64,
        )?;
    }
    if let Some(v) = opt(&o, "maxRecipients")? {
        limits.max_recipients = uint_option("options.maxRecipients", &v, u32::MAX as f64)? as u32;
    }
    let background_sync = match opt(&o, "backgroundSync")? {
        None => None,
        Some(v) if v.as_bool().is_some() => v
            .as_bool()
            .filter(|b| *b)
            .map(|_| DEFAULT_SYNC_TAG.to_string()),
        Some(v) if v.is_object() && !v.is_function() => {
            let b = convert::options_object("options.backgroundSync", &v, &["tag"])?;
            match opt(&b, "tag")? {
                None => Some(DEFAULT_SYNC_TAG.to_string()),
                Some(t) => {
                    let t = convert::expect_string("options.backgroundSync.tag", &t)?;
                    if t.is_empty() || t.len() > 256 {
                        return Err(to_js(mapi_err!(
                            InvalidParameter,
                            "options.backgroundSync.tag must be a non-empty string of at most 256 bytes"
                        )));
                    }
                    Some(t)
                }
            }
        }
        Some(v) => {
            return Err(to_js(mapi_err!(
                InvalidParameter,
                "options.backgroundSync must be true, false or {{ tag }}, got {}",
                convert::describe(&v)
            )))
        }
    };
    let coupled = match opt(&o, "transport")? {
        None => None,
        Some(t) => Some(transport::parse("options.transport", &t)?),
    };
    let mut loose = Vec::new();
    if let Some(list) = opt(&o, "transports")? {
        for (i, t) in convert::expect_array("options.transports", &list)?
            .iter()
            .enumerate()
        {
            loose.push(transport::parse(&format!("options.transports[{i}]"), t)?);
        }
    }
    let config = Config {
        backend,
        name,
        identity,
        spooler,
        send_delay_ms,
        retry_initial_ms,
        retry_max_ms,
        lease_ms,
        limits,
        background_sync,
    };
    Ok(Options {
        config,
        coupled,
        loose,
    })
}

/// What `Store.open` was given: the settings, and the transports.
pub struct Options {
    pub config: Config,
    pub coupled: Option<JsTransport>,
    pub loose: Vec<JsTransport>,
}

fn identity(v: &JsValue) -> JsResult<Identity> {
    let o = convert::expect_object("options.identity", v)?;
    convert::only_keys("options.identity", &o, &["email", "name"])?;
    let email = convert::expect_string("options.identity.email", &get(&o, "email")?)?;
    rules::check_addr_spec(&"options.identity.email", &email).js()?;
    let name_v = get(&o, "name")?;
    let name = if name_v.is_undefined() || name_v.is_null() {
        None
    } else {
        let n = convert::expect_string("options.identity.name", &name_v)?;
        rules::check_header_text(&"options.identity.name", &n).js()?;
        Some(n)
    };
    Ok(Identity { email, name })
}
