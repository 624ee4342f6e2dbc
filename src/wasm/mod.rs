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

/// Milliseconds since the epoch (std's clock panics on wasm32-unknown-unknown).
fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Random bytes from the platform's `crypto.getRandomValues`, drawn 256 at a time into a
/// pool: one call into JS (and Node's crypto) per 16 message ids instead of one each;
/// createMessage spent ~8% of its time there (bench/mime.mjs, short text).
fn random_bytes<const N: usize>() -> [u8; N] {
    const POOL: usize = 256;
    thread_local! {
        static POOL_BYTES: std::cell::RefCell<([u8; POOL], usize)> =
            const { std::cell::RefCell::new(([0; POOL], POOL)) };
    }
    let mut out = [0u8; N];
    if N > POOL {
        fill_random(&mut out);
        return out;
    }
    POOL_BYTES.with(|p| {
        let (pool, used) = &mut *p.borrow_mut();
        if POOL - *used < N {
            fill_random(pool);
            *used = 0;
        }
        out.copy_from_slice(&pool[*used..*used + N]);
        // Never hand out the same bytes twice.
        pool[*used..*used + N].fill(0);
        *used += N;
    });
    out
}

fn fill_random(out: &mut [u8]) {
    let buf = js_sys::Uint8Array::new_with_length(out.len() as u32);
    let filled = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .ok()
        .filter(|c| c.is_object())
        .and_then(|c| {
            let f = js_sys::Reflect::get(&c, &"getRandomValues".into()).ok()?;
            f.dyn_into::<js_sys::Function>().ok()?.call1(&c, &buf).ok()
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
