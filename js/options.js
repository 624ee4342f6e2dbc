// What the JS-side option readers share (httpTransport, jmapTransport): how a value is shown
// in an error, what counts as a plain object, and reading options that may throw.

/** A value as an error message shows it (never its whole content). */
export function show(v) {
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 60) + "…" : v);
  if (v === null) return "null";
  try {
    if (Array.isArray(v)) return "an array";
  } catch {
    return "a revoked Proxy";
  }
  return typeof v;
}

/**
 * `{ ... }` or `Object.create(null)`, from this realm or another one (an iframe's objects
 * have that realm's Object.prototype, whose own prototype is null too).
 */
export function isPlainObject(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

/** The text of any thrown value, read without letting it throw again. */
export function textOf(e) {
  try {
    return String(e !== null && typeof e === "object" ? e.message : e).slice(0, 200);
  } catch {
    return "an exception that cannot be read";
  }
}
