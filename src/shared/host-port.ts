/**
 * The host port: a `runtime.connect` port that Chrome's offscreen document keeps open to the
 * service worker for as long as it lives. The worker learns of the document's death (closed,
 * crashed, killed for memory) from the port's disconnect within milliseconds, with no polling;
 * the document reconnects when the worker restarts. Each heartbeat message on it also keeps an
 * idle worker from being stopped while an analysis runs.
 */

/** `runtime.connect` name of the host port. */
export const HOST_PORT_NAME = 'callmood-host';

/** The offscreen document posts `{ alive: true }` on the port this often, ms. */
export const HOST_HEARTBEAT_MS = 1000;
