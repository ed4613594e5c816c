package io.kshift.model.istio;

import io.kshift.model.constraint.OneOf;
import io.kshift.model.constraint.RegexValue;

/** Istio's {@code StringMatch}: exactly one of exact, prefix or regex (regex must match the whole value). */
@OneOf(value = {"exact", "prefix", "regex"}, required = true)
public record StringMatch(String exact, String prefix, @RegexValue String regex) {

    public static StringMatch exact(String value) {
        return new StringMatch(value, null, null);
    }

    public static StringMatch prefix(String value) {
        return new StringMatch(null, value, null);
    }
}
