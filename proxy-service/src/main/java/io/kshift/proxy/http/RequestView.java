package io.kshift.proxy.http;

import java.util.function.Function;

/**
 * What route matching reads of a request: method, path (no query), authority, scheme, the listener port, and
 * header / query parameter lookups. A plain record so matching is tested without sockets.
 */
public record RequestView(String method, String path, String authority, String scheme, int port,
                          Function<String, String> header, Function<String, String> query) {
}
