package io.kshift.proxy.http;

import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header names a message's Connection fields list (RFC 9110 7.6.1): meant for this hop only, so a proxy drops
 * them along with the fields themselves, both ways. The proxy's own headers (forwarding, request id, route edits)
 * are added after the client's are copied, so a client cannot have them dropped by listing them. "close" and
 * "keep-alive" are options, not forwarded headers: a message with only those costs nothing beyond the lookup.
 */
record ConnectionOptions(List<String> names) {
    static final ConnectionOptions NONE = new ConnectionOptions(List.of());

    /** {@code values}: every Connection field's value, as received (null or empty: none). */
    static ConnectionOptions of(List<String> values) {
        if (values == null || values.isEmpty()) {
            return NONE;
        }
        List<String> names = new ArrayList<>();
        for (String value : values) {
            for (String token : value.split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !name.equals("close") && !name.equals("keep-alive")) {
                    names.add(name);
                }
            }
        }
        return names.isEmpty() ? NONE : new ConnectionOptions(List.copyOf(names));
    }

    boolean nominates(CharSequence name) {
        for (String n : names) {
            if (AsciiString.contentEqualsIgnoreCase(n, name)) {
                return true;
            }
        }
        return false;
    }
}
