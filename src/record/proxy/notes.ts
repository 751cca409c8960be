/**
 * The recording proxy's per-exchange notes, shared by the HTTP path
 * (proxy-source.ts) and the WebSocket path (websocket.ts) so the summary
 * counts the same situation under one reason whichever path saw it.
 */
export const PROXY_NOTES = {
  viewerLeft: 'viewer closed the connection before the answer was complete',
  webSocket: 'WebSocket handshake (the frames that followed were relayed, not recorded)',
} as const;

/** responseNote: why an exchange has no response side at all. */
export const VIEWER_LEFT_EARLY = 'viewer closed the connection before the origin answered';
