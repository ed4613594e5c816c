package io.kshift.model.constraint;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Collection;
import java.util.Map;

/**
 * Header names and values that a proxy writes into requests and answers as they are (header edits, rewritten
 * authorities): a name is an RFC 9110 token, a value holds no control character but tab. A line break in one would
 * end the header, and on an HTTP/1 hop could end the head and smuggle a request or an answer of its own; Envoy
 * refuses such config for the same reason. Applies to a name/value map (names and values), a collection of names, or
 * one value. Null passes.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = {HeaderFields.MapCheck.class, HeaderFields.NamesCheck.class, HeaderFields.ValueCheck.class})
public @interface HeaderFields {
    String message() default "is not a valid header";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** What a single annotated string is: a header's value (the default) or its name. */
    Part part() default Part.VALUE;

    enum Part { NAME, VALUE }

    /** The checks the validators here share; {@link #token} also for the rules' other names (cookies, sessions). */
    final class Text {
        private Text() {
        }

        /** Whether {@code s} is an RFC 9110 token (a header's or a cookie's name): letters, digits, !#$%&'*+-.^_`|~. */
        public static boolean token(CharSequence s) {
            if (s == null || s.isEmpty()) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                    return false;
                }
            }
            return true;
        }

        /** Why {@code name} is not a header name, or null. */
        static String nameProblem(String name) {
            if (name == null || name.isEmpty()) {
                return "a header name must not be empty";
            }
            return token(name) ? null : "header name '" + MessageText.printable(name) + "' is not a token (letters,"
                    + " digits and !#$%&'*+-.^_`|~ only)";
        }

        /** Why {@code value} cannot be a header value, or null. */
        static String valueProblem(String value) {
            if (value == null) {
                return null;
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < ' ' && c != '\t' || c == 0x7f) {
                    return "must not contain line breaks or other control characters";
                }
            }
            return null;
        }

        static boolean report(ConstraintValidatorContext context, String problem) {
            if (problem == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(MessageText.escape(problem)).addConstraintViolation();
            return false;
        }
    }

    final class MapCheck implements ConstraintValidator<HeaderFields, Map<String, String>> {
        @Override
        public boolean isValid(Map<String, String> headers, ConstraintValidatorContext context) {
            if (headers == null) {
                return true;
            }
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(headers).entrySet()) {
                String problem = Text.nameProblem(e.getKey());
                if (problem == null && Text.valueProblem(e.getValue()) != null) {
                    problem = "header '" + MessageText.printable(e.getKey()) + "': its value "
                            + Text.valueProblem(e.getValue());
                }
                if (problem != null) {
                    return Text.report(context, problem);
                }
            }
            return true;
        }
    }

    final class NamesCheck implements ConstraintValidator<HeaderFields, Collection<String>> {
        @Override
        public boolean isValid(Collection<String> names, ConstraintValidatorContext context) {
            if (names == null) {
                return true;
            }
            for (String name : names) {
                String problem = Text.nameProblem(name);
                if (problem != null) {
                    return Text.report(context, problem);
                }
            }
            return true;
        }
    }

    final class ValueCheck implements ConstraintValidator<HeaderFields, String> {
        private Part part;

        @Override
        public void initialize(HeaderFields annotation) {
            part = annotation.part();
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            return Text.report(context, part == Part.NAME ? Text.nameProblem(value) : Text.valueProblem(value));
        }
    }
}
