package io.kshift.model.istio;

import io.kshift.model.constraint.OneOf;
import io.kshift.model.constraint.RegexValue;

/**
 * Istio's {@code StringMatch}: one of exact, prefix or regex (regex must match the whole value), or none: in
 * {@code headers}, {@code withoutHeaders} and {@code queryParams} an empty match ({@code x-canary: {}}) checks that
 * the header or parameter is present, as Istio's Envoy {@code present_match}; elsewhere one is required (the
 * validator's route rules).
 */
@OneOf(value = {"exact", "prefix", "regex"})
public record StringMatch(String exact, String prefix, @RegexValue String regex) {

    /** No value given: a presence check. */
    public boolean presenceOnly() {
        return exact == null && prefix == null && regex == null;
    }

    public static StringMatch exact(String value) {
        return new StringMatch(value, null, null);
    }

    public static StringMatch prefix(String value) {
        return new StringMatch(null, value, null);
    }
}
