package io.kshift.proxy.routing;

/** What a data port speaks: TCP relays connections, HTTP serves HTTP/1.1 and cleartext HTTP/2 requests. */
public enum ListenerProtocol { TCP, HTTP }
