package io.kshift.proxy.routing;

/**
 * What a data port speaks: TCP relays connections, HTTP serves HTTP/1.1 and HTTP/2 requests (over TLS when it
 * terminates it), TLS routes connections by SNI (passing them through or terminating them) and relays them.
 */
public enum ListenerProtocol { TCP, HTTP, TLS }
