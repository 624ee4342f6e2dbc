// The benchmark page: exposes the package, Workbox's Queue and helpers as window.bench.
import "./shim.mjs";
import * as mox from "mapi-outbox";
import { Queue } from "workbox-background-sync/Queue.js";

window.bench = { mox, Queue };
document.body.dataset.ready = "true";
