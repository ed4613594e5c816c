package io.kshift.model.regex;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Optional;

/**
 * The one regex engine of kshift: RE2 semantics (RE2/J), as Istio and Envoy specify for every regex in a route,
 * so matching takes time linear in the input whatever the pattern (no backtracking: {@code (.*a){12}} against a
 * hostile header costs what any pattern costs). Patterns RE2 cannot express (backreferences, lookaround) are
 * refused at validation, and so are patterns over {@link #MAX_LENGTH} characters (Envoy bounds a regex's program
 * size for the same reason: compiling and running a huge one is itself a cost).
 */
public final class Re2 {
    /** The longest pattern accepted, in characters. */
    public static final int MAX_LENGTH = 1024;

    private Re2() {
    }

    /** Why {@code regex} is refused, or empty when it compiles within the limits. */
    public static Optional<String> problem(String regex) {
        return problem(regex, false);
    }

    /** As {@link #problem(String)}, for a pattern that is compiled case-insensitively when {@code ignoreCase}. */
    public static Optional<String> problem(String regex, boolean ignoreCase) {
        if (regex.length() > MAX_LENGTH) {
            return Optional.of("is " + regex.length() + " characters long; at most " + MAX_LENGTH);
        }
        Optional<String> folding = FoldGuard.problem(regex, ignoreCase);
        if (folding.isPresent()) {
            return folding;
        }
        try {
            if (FoldGuard.folds(regex, ignoreCase)) {
                return FoldGuard.compilesWithin(regex, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
            }
            Pattern.compile(regex, 0);
            return Optional.empty();
        } catch (PatternSyntaxException e) {
            return Optional.of("is not a valid RE2 regular expression: " + e.getDescription()
                    + (e.getPattern() == null || e.getPattern().isEmpty() ? "" : " in `" + e.getPattern() + "`"));
        }
    }

    /** Compiles a validated pattern (the validator has refused what would not compile, or not in time). */
    public static Pattern compile(String regex, boolean ignoreCase) {
        return Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
    }

    /** A pattern matching {@code literal} exactly. */
    public static String quote(String literal) {
        return Pattern.quote(literal);
    }

    /**
     * Every match of {@code regex} in {@code input} replaced by {@code replacement}, where {@code \1}..{@code \9} stand
     * for groups and {@code \\} for a backslash (RE2's and Envoy's {@code regex_rewrite} syntax), every other
     * character is literal, and matches are found as RE2's GlobalReplace finds them.
     */
    public static String replaceAll(Pattern regex, String input, String replacement) {
        Matcher m = regex.matcher(input);
        StringBuilder out = new StringBuilder(input.length() + replacement.length());
        int last = 0;
        int from = 0;
        int previousEnd = -1;
        boolean replaced = false;
        while (from <= input.length() && m.find(from)) {
            boolean empty = m.start() == m.end();
            // As RE2's GlobalReplace: no empty match right where the previous match ended.
            if (!(empty && m.start() == previousEnd)) {
                out.append(input, last, m.start());
                appendReplacement(out, m, replacement);
                last = m.end();
                previousEnd = m.end();
                replaced = true;
            }
            // After an empty match the search moves on by one character (a whole code point).
            from = empty ? m.end() + (m.end() < input.length() ? Character.charCount(input.codePointAt(m.end())) : 1)
                    : m.end();
        }
        return replaced ? out.append(input, last, input.length()).toString() : input;
    }

    private static void appendReplacement(StringBuilder out, Matcher m, String replacement) {
        for (int i = 0; i < replacement.length(); i++) {
            char c = replacement.charAt(i);
            if (c == '\\' && i + 1 < replacement.length() && Character.isDigit(replacement.charAt(i + 1))) {
                int group = replacement.charAt(++i) - '0';
                String g = group <= m.groupCount() ? m.group(group) : null;
                out.append(g == null ? "" : g);
            } else if (c == '\\' && i + 1 < replacement.length() && replacement.charAt(i + 1) == '\\') {
                out.append('\\'); // RE2: \\ is a literal backslash
                i++;
            } else {
                out.append(c);
            }
        }
    }
}
