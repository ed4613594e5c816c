package io.kshift.proxy.http;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The header names a message's Connection fields list (RFC 9110 7.6.1): meant for this hop only, so a proxy drops
 * them along with the fields themselves, both ways. The proxy's own headers (forwarding, request id, route edits)
 * are added after the client's are copied, so a client cannot have them dropped by listing them. "close" and
 * "keep-alive" are options, not forwarded headers: a message with only those allocates nothing past its values'
 * list. The names are a hash set, so a hostile message (thousands of options, thousands of headers) costs time
 * linear in its size, never options × headers.
 */
final class ConnectionOptions {
    static final ConnectionOptions NONE = new ConnectionOptions(Set.of());

    private final Set<String> names;

    private ConnectionOptions(Set<String> names) {
        this.names = names;
    }

    /** {@code values}: every Connection field's value, as received (null or empty: none). */
    static ConnectionOptions of(List<String> values) {
        if (values == null) {
            return NONE;
        }
        Set<String> names = null;
        for (String value : values) {
            if (value.equalsIgnoreCase("keep-alive") || value.equalsIgnoreCase("close")) {
                continue;
            }
            for (String token : value.split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !name.equals("close") && !name.equals("keep-alive")) {
                    if (names == null) {
                        names = new HashSet<>();
                    }
                    names.add(name);
                }
            }
        }
        return names == null ? NONE : new ConnectionOptions(Set.copyOf(names));
    }

    Set<String> names() {
        return names;
    }

    boolean nominates(CharSequence name) {
        return !names.isEmpty() && names.contains(name.toString().toLowerCase(Locale.ROOT));
    }
}
