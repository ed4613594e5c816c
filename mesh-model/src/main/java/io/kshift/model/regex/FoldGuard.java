package io.kshift.model.regex;

import java.util.BitSet;
import java.util.Optional;

/**
 * RE2/J walks each character's case-fold orbit when it compiles a case-insensitive pattern ({@code (?i)}, or an
 * authority match), and for a few characters its fold tables and the JDK's disagree so the orbit never
 * returns: compiling {@code (?i)\x{1C80}}, or a class range over it, never ends (found by RequestPathFuzzTest).
 * This finds those characters once, by walking the engine's own orbits with a bound, and refuses a
 * case-insensitive pattern that could reach one (literally, quoted in {@code \Q..\E}, by {@code \x} escape or as an
 * escaped character, or inside a class range) before the engine sees it. {@code \p} classes fold through fixed
 * tables and are safe. The scan is conservative (a {@code (?i)} anywhere counts for the whole pattern); what it
 * does not foresee, {@link #compilesWithin} catches.
 */
final class FoldGuard {
    /** Case folding spans these (RE2/J 1.8's minFold and maxFold): no orbit is walked outside them. */
    private static final int MIN_FOLD = 0x41;
    private static final int MAX_FOLD = 0x1044F;
    private static final java.util.regex.Pattern FOLDING_FLAGS = java.util.regex.Pattern.compile(
            "\\(\\?[a-zA-Z-]*i[a-zA-Z-]*[:)]");

    private FoldGuard() {
    }

    /** Whether compiling {@code regex} folds case somewhere (the flag, or its own {@code (?i)}). */
    static boolean folds(String regex, boolean ignoreCase) {
        return ignoreCase || FOLDING_FLAGS.matcher(regex).find();
    }

    /** How long a folding compile may take when checked: a pattern this guard does not foresee is caught here. */
    private static final long COMPILE_LIMIT_MILLIS = 2000;

