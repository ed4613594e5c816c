package io.kshift.model.constraint;

/** User text inside a constraint message: templates interpret braces and dollars, user text must not be. */
final class MessageText {
    private MessageText() {
    }

    static String escape(String text) {
        return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
    }

    /** The offending text shown safely: at most 80 characters, control characters escaped. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return s.length() > 80 ? out + "…" : out.toString();
    }
}
