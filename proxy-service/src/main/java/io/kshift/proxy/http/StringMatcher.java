package io.kshift.proxy.http;

import io.kshift.model.istio.StringMatch;
import java.util.Locale;
import com.google.re2j.Pattern;
import io.kshift.model.regex.Re2;

/** A compiled {@code StringMatch}: exact, prefix, or a regex (RE2, linear time) that must match the whole value. */
record StringMatcher(String exact, String prefix, Pattern regex, boolean ignoreCase) {

    static StringMatcher of(StringMatch m, boolean ignoreCase) {
        if (m == null) {
            return null;
        }
        Pattern regex = m.regex() == null ? null : Re2.compile(m.regex(), ignoreCase);
        return new StringMatcher(lower(m.exact(), ignoreCase), lower(m.prefix(), ignoreCase), regex, ignoreCase);
    }

    /**
     * A uri match: Istio's {@code ignoreUriCase} covers exact and prefix matches only; a regex is matched as written,
     * as Envoy's {@code safe_regex} ignores the route's {@code case_sensitive}.
     */
    static StringMatcher uri(StringMatch m, boolean ignoreUriCase) {
        if (m == null) {
            return null;
        }
        Pattern regex = m.regex() == null ? null : Re2.compile(m.regex(), false);
        return new StringMatcher(lower(m.exact(), ignoreUriCase), lower(m.prefix(), ignoreUriCase), regex,
                ignoreUriCase);
    }

    boolean test(String value) {
        if (value == null) {
            return false;
        }
        String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
        if (exact != null) {
            return v.equals(exact);
        }
        if (prefix != null) {
            return v.startsWith(prefix);
        }
        return regex == null || regex.matcher(value).matches(); // none: present is enough (Istio's {} match)
    }

    /** Istio's {@code {}}: the header's presence is the whole condition. */
    boolean presence() {
        return exact == null && prefix == null && regex == null;
    }

    private static String lower(String s, boolean ignoreCase) {
        return s == null || !ignoreCase ? s : s.toLowerCase(Locale.ROOT);
    }
}
