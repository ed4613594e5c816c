package io.kshift.proxy.http;

import io.kshift.model.istio.StringMatch;
import java.util.Locale;
import java.util.regex.Pattern;

/** A compiled {@code StringMatch}: exact, prefix, or a regex that must match the whole value. */
record StringMatcher(String exact, String prefix, Pattern regex, boolean ignoreCase) {

    static StringMatcher of(StringMatch m, boolean ignoreCase) {
        if (m == null) {
            return null;
        }
        Pattern regex = m.regex() == null ? null : Pattern.compile(m.regex(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        return new StringMatcher(lower(m.exact(), ignoreCase), lower(m.prefix(), ignoreCase), regex, ignoreCase);
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
        return regex.matcher(value).matches();
    }

    private static String lower(String s, boolean ignoreCase) {
        return s == null || !ignoreCase ? s : s.toLowerCase(Locale.ROOT);
    }
}
