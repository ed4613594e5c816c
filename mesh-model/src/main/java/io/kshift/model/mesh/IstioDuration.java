package io.kshift.model.mesh;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Istio/protobuf durations as users write them: {@code 10s}, {@code 1.5s}, {@code 250ms}, {@code 1m30s}. */
public final class IstioDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|µs|ns|h|m|s)");

    private IstioDuration() {
    }

    public static Optional<Duration> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        Matcher m = PART.matcher(text.trim());
        double nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return Optional.empty();
            }
            double value = Double.parseDouble(m.group(1));
            nanos += value * switch (m.group(2)) {
                case "h" -> 3_600e9;
                case "m" -> 60e9;
                case "s" -> 1e9;
                case "ms" -> 1e6;
                case "us", "µs" -> 1e3;
                default -> 1;
            };
            end = m.end();
        }
        return end == text.trim().length() && end > 0 ? Optional.of(Duration.ofNanos((long) nanos)) : Optional.empty();
    }
}
