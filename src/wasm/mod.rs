//! The binding layer: the only code that touches wasm-bindgen and js-sys. It converts JS
//! values to core types and back, and core errors to `MapiError`; all decisions are made
//! in the core.

mod attachment;
mod backend;
mod convert;
mod error;
mod events;
#[doc(hidden)]
pub mod idb;
mod js;
mod message;
mod options;
mod spooler;
mod store;
mod timer;
mod transport;
mod wire;

use wasm_bindgen::prelude::*;

pub use attachment::Attachment;
pub use message::Message;
pub use store::Store;

#[wasm_bindgen(start)]
fn start() {
    // A panic should never happen; if one does, say where in the console.
    console_error_panic_hook::set_once();
}

/// Called once by the package's JS entry with the `MapiError` class, so that every error
/// the module throws is an instance of the exported class.
#[wasm_bindgen(js_name = registerErrorClass)]
pub fn register_error_class(ctor: js_sys::Function) {
    error::register_class(ctor);
}

/// Called once by the package's JS entry with its `callTransport(send, transport, outgoing)`
/// (js/common.js), which calls a transport in plain JS; without it (the raw module, as
/// `wasm-pack test` loads it) the binding calls transports itself.
#[wasm_bindgen(js_name = registerTransportCall)]
pub fn register_transport_call(f: js_sys::Function) {
    transport::register_call(f);
}

/// Milliseconds since the epoch (std's clock panics on wasm32-unknown-unknown).
fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Random bytes from the platform's `crypto.getRandomValues`, drawn a kilobyte at a time
/// (a call costs more than the bytes: Node's takes ~10 µs).
fn random_bytes<const N: usize>() -> [u8; N] {
    thread_local! {
        static POOL: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < N {
            let mut fresh = vec![0u8; 1024.max(N)];
            fill_random(&mut fresh);
            *pool = fresh;
        }
        let at = pool.len() - N;
        let mut out = [0u8; N];
        out.copy_from_slice(&pool[at..]);
        pool.truncate(at);
        out
    })
}

fn fill_random(out: &mut [u8]) {
    let buf = js_sys::Uint8Array::new_with_length(out.len() as u32);
    let filled = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .ok()
        .filter(|c| c.is_object())
        .and_then(|c| {
            let f = js_sys::Reflect::get(&c, &"getRandomValues".into()).ok()?;
            let f = f.dyn_into::<js_sys::Function>().ok()?;
            // getRandomValues fills at most 65,536 bytes a call.
            for chunk in 0..out.len().div_ceil(65_536) {
                let start = (chunk * 65_536) as u32;
                let end = ((chunk + 1) * 65_536).min(out.len()) as u32;
                f.call1(&c, &buf.subarray(start, end)).ok()?;
            }
            Some(())
        })
        .is_some();
    if filled {
        buf.copy_to(out);
    } else {
        // No Web Crypto: ids need uniqueness, not secrecy.
        for b in out.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
}