    /**
     * Compiles a folding pattern on a thread of its own and refuses it when that takes over
     * {@link #COMPILE_LIMIT_MILLIS}: the backstop behind {@link #problem}, so that no pattern, foreseen or not,
     * holds the validator's loop. A compile that never ends is stopped (Java 17's {@code Thread.stop}; where a JDK
     * no longer offers it, the thread spins on as a daemon, and the pattern is refused all the same).
     */
    @SuppressWarnings({"deprecation", "removal"})
    static Optional<String> compilesWithin(String regex, int flags) {
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread compile = new Thread(() -> {
            try {
                com.google.re2j.Pattern.compile(regex, flags);
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "kshift-regex-check");
        compile.setDaemon(true);
        compile.start();
        try {
            compile.join(COMPILE_LIMIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (compile.isAlive()) {
            try {
                compile.stop();
            } catch (UnsupportedOperationException | SecurityException | LinkageError ignored) {
                // Newer JDKs: the daemon thread is left to the engine; the pattern is refused regardless.
            }
            return Optional.of("does not compile case-insensitively within " + COMPILE_LIMIT_MILLIS + " ms: " + WHY);
        }
        if (failed.get() instanceof com.google.re2j.PatternSyntaxException e) {
            throw e;
        }
        if (failed.get() instanceof RuntimeException e) {
            throw e;
        }
        if (failed.get() != null) {
            return Optional.of("does not compile: " + failed.get());
        }
        return Optional.empty();
    }

    /** Why {@code regex}, compiled case-insensitively (by flag, or by its own {@code (?i)}), would never compile. */
    static Optional<String> problem(String regex, boolean ignoreCase) {
        if (!folds(regex, ignoreCase)) {
            return Optional.empty();
        }
        BitSet broken = Broken.SET;
        boolean inClass = false;
        int previous = -1; // the last single character of the current class, for a range
        for (int i = 0; i < regex.length(); ) {
            int c = regex.codePointAt(i);
            int next = i + Character.charCount(c);
            int atom = -1;
            if (c == '\\' && next < regex.length()) {
                int e = regex.codePointAt(next);
                if (e == 'p' || e == 'P') {
                    // Unicode classes fold through fixed tables, never walking an orbit: skip the name.
                    next++;
                    int end = regex.startsWith("{", next) ? regex.indexOf('}', next) : next;
                    next = end < 0 ? regex.length() : end + 1;
                } else if (e == 'Q' && !inClass) {
                    // Quoted: every character up to \E is a literal.
                    next++;
                    int end = regex.indexOf("\\E", next);
                    String quoted = regex.substring(next, end < 0 ? regex.length() : end);
                    for (int q = 0; q < quoted.length(); ) {
                        int cp = quoted.codePointAt(q);
                        if (foldable(cp) && broken.get(cp)) {
                            return Optional.of(refusal(cp));
                        }
                        q += Character.charCount(cp);
                    }
                    next = end < 0 ? regex.length() : end + 2;
                } else {
                    int[] written = character(regex, i); // an \x escape or an escaped character; -1: a class
                    atom = written[0];
                    next = written[1];
                }
            } else if (inClass && c == '[' && regex.startsWith(":", next) && regex.indexOf(":]", next + 1) > 0) {
                next = regex.indexOf(":]", next + 1) + 2; // [:alpha:] inside a class: ASCII, nothing to fold
                previous = -1;
                i = next;
                continue;
            } else if (inClass && c == ']' ) {
                inClass = false;
                previous = -1;
            } else if (!inClass && c == '[') {
                inClass = true;
                previous = -1;
                if (regex.startsWith("^", next)) {
                    next++;
                }
                if (regex.startsWith("]", next)) {
                    atom = ']';
                    next++;
                }
            } else if (inClass && c == '-' && previous >= 0 && next < regex.length() && regex.charAt(next) != ']') {
                // A range (RE2 reads "lo-hi" wherever '-' follows a character and is not last): every character
                // in it is folded, one by one.
                int[] hi = character(regex, next);
                // A range over everything foldable is not folded (RE2's shortcut); others are, point by point.
                if (hi[0] >= 0 && !(previous <= MIN_FOLD && hi[0] >= MAX_FOLD)) {
                    int firstBroken = broken.nextSetBit(Math.min(previous, MAX_FOLD + 1));
                    if (firstBroken >= 0 && firstBroken <= hi[0]) {
                        return Optional.of(refusal(firstBroken));
                    }
                }
                previous = -1;
                i = hi[1];
                continue;
            } else {
                atom = c;
            }
            if (foldable(atom) && broken.get(atom)) {
                return Optional.of(refusal(atom));
            }
            previous = inClass ? atom : -1;
            i = next;
        }
        return Optional.empty();
    }

    /**
     * The single character written at {@code at} (a character, an escaped one, or an {@code \x} escape; -1 when it
     * is something else, such as a class), and where the pattern goes on after it.
     */
    private static int[] character(String regex, int at) {
        int c = regex.codePointAt(at);
        int after = at + Character.charCount(c);
        if (c != '\\') {
            return new int[] {c, after};
        }
        if (after >= regex.length()) {
            return new int[] {-1, after};
        }
        int e = regex.codePointAt(after);
        after += Character.charCount(e);
        if (e != 'x') {
            return new int[] {asciiAlnum(e) ? -1 : e, after};
        }
        if (regex.startsWith("{", after)) {
            int end = regex.indexOf('}', after);
            return end < 0 ? new int[] {-1, regex.length()}
                    : new int[] {parseHex(regex.substring(after + 1, end)), end + 1};
        }
        int end = Math.min(after + 2, regex.length());
        return new int[] {parseHex(regex.substring(after, end)), end};
    }

    private static boolean foldable(int c) {
        return c >= MIN_FOLD && c <= MAX_FOLD;
    }

    /** An escaped ASCII letter or digit is a class or an operator ({@code \\d}, {@code \\z}); anything else itself. */
    private static boolean asciiAlnum(int c) {
        return c < 0x80 && Character.isLetterOrDigit(c);
    }

    private static int parseHex(String hex) {
        String digits = hex.replaceFirst("^0+(?=.)", ""); // RE2 takes any number of leading zeros
        try {
            return digits.isEmpty() || digits.length() > 8 ? -1 : Integer.parseInt(digits, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static final String WHY = "the regex engine (RE2/J) never finishes compiling that character"
            + " case-insensitively; leave it out, or match it case-sensitively";

    private static String refusal(int c) {
        return "reaches U+" + String.format("%04X", c) + " case-insensitively: " + WHY;
    }

    /** Found once, when a case-insensitive pattern is first checked. */
    private static final class Broken {
        static final BitSet SET = find();

        private static BitSet find() {
            BitSet out = new BitSet();
            try {
                java.lang.reflect.Method fold = Class.forName("com.google.re2j.Unicode")
                        .getDeclaredMethod("simpleFold", int.class);
                fold.setAccessible(true);
                for (int c = 0; c <= MAX_FOLD; c++) {
                    int f = (int) fold.invoke(null, c);
                    for (int steps = 0; f != c && steps < 16; steps++) {
                        f = (int) fold.invoke(null, f);
                    }
                    if (f != c) {
                        out.set(c);
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // The engine's internals moved: keep out the characters known broken in RE2/J 1.8 on JDK 17, and say so.
                System.getLogger(FoldGuard.class.getName()).log(System.Logger.Level.WARNING, "cannot walk RE2/J's"
                        + " case folds (" + e + "): guarding U+1C80..U+1C88 only; compiles over 2 s are still refused");
                out.set(0x1C80, 0x1C89);
            }
            return out;
        }
    }
}
